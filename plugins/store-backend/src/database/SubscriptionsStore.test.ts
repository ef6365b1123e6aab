import {
  mockServices,
  TestDatabaseId,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { ConflictError, NotFoundError } from '@backstage/errors';
import {
  NewCharge,
  NewSubscription,
  SubscriptionsStore,
} from './SubscriptionsStore';

jest.setTimeout(60_000);

function newSubscription(
  id: string,
  overrides: Partial<NewSubscription> = {},
): NewSubscription {
  return {
    id,
    orderId: `order-${id}`,
    productRef: 'product:default/postgresql',
    productTitle: 'PostgreSQL',
    plan: {
      id: 'enterprise',
      title: 'Enterprise',
      price: { amount: '999.00', currency: 'USD', interval: 'month' },
    },
    status: 'active',
    owner: 'group:default/team-web',
    costCenter: 'CC-1',
    requester: 'user:default/developer',
    stacks: ['st-1'],
    anchor: '2026-12-02',
    startedAt: '2026-12-02T10:00:00.000Z',
    currentPeriodStart: '2026-12-02',
    currentPeriodEnd: '2027-01-02',
    autoRenew: true,
    cancelAtPeriodEnd: false,
    ...overrides,
  };
}

const monthly: NewCharge = {
  kind: 'recurring',
  description: 'Enterprise, one month',
  amountMinor: 99900,
  currency: 'USD',
  periodStart: '2026-12-02',
  periodEnd: '2027-01-02',
};

describe('SubscriptionsStore', () => {
  const databases = TestDatabases.create();

  async function createStore(databaseId: TestDatabaseId) {
    const knex = await databases.init(databaseId);
    const store = await SubscriptionsStore.create({
      database: mockServices.database({ knex }),
    });
    return { knex, store };
  }

  describe.each(databases.eachSupportedId())('%p', databaseId => {
    it('creates a subscription once per order, settling its charges', async () => {
      const { store, knex } = await createStore(databaseId);
      const settle = jest.fn(async () => ({
        method: 'test',
        reference: 'ref-1',
        status: 'settled',
      }));
      const first = await store.create({
        subscription: newSubscription('s1', {
          owner: 'Group:default/Team-Web',
        }),
        actor: 'plugin:store',
        charges: [monthly],
        settle,
        now: new Date('2026-12-02T10:00:00Z'),
      });
      expect(first.created).toBe(true);
      expect(first.subscription).toMatchObject({
        id: 's1',
        orderId: 'order-s1',
        owner: 'group:default/team-web',
        costCenter: 'CC-1',
        stacks: ['st-1'],
        anchor: '2026-12-02',
        version: 1,
        nextRenewalPrice: { amount: '999.00', currency: 'USD' },
        events: [{ action: 'create', to: 'active', actor: 'plugin:store' }],
        charges: [
          {
            kind: 'recurring',
            amount: { amount: '999.00', currency: 'USD' },
            periodStart: '2026-12-02',
            periodEnd: '2027-01-02',
          },
        ],
      });
      expect(settle).toHaveBeenCalledWith(
        expect.objectContaining({
          subscriptionId: 's1',
          amountMinor: 99900,
          id: first.subscription.charges[0].id,
        }),
      );
      const [row] = await knex('store_subscription_charges');
      expect(row).toMatchObject({
        payment_method: 'test',
        payment_reference: 'ref-1',
      });

      const again = await store.create({
        subscription: newSubscription('s2', { orderId: 'order-s1' }),
        actor: 'plugin:store',
        charges: [monthly],
        settle,
      });
      expect(again).toMatchObject({
        created: false,
        subscription: { id: 's1' },
      });
      expect(settle).toHaveBeenCalledTimes(1);
      expect(await knex('store_subscriptions')).toHaveLength(1);
    });

    it('creates nothing when two instances race for one order', async () => {
      const { store, knex } = await createStore(databaseId);
      const results = await Promise.all(
        ['a', 'b'].map(id =>
          store.create({
            subscription: newSubscription(id, { orderId: 'order-x' }),
            actor: 'plugin:store',
            charges: [monthly],
          }),
        ),
      );
      expect(results.filter(r => r.created)).toHaveLength(1);
      expect(new Set(results.map(r => r.subscription.id)).size).toBe(1);
      expect(await knex('store_subscriptions')).toHaveLength(1);
      expect(await knex('store_subscription_charges')).toHaveLength(1);
    });

    it('records nothing when a charge cannot be settled', async () => {
      const { store, knex } = await createStore(databaseId);
      await expect(
        store.create({
          subscription: newSubscription('s1'),
          actor: 'plugin:store',
          charges: [monthly],
          settle: async () => {
            throw new Error('no cost centre');
          },
        }),
      ).rejects.toThrow('no cost centre');
      expect(await knex('store_subscriptions')).toHaveLength(0);

      await store.create({ subscription: newSubscription('s1'), actor: 'x' });
      await expect(
        store.transition({
          id: 's1',
          expectedVersion: 1,
          event: { action: 'renew', actor: 'u', from: 'active', to: 'active' },
          patch: { currentPeriodEnd: '2027-02-02' },
          charges: [monthly],
          settle: async () => {
            throw new Error('declined');
          },
        }),
      ).rejects.toThrow('declined');
      const unchanged = await store.get('s1');
      expect(unchanged).toMatchObject({
        version: 1,
        currentPeriodEnd: '2027-01-02',
        charges: [],
      });
      expect(unchanged!.events).toHaveLength(1);
    });

    it('settles through a payment method that books in the store database', async () => {
      // As the chargeback module does: on SQLite the transaction holds the
      // one connection, which the booking would wait for until it timed out.
      const { store, knex } = await createStore(databaseId);
      await knex.schema.createTable('test_ledger', table => {
        table.string('charge_id').primary();
        table.integer('amount_minor').notNullable();
      });
      const settle = async (charge: { id: string; amountMinor: number }) => {
        await knex('test_ledger').insert({
          charge_id: charge.id,
          amount_minor: charge.amountMinor,
        });
        return { method: 'ledger', reference: charge.id, status: 'settled' };
      };
      await store.create({
        subscription: newSubscription('s1'),
        actor: 'plugin:store',
        charges: [monthly],
        settle,
      });
      await store.transition({
        id: 's1',
        expectedVersion: 1,
        event: {
          action: 'change-plan',
          actor: 'u',
          from: 'active',
          to: 'active',
        },
        charges: [{ ...monthly, kind: 'proration', amountMinor: 88065 }],
        settle,
      });
      await store.addCharges({
        subscriptionId: 's1',
        charges: [{ ...monthly, kind: 'usage', amountMinor: 42 }],
        settle,
      });
      const { charges } = (await store.get('s1'))!;
      expect(charges.map(c => c.kind)).toEqual([
        'recurring',
        'proration',
        'usage',
      ]);
      const ledger = await knex('test_ledger').orderBy('amount_minor');
      expect(
        ledger.map(row => [row.charge_id, Number(row.amount_minor)]),
      ).toEqual([
        [charges[2].id, 42],
        [charges[1].id, 88065],
        [charges[0].id, 99900],
      ]);
    }, 30_000);

    it('settles only the change that wins a race from one version', async () => {
      const { store } = await createStore(databaseId);
      await store.create({ subscription: newSubscription('s1'), actor: 'x' });
      const settle = jest.fn(async () => ({ method: 'test' }));
      const results = await Promise.allSettled(
        [1, 2].map(periods =>
          store.transition({
            id: 's1',
            expectedVersion: 1,
            event: {
              action: 'renew',
              actor: 'u',
              from: 'active',
              to: 'active',
            },
            patch: { currentPeriodEnd: `2027-0${periods + 1}-02` },
            charges: [{ ...monthly, amountMinor: 99900 * periods }],
            settle,
          }),
        ),
      );
      const refused = results.filter(
        (r): r is PromiseRejectedResult => r.status === 'rejected',
      );
      expect(refused).toHaveLength(1);
      expect(refused[0].reason).toBeInstanceOf(ConflictError);
      expect(settle).toHaveBeenCalledTimes(1);
      expect((await store.get('s1'))!.charges).toHaveLength(1);
    });

    it('transitions on the version read, and refuses a stale one', async () => {
      const { store } = await createStore(databaseId);
      await store.create({ subscription: newSubscription('s1'), actor: 'x' });
      const updated = await store.transition({
        id: 's1',
        expectedVersion: 1,
        event: {
          action: 'cancel',
          actor: 'user:default/developer',
          from: 'active',
          to: 'expiring',
          data: { when: 'period-end' },
        },
        patch: { cancelAtPeriodEnd: true, autoRenew: false },
      });
      expect(updated).toMatchObject({
        status: 'expiring',
        version: 2,
        cancelAtPeriodEnd: true,
        autoRenew: false,
        nextRenewalPrice: undefined,
      });
      expect(updated.events.at(-1)).toMatchObject({
        action: 'cancel',
        from: 'active',
        to: 'expiring',
        data: { when: 'period-end' },
      });
      await expect(
        store.transition({
          id: 's1',
          expectedVersion: 1,
          event: { action: 'renew', actor: 'u', to: 'active' },
        }),
      ).rejects.toThrow(ConflictError);
      await expect(
        store.transition({
          id: 'nope',
          expectedVersion: 1,
          event: { action: 'renew', actor: 'u', to: 'active' },
        }),
      ).rejects.toThrow(NotFoundError);
    });

    it('appends events and signed charges', async () => {
      const { store } = await createStore(databaseId);
      await store.create({ subscription: newSubscription('s1'), actor: 'x' });
      await store.appendEvent('s1', {
        action: 'remind',
        actor: 'plugin:store',
        from: 'active',
        to: 'active',
        comment: 'Renews in 7 days',
      });
      await store.addCharges({
        subscriptionId: 's1',
        charges: [
          { ...monthly, kind: 'credit', amountMinor: -1250, description: 'c' },
          { ...monthly, kind: 'usage', amountMinor: 3, description: 'u' },
        ],
      });
      const details = await store.get('s1');
      expect(details!.events.map(e => e.action)).toEqual(['create', 'remind']);
      expect(
        details!.charges.map(c => [c.kind, c.amount.amount]).sort(),
      ).toEqual([
        ['credit', '-12.50'],
        ['usage', '0.03'],
      ]);
    });

    it('lists by owner, status and permission, in pages', async () => {
      const { store } = await createStore(databaseId);
      for (let i = 0; i < 5; i++) {
        await store.create({
          subscription: newSubscription(`s${i}`, {
            owner: i % 2 ? 'group:default/team-web' : 'group:default/team-data',
            status: i === 4 ? 'cancelled' : 'active',
          }),
          actor: 'x',
          now: new Date(Date.UTC(2026, 11, 2, 10, i)),
        });
      }
      const all: string[] = [];
      let cursor;
      do {
        const page: Awaited<ReturnType<typeof store.list>> = await store.list({
          filter: {},
          limit: 2,
          cursor,
        });
        all.push(...page.items.map(s => s.id));
        cursor = page.nextCursor;
      } while (cursor);
      expect(all).toEqual(['s4', 's3', 's2', 's1', 's0']);

      const visible = await store.list({
        filter: {},
        permissionFilter: {
          anyOf: [{ key: 'owner', values: ['group:default/team-web'] }],
        },
        limit: 10,
      });
      expect(visible.items.map(s => s.id)).toEqual(['s3', 's1']);
      const filtered = await store.list({
        filter: { owner: ['Group:default/Team-Data'], status: ['active'] },
        limit: 10,
      });
      expect(filtered.items.map(s => s.id)).toEqual(['s2', 's0']);
      expect(
        await store.get('s2', { key: 'owner', values: ['group:default/x'] }),
      ).toBeUndefined();
    });
  });
});
