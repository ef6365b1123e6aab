import { ResponseError } from '@backstage/errors';
import {
  FINAL_SUBSCRIPTION_STATUSES,
  Money,
  Subscription,
  SubscriptionDetails,
  SubscriptionStatus,
} from '@internal/plugin-store-common';

/** The actions an owner may take on a subscription from the store. */
export type SubscriptionActionKind =
  | 'renew'
  | 'change-plan'
  | 'cancel'
  | 'auto-renew';

/** How a status is said to people. */
export function subscriptionStatusLabel(status: SubscriptionStatus): string {
  switch (status) {
    case 'trialing':
      return 'Trial';
    default:
      return status.charAt(0).toUpperCase() + status.slice(1);
  }
}

/** Money as the store writes prices, e.g. `USD 11730.19` or `USD -12.50`. */
export function formatMoney(money: Money): string {
  return `${money.currency} ${money.amount}`;
}

/** Whether an amount is a credit (negative). */
export function isCredit(money: Money): boolean {
  return money.amount.startsWith('-');
}

/** The size of an amount, without its sign: `-12.50` is `12.50`. */
export function absoluteMoney(money: Money): Money {
  return { ...money, amount: money.amount.replace(/^-/, '') };
}

/**
 * The number of periods typed into a renewal form: a whole number, at
 * least 1; anything else (`0`, `1.5`, `1e3`, blank) is refused.
 */
export function parsePeriods(text: string): number | undefined {
  if (!/^\d+$/.test(text.trim())) {
    return undefined;
  }
  const periods = Number(text.trim());
  return Number.isSafeInteger(periods) && periods >= 1 ? periods : undefined;
}

/**
 * The actions a subscription offers in its status. Ended subscriptions offer
 * none; a suspended one can only be renewed (which resumes it) or
 * cancelled; a one-time plan has no periods to renew, reprice or stop
 * renewing. The backend decides in the end: these only hide what it would
 * refuse anyway.
 */
export function subscriptionActions(
  subscription: Subscription,
): SubscriptionActionKind[] {
  if (FINAL_SUBSCRIPTION_STATUSES.includes(subscription.status)) {
    return [];
  }
  if (subscription.plan.price.interval === 'one-time') {
    return ['cancel'];
  }
  if (subscription.status === 'suspended') {
    return ['renew', 'cancel'];
  }
  return ['renew', 'change-plan', 'cancel', 'auto-renew'];
}

/** Where the cloud plugin shows a stack. */
export function stackHref(stackId: string): string {
  return `/cloud/stacks/${encodeURIComponent(stackId)}`;
}

/**
 * An id as lists show it: a UUID cut to its first eight characters, which
 * tell apart the subscriptions one group has; other ids, such as stack
 * names, as they are.
 */
export function shortId(id: string): string {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(
    id,
  )
    ? id.slice(0, 8)
    : id;
}

/** The day of an ISO timestamp, as the store shows dates (`YYYY-MM-DD`). */
export function isoDay(timestamp: string): string {
  return new Date(timestamp).toISOString().slice(0, 10);
}

/** The message of an error, the backend's own for a failed request. */
export function errorMessage(error: Error): string {
  return ResponseError.is(error) ? error.cause.message : error.message;
}

/** One row of a subscription's timeline, ready to show. */
export type SubscriptionTimelineEntry = {
  key: string;
  title: string;
  at: string;
  actor: string;
  /** The change of status, e.g. `Active → Expiring`, when it changed. */
  statusChange?: string;
  comment?: string;
};

const TITLES: Record<string, string> = {
  create: 'Subscribed',
  renew: 'Renewed',
  'change-plan': 'Plan changed',
  cancel: 'Cancelled',
  'auto-renew': 'Auto-renewal switched',
  remind: 'Renewal reminder sent',
  expire: 'Expired',
  suspend: 'Suspended',
  resume: 'Resumed',
  terminate: 'Terminated',
};

/** The events of a subscription as people read them, oldest first. */
export function subscriptionTimeline(
  subscription: SubscriptionDetails,
): SubscriptionTimelineEntry[] {
  return [...subscription.events]
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id - b.id)
    .map(event => {
      let title = TITLES[event.action] ?? event.action;
      const autoRenew = event.data?.autoRenew;
      if (event.action === 'auto-renew' && typeof autoRenew === 'boolean') {
        title = autoRenew
          ? 'Auto-renewal turned on'
          : 'Auto-renewal turned off';
      }
      return {
        key: String(event.id),
        title,
        at: event.createdAt,
        actor: event.actor,
        comment: event.comment,
        statusChange:
          event.from && event.from !== event.to
            ? `${subscriptionStatusLabel(
                event.from,
              )} → ${subscriptionStatusLabel(event.to)}`
            : undefined,
      };
    });
}
