import { ConflictError, InputError } from '@backstage/errors';
import {
  CancellationQuote,
  daysBetween,
  FINAL_SUBSCRIPTION_STATUSES,
  PlanChangeQuote,
  PlanLimits,
  prorate,
  prorateCancellation,
  ProrationBasis,
  renew,
  RenewalQuote,
  SubscriptionPlan,
  toMoney,
} from '@internal/plugin-store-common';
import { StoredSubscription } from '../database/subscriptionRows';

/** The most periods one renewal may pay for. */
export const MAX_RENEWAL_PERIODS = 36;

/** A quote with the amount to charge in minor units. */
export type Priced<T> = T & { totalMinor: number };

/** Refuses any action on a subscription that has ended. */
export function assertNotEnded(subscription: StoredSubscription) {
  if (FINAL_SUBSCRIPTION_STATUSES.includes(subscription.status)) {
    throw new ConflictError(
      `Subscription ${subscription.id} is ${subscription.status}; it can no longer change`,
    );
  }
}

function assertRecurring(subscription: StoredSubscription, what: string) {
  if (subscription.plan.price.interval === 'one-time') {
    throw new InputError(
      `Subscription ${subscription.id} is a one-time purchase; it cannot ${what}`,
    );
  }
}

/** Whether the subscription has paid time left on `today` to prorate. */
function inPaidTime(subscription: StoredSubscription, today: string) {
  return (
    subscription.status !== 'trialing' &&
    daysBetween(subscription.anchor, today) >= 0 &&
    daysBetween(today, subscription.currentPeriodEnd) > 0
  );
}

/** What renewing by a number of periods costs and until when it runs. */
export function quoteRenewal(
  subscription: StoredSubscription,
  periods: unknown,
): Priced<RenewalQuote> {
  if (
    typeof periods !== 'number' ||
    !Number.isSafeInteger(periods) ||
    periods < 1 ||
    periods > MAX_RENEWAL_PERIODS
  ) {
    throw new InputError(
      `periods must be a whole number from 1 to ${MAX_RENEWAL_PERIODS}`,
    );
  }
  assertNotEnded(subscription);
  assertRecurring(subscription, 'be renewed');
  const renewal = renew({
    price: subscription.plan.price,
    anchor: subscription.anchor,
    periodEnd: subscription.currentPeriodEnd,
    periods,
  });
  return {
    subscriptionId: subscription.id,
    periods,
    from: subscription.currentPeriodEnd,
    to: renewal.periodEnd,
    total: toMoney(renewal.total, renewal.currency),
    totalMinor: renewal.total,
  };
}

/** What moving to another plan costs (or credits) for the rest of the period. */
export function quotePlanChange(options: {
  subscription: StoredSubscription;
  to: SubscriptionPlan | undefined;
  planId: string;
  today: string;
  basis: ProrationBasis;
}): Priced<PlanChangeQuote> {
  const { subscription, to, today, basis } = options;
  const from = subscription.plan;
  if (options.planId === from.id) {
    throw new InputError(
      `Subscription ${subscription.id} is already on plan ${from.id}`,
    );
  }
  if (!to) {
    throw new InputError(
      `${subscription.productRef} has no plan ${options.planId}`,
    );
  }
  if (to.price.currency !== from.price.currency) {
    throw new InputError(
      `Plan ${to.id} is priced in ${to.price.currency}, the subscription in ${from.price.currency}`,
    );
  }
  if (to.price.interval === 'one-time') {
    throw new InputError(`Plan ${to.id} is a one-time purchase`);
  }
  assertNotEnded(subscription);
  assertRecurring(subscription, 'change plans');
  const daysLeft = Math.max(
    0,
    daysBetween(today, subscription.currentPeriodEnd),
  );
  const proration = inPaidTime(subscription, today)
    ? prorate({
        from: from.price,
        to: to.price,
        anchor: subscription.anchor,
        periodEnd: subscription.currentPeriodEnd,
        on: today,
        basis,
      })
    : { daysLeft, dailyDifference: 0, total: 0, currency: to.price.currency };
  return {
    subscriptionId: subscription.id,
    from,
    to,
    daysLeft: proration.daysLeft,
    dailyDifference: toMoney(proration.dailyDifference, to.price.currency),
    total: toMoney(proration.total, to.price.currency),
    totalMinor: proration.total,
    stackChanges: limitChanges(from.limits, to.limits),
  };
}

/** When a cancellation ends the subscription and what it credits. */
export function quoteCancellation(options: {
  subscription: StoredSubscription;
  when: unknown;
  today: string;
  basis: ProrationBasis;
}): Priced<CancellationQuote> {
  const { subscription, when, today, basis } = options;
  if (when !== 'period-end' && when !== 'now') {
    throw new InputError(`when must be 'period-end' or 'now'`);
  }
  assertNotEnded(subscription);
  const { price } = subscription.plan;
  const oneTime = price.interval === 'one-time';
  if (when === 'period-end' && !oneTime && subscription.cancelAtPeriodEnd) {
    throw new ConflictError(
      `Subscription ${subscription.id} already ends at the end of its period`,
    );
  }
  // A one-time purchase has no period left: it ends now, with no credit.
  const immediate = when === 'now' || oneTime;
  const credit =
    immediate && !oneTime && inPaidTime(subscription, today)
      ? prorateCancellation({
          price,
          anchor: subscription.anchor,
          periodEnd: subscription.currentPeriodEnd,
          on: today,
          basis,
        })
      : 0;
  return {
    subscriptionId: subscription.id,
    when,
    endsOn: immediate ? today : subscription.currentPeriodEnd,
    credit: toMoney(credit, price.currency),
    totalMinor: credit,
    stackChanges:
      subscription.stacks.length > 0
        ? [`${subscription.stacks.length} stack(s) are no longer paid for`]
        : [],
  };
}

/** The limits that differ between two plans, as "cpu: 1 → 4". */
function limitChanges(from: PlanLimits = {}, to: PlanLimits = {}): string[] {
  const keys = [
    ...new Set([...Object.keys(from), ...Object.keys(to)]),
  ] as Array<keyof PlanLimits>;
  return keys
    .filter(key => String(from[key] ?? '') !== String(to[key] ?? ''))
    .map(key => `${key}: ${from[key] ?? '–'} → ${to[key] ?? '–'}`);
}
