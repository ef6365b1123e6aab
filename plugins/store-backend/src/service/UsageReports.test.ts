import {
  mockServices,
  TestDatabaseId,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { SubscriptionPlan } from '@internal/plugin-store-common';
import { SubscriptionsStore } from '../database/SubscriptionsStore';
import { UsageStore } from '../database/UsageStore';
import { UsageReports } from './UsageReports';

jest.setTimeout(60_000);

const metered: SubscriptionPlan = {
  id: 'metered',
  title: 'Metered',
  price: { amount: '10.00', currency: 'USD', interval: 'month' },
  meteredPrices: [
    { dimension: 'node-hours', unit: 'hour', amount: '0.10', currency: 'USD' },
  ],
};

const flat: SubscriptionPlan = {
  id: 'flat',
  title: 'Flat',
  price: { amount: '10.00', currency: 'USD', interval: 'month' },
};

describe('UsageReports', () => {
  const databases = TestDatabases.create();

  async function setUp(databaseId: TestDatabaseId) {
    const knex = await databases.init(databaseId);
    const database = mockServices.database({ knex });
    const subscriptions = await SubscriptionsStore.create({ database });
    for (const [id, plan] of [
      ['a', metered],
      ['b', metered],
      ['plain', flat],
    ] as const) {
      await subscriptions.create({
        subscription: {
          id,
          orderId: `order-${id}`,
          productRef: 'product:default/vm',
          productTitle: 'vm',
          plan,
          status: 'active',
          owner: 'group:default/team-web',
          requester: 'user:default/developer',
          stacks: [`st-${id}`],
          anchor: '2026-01-01',
          startedAt: '2026-01-01T00:00:00.000Z',
          currentPeriodStart: '2026-01-01',
          currentPeriodEnd: '2026-02-01',
          autoRenew: true,
          cancelAtPeriodEnd: false,
        },
        actor: 'plugin:store',
      });
    }
    const clock = { now: new Date('2026-01-20T00:00:00Z') };
    const reports = UsageReports.create({
      store: await UsageStore.create({ database }),
      permissions: mockServices.permissions(),
      lateEventWindowDays: 3,
      now: () => clock.now,
    });
    return { knex, reports, clock };
  }

  const event = (id: string, quantity = '1.5') => ({
    id,
    stackId: 'st-a',
    dimension: 'node-hours',
    quantity,
    occurredAt: '2026-01-10T08:00:00Z',
  });

  describe.each(databases.eachSupportedId())('%p', databaseId => {
    it('takes a full report at once, and its retry as duplicates', async () => {
      const { knex, reports } = await setUp(databaseId);
      const ids = Array.from({ length: 1000 }, (_, i) => `e${i}`);
      expect(await reports.report(ids.map(id => event(id)))).toEqual({
        accepted: 1000,
        duplicates: 0,
        rejected: [],
      });
      expect(await reports.report(ids.map(id => event(id)))).toEqual({
        accepted: 0,
        duplicates: 1000,
        rejected: [],
      });

      // Half known with another content, half new.
      const mixed = await reports.report(
        Array.from({ length: 1000 }, (_, i) =>
          i % 2 ? event(`e${i}`, '2') : event(`n${i}`),
        ),
      );
      expect(mixed.accepted).toBe(500);
      expect(mixed.duplicates).toBe(0);
      expect(mixed.rejected).toHaveLength(500);
      expect(mixed.rejected[0]).toEqual({
        id: 'e1',
        reason: 'Event e1 was reported before with another content',
      });
      const stored = await knex('store_usage_events')
        .where({ id: 'e1' })
        .first();
      expect(stored).toMatchObject({
        subscription_id: 'a',
        period: '2026-01',
      });
      expect(Number(stored.quantity_micro)).toBe(1_500_000);
      expect(
        Number((await knex('store_usage_events').count({ n: '*' }))[0].n),
      ).toBe(1500);
    });

    it('resolves stacks and subscriptions in one report and rejects what it cannot bill', async () => {
      const { reports } = await setUp(databaseId);
      expect(
        await reports.report([
          event('s1'),
          { ...event('s2'), stackId: undefined, subscriptionId: 'b' },
          { ...event('s3'), stackId: 'st-b' },
          { ...event('s4'), stackId: 'st-plain' },
          { ...event('s5'), stackId: 'st-gone' },
          { ...event('s6'), stackId: undefined, subscriptionId: 'gone' },
          { ...event('s7'), subscriptionId: 'a' },
        ]),
      ).toEqual({
        accepted: 3,
        duplicates: 0,
        rejected: [
          {
            id: 's4',
            reason: 'The plan of subscription plain does not meter node-hours',
          },
          { id: 's5', reason: 'Stack st-gone belongs to no subscription' },
          { id: 's6', reason: 'Unknown subscription gone' },
          { id: 's7', reason: 'Give either subscriptionId or stackId' },
        ],
      });
    });

    it('takes late usage until the window after its month closes', async () => {
      const { reports, clock } = await setUp(databaseId);
      const late = (id: string) => ({
        ...event(id),
        occurredAt: '2026-01-31T23:59:59+00:00',
      });
      clock.now = new Date('2026-02-03T23:59:59Z');
      expect((await reports.report([late('l1')])).accepted).toBe(1);
      clock.now = new Date('2026-02-04T00:00:00Z');
      expect((await reports.report([late('l2')])).rejected).toEqual([
        {
          id: 'l2',
          reason:
            'occurredAt 2026-01-31T23:59:59+00:00 is in a period closed to usage since 2026-02-04T00:00:00.000Z',
        },
      ]);
      // In another time zone, the event's month is the one in UTC.
      expect(
        (
          await reports.report([
            { ...late('l3'), occurredAt: '2026-02-01T00:30:00+01:00' },
          ])
        ).rejected,
      ).toEqual([expect.objectContaining({ id: 'l3' })]);
    });
  });
});
