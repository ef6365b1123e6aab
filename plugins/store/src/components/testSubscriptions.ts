import {
  PlanChangeQuote,
  RenewalQuote,
  Subscription,
  SubscriptionDetails,
} from '@internal/plugin-store-common';

export function subscription(
  overrides: Partial<Subscription> = {},
): Subscription {
  return {
    id: 's1',
    orderId: 'o1',
    productRef: 'product:default/postgresql',
    productTitle: 'PostgreSQL Database',
    plan: {
      id: 'free',
      title: 'Free',
      price: { amount: '0.00', currency: 'USD', interval: 'month' },
      limits: { instances: 1, memory: '1Gi' },
    },
    status: 'active',
    owner: 'group:default/team-a',
    costCenter: 'CC-1234',
    requester: 'user:default/developer',
    stacks: ['stack-1'],
    startedAt: '2026-11-25T10:00:00.000Z',
    currentPeriodStart: '2026-11-25',
    currentPeriodEnd: '2027-11-25',
    autoRenew: true,
    cancelAtPeriodEnd: false,
    nextRenewalPrice: { amount: '0.00', currency: 'USD' },
    version: 1,
    createdAt: '2026-11-25T10:00:00.000Z',
    updatedAt: '2026-11-25T10:00:00.000Z',
    ...overrides,
  };
}

export function subscriptionDetails(
  overrides: Partial<SubscriptionDetails> = {},
): SubscriptionDetails {
  return {
    ...subscription(overrides),
    events: [
      {
        id: 1,
        subscriptionId: 's1',
        action: 'create',
        actor: 'user:default/developer',
        to: 'active',
        createdAt: '2026-11-25T10:00:00.000Z',
      },
    ],
    charges: [],
    ...overrides,
  };
}

/** The canonical plan change: Free to Enterprise with 364 days left. */
export const freeToEnterprise: PlanChangeQuote = {
  subscriptionId: 's1',
  from: subscription().plan,
  to: {
    id: 'enterprise',
    title: 'Enterprise',
    price: { amount: '999.00', currency: 'USD', interval: 'month' },
    limits: { instances: 5, memory: '16Gi' },
  },
  daysLeft: 364,
  dailyDifference: { amount: '32.23', currency: 'USD' },
  total: { amount: '11730.19', currency: 'USD' },
  stackChanges: ['stack-1: 1 → 5 instances'],
};

export function renewalQuote(periods: number): RenewalQuote {
  return {
    subscriptionId: 's1',
    periods,
    from: '2027-11-25',
    to: `${2027 + periods}-11-25`,
    total: { amount: '0.00', currency: 'USD' },
  };
}
