import { useApi } from '@backstage/frontend-plugin-api';
import { Subscription } from '@internal/plugin-store-common';
import {
  Box,
  FormControl,
  FormControlLabel,
  FormLabel,
  Radio,
  RadioGroup,
} from '@material-ui/core';
import { useCallback, useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { CancellationTime, storeApiRef } from '../../api/StoreApi';
import {
  ActionDialog,
  Breakdown,
  QuoteState,
  StackChanges,
} from './ActionDialog';
import { absoluteMoney, formatMoney } from './subscriptionText';
import { useIdempotencyKey } from './useIdempotencyKey';

/**
 * Cancels a subscription at the end of its period or now, after showing
 * when it ends, the credit of the unused days and what becomes of the stacks.
 */
export function CancelDialog(props: {
  subscription: Subscription;
  onDone: () => void;
  onClose: () => void;
}) {
  const { subscription, onDone, onClose } = props;
  const storeApi = useApi(storeApiRef);
  // Already ending with the period, only an immediate end is left to choose.
  const [when, setWhen] = useState<CancellationTime>(
    subscription.cancelAtPeriodEnd ? 'now' : 'period-end',
  );
  const quote = useAsync(
    () => storeApi.quoteCancellation({ id: subscription.id, when }),
    [storeApi, subscription.id, when],
  );
  const idempotencyKey = useIdempotencyKey(`cancel:${when}`);
  const confirm = useCallback(async () => {
    await storeApi.cancelSubscription({
      id: subscription.id,
      when,
      version: subscription.version,
      idempotencyKey,
    });
    onDone();
  }, [storeApi, subscription, when, idempotencyKey, onDone]);
  return (
    <ActionDialog
      title={`Cancel ${subscription.productTitle}`}
      confirmLabel="Cancel subscription"
      canConfirm={!quote.loading && !!quote.value}
      onConfirm={confirm}
      onClose={onClose}
    >
      <Box mb={2}>
        <FormControl component="fieldset">
          <FormLabel component="legend">When</FormLabel>
          <RadioGroup
            aria-label="When"
            name="cancel-when"
            value={when}
            onChange={e => setWhen(e.target.value as CancellationTime)}
          >
            <FormControlLabel
              value="period-end"
              control={<Radio />}
              disabled={subscription.cancelAtPeriodEnd}
              label={`At the end of the period (${subscription.currentPeriodEnd})`}
            />
            <FormControlLabel value="now" control={<Radio />} label="Now" />
          </RadioGroup>
        </FormControl>
      </Box>
      <QuoteState state={quote}>
        {value => (
          <Breakdown
            rows={[
              ['Ends on', value.endsOn],
              ['Credit', formatMoney(absoluteMoney(value.credit))],
              ['Stacks', <StackChanges changes={value.stackChanges} />],
            ]}
          />
        )}
      </QuoteState>
    </ActionDialog>
  );
}
