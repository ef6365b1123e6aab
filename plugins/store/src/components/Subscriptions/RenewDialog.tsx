import { useApi } from '@backstage/frontend-plugin-api';
import { formatPrice, Subscription } from '@internal/plugin-store-common';
import { Box, TextField } from '@material-ui/core';
import { useCallback, useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { storeApiRef } from '../../api/StoreApi';
import { ActionDialog, Breakdown, QuoteState } from './ActionDialog';
import { formatMoney, parsePeriods } from './subscriptionText';
import { useIdempotencyKey } from './useIdempotencyKey';

/** Renews a subscription by whole periods, after showing what it costs. */
export function RenewDialog(props: {
  subscription: Subscription;
  onDone: () => void;
  onClose: () => void;
}) {
  const { subscription, onDone, onClose } = props;
  const storeApi = useApi(storeApiRef);
  const [text, setText] = useState('1');
  const periods = parsePeriods(text);
  const quote = useAsync(
    async () =>
      periods === undefined
        ? undefined
        : storeApi.quoteRenewal({ id: subscription.id, periods }),
    [storeApi, subscription.id, periods],
  );
  const idempotencyKey = useIdempotencyKey(`renew:${periods}`);
  const confirm = useCallback(async () => {
    if (periods === undefined) {
      return;
    }
    await storeApi.renewSubscription({
      id: subscription.id,
      periods,
      version: subscription.version,
      idempotencyKey,
    });
    onDone();
  }, [storeApi, subscription, periods, idempotencyKey, onDone]);
  const interval = subscription.plan.price.interval;
  return (
    <ActionDialog
      title={`Renew ${subscription.productTitle}`}
      confirmLabel="Renew"
      canConfirm={periods !== undefined && !quote.loading && !!quote.value}
      onConfirm={confirm}
      onClose={onClose}
    >
      <Box mb={2}>
        <TextField
          id="renew-periods"
          label={`Periods (${interval}s)`}
          type="number"
          variant="outlined"
          size="small"
          value={text}
          inputProps={{ min: 1, step: 1 }}
          error={periods === undefined}
          helperText={
            periods === undefined
              ? 'Enter a whole number of periods, 1 or more'
              : `${formatPrice(subscription.plan.price)} on the ${
                  subscription.plan.title
                } plan`
          }
          onChange={e => setText(e.target.value)}
        />
      </Box>
      {periods !== undefined && (
        <QuoteState state={quote}>
          {value => (
            <Breakdown
              rows={[
                ['Periods', value.periods],
                ['Renewed from', value.from],
                ['New end date', value.to],
                ['Total', formatMoney(value.total)],
              ]}
            />
          )}
        </QuoteState>
      )}
    </ActionDialog>
  );
}
