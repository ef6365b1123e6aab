import { ConflictError, InputError } from '@backstage/errors';
import { StoredSubscription } from '../database/subscriptionRows';
import {
  quoteCancellation,
  quotePlanChange,
  quoteRenewal,
} from './subscriptionQuotes';

const enterprise = {
  id: 'enterprise',
  title: 'Enterprise',
  price: { amount: '999.00', currency: 'USD', interval: 'month' as const },
};

function subscription(
  overrides: Partial<StoredSubscription> = {},
): StoredSubscription {
  return {
    id: 's1',
    orderId: 'o1',
    productRef: 'product:default/db',
    productTitle: 'db',
    plan: {
      id: 'standard',
      title: 'Standard',
      price: { amount: '49.00', currency: 'USD', interval: 'month' },
    },
    status: 'active',
    owner: 'group:default/team-web',
    requester: 'user:default/developer',
    stacks: [],
    anchor: '2026-01-31',
    startedAt: '2026-01-31T10:00:00.000Z',
    currentPeriodStart: '2026-01-31',
    currentPeriodEnd: '2026-02-28',
    autoRenew: true,
    cancelAtPeriodEnd: false,
    version: 1,
    createdAt: '2026-01-31T10:00:00.000Z',
    updatedAt: '2026-01-31T10:00:00.000Z',
    ...overrides,
  };
}

describe('subscription quotes', () => {
  it('renews on the anchor day, at the end of shorter months', () => {
    expect(quoteRenewal(subscription(), 2)).toEqual({
      subscriptionId: 's1',
      periods: 2,
      from: '2026-02-28',
      to: '2026-04-30',
      total: { amount: '98.00', currency: 'USD' },
      totalMinor: 9800,
    });
  });

  it.each([0, 37, 2.5, '3', undefined])('refuses %p periods', periods => {
    expect(() => quoteRenewal(subscription(), periods)).toThrow(InputError);
  });

  it('refuses to renew or change what has ended', () => {
    const ended = subscription({ status: 'terminated' });
    expect(() => quoteRenewal(ended, 1)).toThrow(ConflictError);
    expect(() =>
      quoteCancellation({
        subscription: ended,
        when: 'now',
        today: '2026-02-01',
        basis: { kind: 'actual' },
      }),
    ).toThrow(ConflictError);
  });

  it('prorates by the actual days of the period by default', () => {
    const quote = quotePlanChange({
      subscription: subscription(),
      to: enterprise,
      planId: 'enterprise',
      today: '2026-02-14',
      basis: { kind: 'actual' },
    });
    // (999 - 49) × 14 / 28 days of the period from 2026-01-31.
    expect(quote).toMatchObject({
      daysLeft: 14,
      total: { amount: '475.00', currency: 'USD' },
      dailyDifference: { amount: '33.93', currency: 'USD' },
    });
  });

  it('changes the plan of a trial for nothing', () => {
    const quote = quotePlanChange({
      subscription: subscription({
        status: 'trialing',
        anchor: '2026-02-14',
        trialEndsAt: '2026-02-14',
        currentPeriodEnd: '2026-02-14',
      }),
      to: enterprise,
      planId: 'enterprise',
      today: '2026-02-01',
      basis: { kind: 'actual' },
    });
    expect(quote).toMatchObject({ daysLeft: 13, totalMinor: 0 });
  });

  it('ends a one-time purchase at once, with no credit, and never renews it', () => {
    const oneTime = subscription({
      plan: {
        id: 'setup',
        title: 'Setup',
        price: { amount: '500.00', currency: 'USD', interval: 'one-time' },
      },
      currentPeriodEnd: '2026-01-31',
      autoRenew: false,
    });
    expect(() => quoteRenewal(oneTime, 1)).toThrow(InputError);
    expect(() =>
      quotePlanChange({
        subscription: oneTime,
        to: enterprise,
        planId: 'enterprise',
        today: '2026-02-01',
        basis: { kind: 'actual' },
      }),
    ).toThrow(InputError);
    expect(
      quoteCancellation({
        subscription: oneTime,
        when: 'period-end',
        today: '2026-02-01',
        basis: { kind: 'actual' },
      }),
    ).toMatchObject({
      endsOn: '2026-02-01',
      credit: { amount: '0.00', currency: 'USD' },
    });
  });

  it('refuses a second cancellation at the end of the period', () => {
    expect(() =>
      quoteCancellation({
        subscription: subscription({
          status: 'expiring',
          cancelAtPeriodEnd: true,
        }),
        when: 'period-end',
        today: '2026-02-01',
        basis: { kind: 'actual' },
      }),
    ).toThrow(ConflictError);
  });
});
