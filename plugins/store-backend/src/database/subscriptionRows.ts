import {
  ChargeKind,
  FINAL_SUBSCRIPTION_STATUSES,
  Subscription,
  SubscriptionAction,
  SubscriptionCharge,
  SubscriptionEvent,
  SubscriptionStatus,
  toMinorUnits,
  toMoney,
} from '@internal/plugin-store-common';
import { toDate, toIso } from './orderRows';

export const SUBSCRIPTIONS = 'store_subscriptions';
export const SUBSCRIPTION_EVENTS = 'store_subscription_events';
export const SUBSCRIPTION_CHARGES = 'store_subscription_charges';
export const SUBSCRIPTION_STACKS = 'store_subscription_stacks';

/** A row of the subscriptions table. */
export type SubscriptionRow = {
  id: string;
  order_id: string;
  product_ref: string;
  product_title: string;
  plan_json: string;
  status: string;
  owner: string;
  cost_center: string | null;
  requester: string;
  stacks_json: string;
  anchor: string;
  started_at: Date | string;
  trial_ends_at: string | null;
  current_period_start: string;
  current_period_end: string;
  auto_renew: boolean | number;
  cancel_at_period_end: boolean | number;
  ended_at: Date | string | null;
  version: number;
  created_at: Date | string;
  updated_at: Date | string;
};

/** A row of the subscription timeline. */
export type SubscriptionEventRow = {
  id?: number;
  subscription_id: string;
  action: string;
  from_status: string | null;
  to_status: string;
  actor: string;
  comment: string | null;
  data_json: string | null;
  created_at: Date | string;
};

/** A row of the charges table. */
export type SubscriptionChargeRow = {
  id: string;
  subscription_id: string;
  kind: string;
  description: string;
  amount_minor: number | string;
  currency: string;
  period_start: string;
  period_end: string;
  payment_method: string;
  payment_reference: string | null;
  payment_status: string | null;
  invoice_id: string | null;
  created_at: Date | string;
};

/** A subscription with the billing anchor that its math needs. */
export type StoredSubscription = Subscription & {
  /** The first day of the first paid period (an ISO date). */
  anchor: string;
};

/** A stored subscription with its timeline and charges. */
export type StoredSubscriptionDetails = StoredSubscription & {
  events: SubscriptionEvent[];
  charges: SubscriptionCharge[];
};

/** A subscription from its row. */
export function toSubscription(row: SubscriptionRow): StoredSubscription {
  const plan = JSON.parse(row.plan_json) as Subscription['plan'];
  const status = row.status as SubscriptionStatus;
  const autoRenew = Boolean(row.auto_renew);
  const cancelAtPeriodEnd = Boolean(row.cancel_at_period_end);
  const renews =
    autoRenew &&
    !cancelAtPeriodEnd &&
    plan.price.interval !== 'one-time' &&
    !FINAL_SUBSCRIPTION_STATUSES.includes(status);
  return {
    id: row.id,
    orderId: row.order_id,
    productRef: row.product_ref,
    productTitle: row.product_title,
    plan,
    status,
    owner: row.owner,
    costCenter: row.cost_center ?? undefined,
    requester: row.requester,
    stacks: JSON.parse(row.stacks_json),
    anchor: row.anchor,
    startedAt: toDate(row.started_at).toISOString(),
    trialEndsAt: row.trial_ends_at ?? undefined,
    currentPeriodStart: row.current_period_start,
    currentPeriodEnd: row.current_period_end,
    autoRenew,
    cancelAtPeriodEnd,
    nextRenewalPrice: renews
      ? toMoney(
          toMinorUnits(plan.price.amount, plan.price.currency),
          plan.price.currency,
        )
      : undefined,
    endedAt: toIso(row.ended_at),
    version: Number(row.version),
    createdAt: toDate(row.created_at).toISOString(),
    updatedAt: toDate(row.updated_at).toISOString(),
  };
}

/** An event of a subscription's timeline from its row. */
export function toSubscriptionEvent(
  row: SubscriptionEventRow,
): SubscriptionEvent {
  return {
    id: Number(row.id),
    subscriptionId: row.subscription_id,
    action: row.action as SubscriptionAction,
    actor: row.actor,
    from: (row.from_status as SubscriptionStatus) ?? undefined,
    to: row.to_status as SubscriptionStatus,
    comment: row.comment ?? undefined,
    data: row.data_json ? JSON.parse(row.data_json) : undefined,
    createdAt: toDate(row.created_at).toISOString(),
  };
}

/** A charge from its row. */
export function toSubscriptionCharge(
  row: SubscriptionChargeRow,
): SubscriptionCharge {
  return {
    id: row.id,
    subscriptionId: row.subscription_id,
    kind: row.kind as ChargeKind,
    description: row.description,
    amount: toMoney(Number(row.amount_minor), row.currency),
    periodStart: row.period_start,
    periodEnd: row.period_end,
    invoiceId: row.invoice_id ?? undefined,
    createdAt: toDate(row.created_at).toISOString(),
  };
}
