import { subscription, subscriptionDetails } from '../testSubscriptions';
import {
  absoluteMoney,
  errorMessage,
  formatMoney,
  isCredit,
  parsePeriods,
  stackHref,
  subscriptionActions,
  subscriptionTimeline,
} from './subscriptionText';
import { ResponseError } from '@backstage/errors';

describe('subscriptionText', () => {
  it.each([
    ['1', 1],
    ['12', 12],
    [' 3 ', 3],
    ['0', undefined],
    ['1.5', undefined],
    ['-1', undefined],
    ['1e3', undefined],
    ['', undefined],
    ['99999999999999999999', undefined],
  ])('reads %p periods as %p', (text, periods) => {
    expect(parsePeriods(text)).toBe(periods);
  });

  it('writes money with its currency and tells credits apart', () => {
    const credit = { amount: '-12.50', currency: 'EUR' };
    expect(formatMoney({ amount: '11730.19', currency: 'USD' })).toBe(
      'USD 11730.19',
    );
    expect(isCredit(credit)).toBe(true);
    expect(isCredit({ amount: '0.00', currency: 'EUR' })).toBe(false);
    expect(formatMoney(absoluteMoney(credit))).toBe('EUR 12.50');
  });

  it('offers the actions a status allows', () => {
    expect(subscriptionActions(subscription())).toEqual([
      'renew',
      'change-plan',
      'cancel',
      'auto-renew',
    ]);
    expect(subscriptionActions(subscription({ status: 'suspended' }))).toEqual([
      'renew',
      'cancel',
    ]);
    expect(subscriptionActions(subscription({ status: 'cancelled' }))).toEqual(
      [],
    );
    expect(subscriptionActions(subscription({ status: 'terminated' }))).toEqual(
      [],
    );
    const oneTime = subscription().plan;
    oneTime.price = { ...oneTime.price, interval: 'one-time' };
    expect(subscriptionActions(subscription({ plan: oneTime }))).toEqual([
      'cancel',
    ]);
  });

  it('links a stack to the cloud plugin', () => {
    expect(stackHref('a/b')).toBe('/cloud/stacks/a%2Fb');
  });

  it("shows the backend's message of a failed request", async () => {
    const error = await ResponseError.fromResponse(
      new Response(
        JSON.stringify({
          error: { name: 'ConflictError', message: 'Already cancelled' },
          response: { statusCode: 409 },
        }),
        { status: 409, headers: { 'Content-Type': 'application/json' } },
      ),
    );
    expect(errorMessage(error)).toBe('Already cancelled');
    expect(errorMessage(new Error('Offline'))).toBe('Offline');
  });

  it('orders the timeline and says what changed', () => {
    const details = subscriptionDetails({
      events: [
        {
          id: 3,
          subscriptionId: 's1',
          action: 'auto-renew',
          actor: 'user:default/developer',
          from: 'active',
          to: 'active',
          data: { autoRenew: false },
          createdAt: '2026-12-01T10:00:00.000Z',
        },
        {
          id: 2,
          subscriptionId: 's1',
          action: 'cancel',
          actor: 'user:default/developer',
          from: 'active',
          to: 'expiring',
          comment: 'Moving to another team',
          createdAt: '2026-12-01T10:00:00.000Z',
        },
        {
          id: 1,
          subscriptionId: 's1',
          action: 'create',
          actor: 'user:default/developer',
          to: 'trialing',
          createdAt: '2026-11-25T10:00:00.000Z',
        },
      ],
    });
    expect(
      subscriptionTimeline(details).map(e => [
        e.title,
        e.statusChange,
        e.comment,
      ]),
    ).toEqual([
      ['Subscribed', undefined, undefined],
      ['Cancelled', 'Active → Expiring', 'Moving to another team'],
      ['Auto-renewal turned off', undefined, undefined],
    ]);
  });
});
