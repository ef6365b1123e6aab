import { parseEntityRef } from '@backstage/catalog-model';
import { useApi } from '@backstage/frontend-plugin-api';
import { formatPrice, Subscription } from '@internal/plugin-store-common';
import { Box, TextField } from '@material-ui/core';
import { Alert } from '@material-ui/lab';
import { useCallback, useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { storeApiRef } from '../../api/StoreApi';
import {
  ActionDialog,
  Breakdown,
  QuoteState,
  StackChanges,
} from './ActionDialog';
import {
  absoluteMoney,
  errorMessage,
  formatMoney,
  isCredit,
} from './subscriptionText';
import { useIdempotencyKey } from './useIdempotencyKey';

/**
 * Moves a subscription to another plan of its product, after showing the
 * prorated charge or credit for the rest of the period.
 */
export function ChangePlanDialog(props: {
  subscription: Subscription;
  onDone: () => void;
  onClose: () => void;
}) {
  const { subscription, onDone, onClose } = props;
  const storeApi = useApi(storeApiRef);
  const [planId, setPlanId] = useState('');
  const product = useAsync(async () => {
    const { namespace, name } = parseEntityRef(subscription.productRef);
    return storeApi.getProduct({ namespace, name });
  }, [storeApi, subscription.productRef]);
  // Only recurring plans in the same currency can be prorated against it.
  const current = subscription.plan;
  const plans = (product.value?.plans ?? []).filter(
    plan =>
      plan.id !== current.id &&
      plan.price.interval !== 'one-time' &&
      plan.price.currency === current.price.currency,
  );
  const quote = useAsync(
    async () =>
      planId
        ? storeApi.quotePlanChange({ id: subscription.id, planId })
        : undefined,
    [storeApi, subscription.id, planId],
  );
  const idempotencyKey = useIdempotencyKey(`change-plan:${planId}`);
  const confirm = useCallback(async () => {
    await storeApi.changeSubscriptionPlan({
      id: subscription.id,
      planId,
      version: subscription.version,
      idempotencyKey,
    });
    onDone();
  }, [storeApi, subscription, planId, idempotencyKey, onDone]);
  return (
    <ActionDialog
      title={`Change the plan of ${subscription.productTitle}`}
      confirmLabel="Change plan"
      canConfirm={!!planId && !quote.loading && !!quote.value}
      onConfirm={confirm}
      onClose={onClose}
    >
      {product.error && (
        <Alert severity="error">{errorMessage(product.error)}</Alert>
      )}
      <Box mb={2}>
        <TextField
          id="change-plan-plan"
          label="New plan"
          select
          fullWidth
          variant="outlined"
          size="small"
          SelectProps={{ native: true }}
          InputLabelProps={{ shrink: true }}
          disabled={product.loading || plans.length === 0}
          value={planId}
          helperText={
            !product.loading && !product.error && plans.length === 0
              ? 'The product has no other plan to change to'
              : `Now on ${subscription.plan.title}, ${formatPrice(
                  subscription.plan.price,
                )}`
          }
          onChange={e => setPlanId(e.target.value)}
        >
          <option value="">Choose a plan</option>
          {plans.map(plan => (
            <option key={plan.id} value={plan.id}>
              {plan.title} — {formatPrice(plan.price)}
            </option>
          ))}
        </TextField>
      </Box>
      <QuoteState state={quote}>
        {value => (
          <Breakdown
            rows={[
              [
                'Current plan',
                `${value.from.title} — ${formatPrice(value.from.price)}`,
              ],
              [
                'New plan',
                `${value.to.title} — ${formatPrice(value.to.price)}`,
              ],
              ['Days left', value.daysLeft],
              ['Daily difference', formatMoney(value.dailyDifference)],
              isCredit(value.total)
                ? ['Total credit', formatMoney(absoluteMoney(value.total))]
                : ['Total charge', formatMoney(value.total)],
              ['Stacks', <StackChanges changes={value.stackChanges} />],
            ]}
          />
        )}
      </QuoteState>
    </ActionDialog>
  );
}
