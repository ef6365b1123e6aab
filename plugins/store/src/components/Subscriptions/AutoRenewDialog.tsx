import { useApi } from '@backstage/frontend-plugin-api';
import { formatPrice, Subscription } from '@internal/plugin-store-common';
import { DialogContentText } from '@material-ui/core';
import { useCallback } from 'react';
import { storeApiRef } from '../../api/StoreApi';
import { ActionDialog } from './ActionDialog';
import { formatMoney } from './subscriptionText';
import { useIdempotencyKey } from './useIdempotencyKey';

/** Turns the automatic renewal of a subscription on or off. */
export function AutoRenewDialog(props: {
  subscription: Subscription;
  onDone: () => void;
  onClose: () => void;
}) {
  const { subscription, onDone, onClose } = props;
  const storeApi = useApi(storeApiRef);
  const autoRenew = !subscription.autoRenew;
  const idempotencyKey = useIdempotencyKey(`auto-renew:${autoRenew}`);
  const confirm = useCallback(async () => {
    await storeApi.setSubscriptionAutoRenew({
      id: subscription.id,
      autoRenew,
      version: subscription.version,
      idempotencyKey,
    });
    onDone();
  }, [storeApi, subscription, autoRenew, idempotencyKey, onDone]);
  const price = subscription.nextRenewalPrice
    ? formatMoney(subscription.nextRenewalPrice)
    : formatPrice(subscription.plan.price);
  return (
    <ActionDialog
      title={`Turn auto-renew ${autoRenew ? 'on' : 'off'} for ${
        subscription.productTitle
      }`}
      confirmLabel={autoRenew ? 'Turn on' : 'Turn off'}
      canConfirm
      onConfirm={confirm}
      onClose={onClose}
    >
      <DialogContentText>
        {autoRenew
          ? `The subscription renews on ${subscription.currentPeriodEnd} for ${price}, and every period after.`
          : `The subscription is not renewed on ${subscription.currentPeriodEnd}: it ends then unless you renew it.`}
        {autoRenew && subscription.cancelAtPeriodEnd
          ? ' This takes back its cancellation at the end of the period.'
          : ''}
      </DialogContentText>
    </ActionDialog>
  );
}
