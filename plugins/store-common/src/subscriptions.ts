import { MeteredPrice, PlanLimits, PlanNodes, Price } from './types';

/**
 * Where a subscription is in its life.
 *
 * - `trialing`: in the plan's free trial.
 * - `active`: paid for the current period.
 * - `expiring`: cancelled at the end of the period, or near its end without
 *   auto-renewal.
 * - `suspended`: the period ended unpaid; the stacks are stopped until the
 *   subscription is renewed within the grace period.
 * - `cancelled`: ended by its owner; nothing is charged any more.
 * - `terminated`: ended for good and its stacks deleted.
 *
 * @public
 */
export type SubscriptionStatus =
  | 'trialing'
  | 'active'
  | 'expiring'
  | 'suspended'
  | 'cancelled'
  | 'terminated';

/** The statuses after which a subscription can no longer change. @public */
export const FINAL_SUBSCRIPTION_STATUSES: readonly SubscriptionStatus[] = [
  'cancelled',
  'terminated',
];

/**
 * A decimal amount of money in a currency, e.g. `{ amount: "-12.50",
 * currency: "USD" }`; negative amounts are credits.
 * @public
 */
export type Money = {
  amount: string;
  currency: string;
};

/** The plan a subscription runs on, as it was when it was subscribed. @public */
export type SubscriptionPlan = {
  id: string;
  title: string;
  price: Price;
  limits?: PlanLimits;
  /** The nodes the plan provides, by role. */
  nodes?: PlanNodes;
  /** The usage the plan charges for, as it was subscribed. */
  meteredPrices?: MeteredPrice[];
};

/**
 * What an order turned into once it was fulfilled: a product on a plan,
 * paid for period by period by the owning group's billing account.
 * @public
 */
export type Subscription = {
  id: string;
  /** The order that created the subscription. */
  orderId: string;
  productRef: string;
  productTitle: string;
  plan: SubscriptionPlan;
  status: SubscriptionStatus;
  /** The owning group's entity ref; it is also the billing account. */
  owner: string;
  /** The cost centre of the owning group, from its catalog annotation. */
  costCenter?: string;
  /** The user who ordered it. */
  requester: string;
  /** The ids of the cloud stacks that the order's task created. */
  stacks: string[];
  startedAt: string;
  trialEndsAt?: string;
  /** The first day of the current period (an ISO date, `YYYY-MM-DD`). */
  currentPeriodStart: string;
  /** The day the current period ends (exclusive, an ISO date). */
  currentPeriodEnd: string;
  autoRenew: boolean;
  /** Whether the subscription ends when the current period ends. */
  cancelAtPeriodEnd: boolean;
  /** The price of the next renewal of one period. */
  nextRenewalPrice?: Money;
  endedAt?: string;
  version: number;
  createdAt: string;
  updatedAt: string;
};

/** What happened to a subscription. @public */
export type SubscriptionAction =
  | 'create'
  | 'renew'
  | 'change-plan'
  | 'cancel'
  | 'auto-renew'
  | 'remind'
  | 'expire'
  | 'suspend'
  | 'resume'
  | 'terminate';

/** One entry of a subscription's timeline. @public */
export type SubscriptionEvent = {
  id: number;
  subscriptionId: string;
  action: SubscriptionAction;
  actor: string;
  from?: SubscriptionStatus;
  to: SubscriptionStatus;
  comment?: string;
  data?: Record<string, unknown>;
  createdAt: string;
};

/** What a charge is for. @public */
export type ChargeKind = 'recurring' | 'proration' | 'usage' | 'credit';

/**
 * An amount charged (positive) or credited (negative) to a subscription's
 * billing account; invoices collect them.
 * @public
 */
export type SubscriptionCharge = {
  id: string;
  subscriptionId: string;
  kind: ChargeKind;
  description: string;
  amount: Money;
  periodStart: string;
  periodEnd: string;
  invoiceId?: string;
  createdAt: string;
};

/** A subscription with its timeline and charges. @public */
export type SubscriptionDetails = Subscription & {
  events: SubscriptionEvent[];
  charges: SubscriptionCharge[];
};

/**
 * How a plan change prices the rest of the current period: by the actual
 * days of the period, or with a fixed number of days per month.
 * @public
 */
export type ProrationBasis =
  | { kind: 'actual' }
  | { kind: 'fixed'; daysPerMonth: number };

/**
 * The breakdown of a plan change, shown before anything is charged.
 * A negative `total` is a credit.
 * @public
 */
export type PlanChangeQuote = {
  subscriptionId: string;
  from: SubscriptionPlan;
  to: SubscriptionPlan;
  /** Days from the change to the end of the current period. */
  daysLeft: number;
  /** The difference of the two plans per day, rounded for display. */
  dailyDifference: Money;
  /** What is charged (or credited when negative), rounded once. */
  total: Money;
  /** What happens to the stacks, e.g. "app: 2 → 5 nodes". */
  stackChanges: string[];
};

/** The breakdown of a renewal by a number of periods. @public */
export type RenewalQuote = {
  subscriptionId: string;
  periods: number;
  /** The day the renewed time starts. */
  from: string;
  /** The day the renewed time ends (exclusive). */
  to: string;
  total: Money;
};

/** The breakdown of a cancellation. @public */
export type CancellationQuote = {
  subscriptionId: string;
  /** `period-end` keeps it to the end of the paid period. */
  when: 'period-end' | 'now';
  /** The day it ends. */
  endsOn: string;
  /** The prorated credit of an immediate cancellation (negative or zero). */
  credit: Money;
  stackChanges: string[];
};
