import {
  mockCredentials,
  mockServices,
  TestDatabaseId,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { ConflictError } from '@backstage/errors';
import { PermissionRuleset } from '@backstage/plugin-permission-node';
import { Subscription, SubscriptionPlan } from '@internal/plugin-store-common';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { Knex } from 'knex';
import { InvoiceRaceError, InvoicesStore } from '../database/InvoicesStore';
import { SubscriptionsStore } from '../database/SubscriptionsStore';
import { UsageStore } from '../database/UsageStore';
import {
  SubscriptionPermissionQuery,
  subscriptionPermissionRules,
} from '../permissions/subscriptionRules';
import { BillingAccounts, COST_CENTER_ANNOTATION } from './BillingAccounts';
import { Invoices } from './Invoices';

jest.setTimeout(120_000);

const TEAM_A = 'group:default/team-a';
const TEAM_B = 'group:default/team-b';

const metered: SubscriptionPlan = {
  id: 'metered',
  title: 'Metered',
  price: { amount: '10.00', currency: 'USD', interval: 'month' },
  meteredPrices: [
    {
      dimension: 'node-hours',
      unit: 'hour',
      amount: '0',
      currency: 'USD',
      tiers: [{ upTo: 100, amount: '0.10' }, { amount: '0.05' }],
    },
  ],
};

const ruleset = {
  getRuleByName: () => subscriptionPermissionRules.isSubscriptionOwner,
} as unknown as PermissionRuleset<Subscription, SubscriptionPermissionQuery>;

describe('Invoices', () => {
  const databases = TestDatabases.create();

  async function setUp(databaseId: TestDatabaseId) {
    const knex = await databases.init(databaseId);
    const database = mockServices.database({ knex });
    const subscriptions = await SubscriptionsStore.create({ database });
    const usage = await UsageStore.create({ database });
    const store = await InvoicesStore.create({ database });
    const clock = { now: new Date('2026-02-05T00:00:00Z') };
    // Team A has a cost centre in the catalog, team B none.
    const teamA: Entity = {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Group',
      metadata: {
        name: 'team-a',
        namespace: 'default',
        annotations: { [COST_CENTER_ANNOTATION]: 'CC-1000' },
      },
      spec: { type: 'team', children: [] },
    };
    const accounts = BillingAccounts.create({
      catalog: catalogServiceMock({ entities: [teamA] }),
      auth: mockServices.auth(),
    });
    const invoicesOf = (invoicesStore: InvoicesStore) =>
      Invoices.create({
        store: invoicesStore,
        accounts,
        permissions: mockServices.permissions(),
        ruleset,
        logger: mockServices.logger.mock(),
        lateEventWindowDays: 3,
        now: () => clock.now,
      });

    async function subscribe(
      id: string,
      owner: string,
      charges: Array<{ kind: 'recurring' | 'proration'; amountMinor: number }>,
      now = new Date('2026-01-15T00:00:00Z'),
    ) {
      await subscriptions.create({
        subscription: {
          id,
          orderId: `order-${id}`,
          productRef: `product:default/${id}`,
          productTitle: `Product ${id}`,
          plan: metered,
          status: 'active',
          owner,
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
        charges: charges.map(c => ({
          ...c,
          description: `${c.kind} of ${id}`,
          currency: 'USD',
          periodStart: '2026-01-01',
          periodEnd: '2026-02-01',
        })),
        now,
      });
    }

    async function report(
      subscriptionId: string,
      events: Array<[id: string, hours: number, occurredAt: string]>,
    ) {
      await usage.insert(
        events.map(([id, hours, occurredAt]) => ({
          id,
          subscriptionId,
          dimension: 'node-hours',
          quantityMicro: hours * 1_000_000,
          occurredAt: new Date(occurredAt),
          period: occurredAt.slice(0, 7),
          payloadHash: id,
        })),
        new Date('2026-02-01T00:00:00Z'),
      );
    }

    return {
      knex,
      subscriptions,
      store,
      clock,
      teamA,
      invoicesOf,
      subscribe,
      report,
    };
  }

  async function openCharges(knex: Knex) {
    return knex('store_subscription_charges')
      .whereNull('invoice_id')
      .orderBy('description')
      .pluck('description');
  }

  describe.each(databases.eachSupportedId())('%p', databaseId => {
    it('issues every account of a month in one run, numbered in account order, with charges, prorations and rated usage', async () => {
      const {
        knex,
        subscriptions,
        store,
        clock,
        invoicesOf,
        subscribe,
        report,
      } = await setUp(databaseId);
      const invoices = invoicesOf(store);
      await subscribe('b', TEAM_B, [{ kind: 'recurring', amountMinor: 1000 }]);
      await subscribe('a', TEAM_A, [{ kind: 'recurring', amountMinor: 1000 }]);
      const charge = (description: string, amountMinor: number, at: string) =>
        subscriptions.addCharges({
          subscriptionId: 'a',
          charges: [
            {
              kind: amountMinor < 0 ? 'proration' : 'recurring',
              description,
              amountMinor,
              currency: 'USD',
              periodStart: at.slice(0, 10),
              periodEnd: '2026-03-01',
            },
          ],
          now: new Date(at),
        });
      await charge('proration of a', -250, '2026-01-16T00:00:00Z');
      // Made as January ended: February's.
      await charge('recurring of a in February', 1000, '2026-02-01T00:00:00Z');
      // More lines than one statement of either database takes.
      await subscribe('many', TEAM_A, []);
      const many = Array.from({ length: 6000 }, (_, i) => ({
        id: `many-${String(i).padStart(4, '0')}`,
        subscription_id: 'many',
        kind: 'recurring',
        description: `Seat ${i}`,
        amount_minor: 1,
        currency: 'USD',
        period_start: '2026-01-01',
        period_end: '2026-02-01',
        payment_method: 'none',
        invoice_id: null,
        created_at: new Date('2026-01-20T00:00:00Z'),
      }));
      for (let i = 0; i < many.length; i += 500) {
        await knex('store_subscription_charges').insert(many.slice(i, i + 500));
      }
      await report('b', [
        ['b1', 100, '2026-01-10T08:00:00Z'],
        ['b2', 50, '2026-01-31T23:00:00Z'],
        ['b3', 7, '2026-02-01T01:00:00Z'],
      ]);

      const run = await invoices.run('2026-01');
      expect(run.issued).toEqual([
        expect.objectContaining({
          number: 'INV-2026-000001',
          account: TEAM_A,
          total: { amount: '67.50', currency: 'USD' },
        }),
        expect.objectContaining({
          number: 'INV-2026-000002',
          account: TEAM_B,
          // 10.00 and 100 hours at 0.10 and 50 at 0.05.
          total: { amount: '22.50', currency: 'USD' },
        }),
      ]);
      const admin = mockCredentials.user('user:default/admin');
      const a = await invoices.get(admin, run.issued[0].id);
      expect(a.lines).toHaveLength(6002);
      expect(a.lines.slice(0, 2)).toEqual([
        expect.objectContaining({
          kind: 'recurring',
          subscriptionId: 'a',
          amount: { amount: '10.00', currency: 'USD' },
        }),
        expect.objectContaining({
          kind: 'proration',
          subscriptionId: 'a',
          amount: { amount: '-2.50', currency: 'USD' },
        }),
      ]);
      expect(a.lines.at(-1)).toMatchObject({ description: 'Seat 5999' });
      const b = await invoices.get(admin, run.issued[1].id);
      expect(b.lines).toEqual([
        expect.objectContaining({ kind: 'recurring' }),
        expect.objectContaining({
          kind: 'usage',
          dimension: 'node-hours',
          quantity: '150',
          amount: { amount: '12.50', currency: 'USD' },
        }),
      ]);
      // Each charge is on the invoice of its line.
      const lines = await knex('store_invoice_lines')
        .join(
          'store_subscription_charges as c',
          'c.id',
          'store_invoice_lines.charge_id',
        )
        .select('store_invoice_lines.invoice_id', 'c.invoice_id as charged');
      expect(lines).toHaveLength(6003);
      expect(lines.filter(l => l.invoice_id !== l.charged)).toEqual([]);
      expect(await openCharges(knex)).toEqual(['recurring of a in February']);

      expect(await invoices.run('2026-01')).toEqual({
        period: '2026-01',
        issued: [],
      });

      clock.now = new Date('2026-03-05T00:00:00Z');
      const february = await invoices.run('2026-02');
      expect(
        february.issued.map(i => [i.account, i.number, i.total.amount]),
      ).toEqual([
        [TEAM_A, 'INV-2026-000003', '10.00'],
        [TEAM_B, 'INV-2026-000004', '0.70'],
      ]);
      expect(await openCharges(knex)).toEqual([]);
    });

    it('runs again when another run invoiced some of the charges first, and writes nothing before', async () => {
      const { knex, store, invoicesOf, subscribe } = await setUp(databaseId);
      await subscribe('a', TEAM_A, [{ kind: 'recurring', amountMinor: 1000 }]);
      await subscribe('b', TEAM_B, [{ kind: 'recurring', amountMinor: 500 }]);
      const [chargeOfB] = await knex('store_subscription_charges')
        .where({ subscription_id: 'b' })
        .pluck('id');
      const issue = store.issue.bind(store);
      const spy = jest
        .spyOn(store, 'issue')
        .mockImplementationOnce(async run => {
          // Another run has written its line of b's charge, and not yet
          // the charge's invoice, when this one writes its own.
          await knex('store_invoice_lines').insert({
            id: 'line-elsewhere',
            invoice_id: 'elsewhere',
            position: 0,
            kind: 'recurring',
            description: 'recurring of b',
            subscription_id: 'b',
            product_ref: 'product:default/b',
            product_title: 'Product b',
            charge_id: chargeOfB,
            amount_minor: 500,
            currency: 'USD',
          });
          const attempt = issue(run);
          await expect(attempt).rejects.toBeInstanceOf(InvoiceRaceError);
          expect(await knex('store_invoices').pluck('id')).toEqual([]);
          expect(await knex('store_invoice_lines').pluck('id')).toEqual([
            'line-elsewhere',
          ]);
          await knex('store_subscription_charges')
            .where({ id: chargeOfB })
            .update({ invoice_id: 'elsewhere' });
          return attempt;
        });

      const run = await invoicesOf(store).run('2026-01');
      expect(spy).toHaveBeenCalledTimes(2);
      // Numbered without a gap for the attempt that wrote nothing.
      expect(run.issued.map(i => [i.account, i.number])).toEqual([
        [TEAM_A, 'INV-2026-000001'],
      ]);
    });

    it('issues each invoice to the cost centre its account has then, and keeps it when the group changes', async () => {
      const { knex, store, clock, teamA, invoicesOf, subscribe } = await setUp(
        databaseId,
      );
      const invoices = invoicesOf(store);
      await subscribe('a', TEAM_A, [{ kind: 'recurring', amountMinor: 1000 }]);
      await subscribe('b', TEAM_B, [{ kind: 'recurring', amountMinor: 500 }]);
      const january = await invoices.run('2026-01');
      expect(january.issued.map(i => [i.account, i.costCenter])).toEqual([
        [TEAM_A, 'CC-1000'],
        [TEAM_B, undefined],
      ]);

      // Team A moves to another cost centre: January's invoice stays
      // issued to the old one, February's goes to the new one.
      teamA.metadata.annotations![COST_CENTER_ANNOTATION] = 'CC-2000';
      const admin = mockCredentials.user('user:default/admin');
      const [issued] = january.issued;
      expect(await invoices.get(admin, issued.id)).toMatchObject({
        costCenter: 'CC-1000',
      });
      expect((await invoices.list({ credentials: admin })).items).toEqual([
        expect.objectContaining({ account: TEAM_B }),
        expect.objectContaining({ account: TEAM_A, costCenter: 'CC-1000' }),
      ]);
      const csv = (await invoices.csv(admin, issued.id)).split('\r\n');
      expect(csv[0]).toMatch(/^invoice,period,account,cost_centre,kind,/);
      expect(csv[1]).toMatch(
        /^INV-2026-000001,2026-01,group:default\/team-a,CC-1000,recurring,/,
      );
      await knex('store_subscription_charges').insert({
        id: 'february-a',
        subscription_id: 'a',
        kind: 'recurring',
        description: 'recurring of a in February',
        amount_minor: 1000,
        currency: 'USD',
        period_start: '2026-02-01',
        period_end: '2026-03-01',
        payment_method: 'none',
        invoice_id: null,
        created_at: new Date('2026-02-01T00:00:00Z'),
      });
      clock.now = new Date('2026-03-05T00:00:00Z');
      const february = await invoices.run('2026-02');
      expect(february.issued.map(i => [i.account, i.costCenter])).toEqual([
        [TEAM_A, 'CC-2000'],
      ]);
      expect(await invoices.get(admin, issued.id)).toMatchObject({
        costCenter: 'CC-1000',
      });
      // The database keeps it from changing, as all of an issued invoice.
      expect(
        await knex('store_invoices')
          .where({ id: issued.id })
          .update({ cost_center: 'CC-2000' })
          .then(
            () => 'changed',
            error => String(error),
          ),
      ).toMatch(/cannot change/);
    });

    it('gives up with a conflict when other runs keep taking the charges', async () => {
      const { store, invoicesOf, subscribe } = await setUp(databaseId);
      await subscribe('a', TEAM_A, [{ kind: 'recurring', amountMinor: 1000 }]);
      const spy = jest
        .spyOn(store, 'issue')
        .mockRejectedValue(new InvoiceRaceError());
      await expect(invoicesOf(store).run('2026-01')).rejects.toBeInstanceOf(
        ConflictError,
      );
      expect(spy).toHaveBeenCalledTimes(3);
    });

    it('lets runs on two instances take turns, numbering each invoice once', async () => {
      const { knex, invoicesOf, subscribe, report } = await setUp(databaseId);
      const database = mockServices.database({ knex });
      await subscribe('a', TEAM_A, [{ kind: 'recurring', amountMinor: 1000 }]);
      await subscribe('b', TEAM_B, []);
      await report('b', [['b1', 10, '2026-01-10T08:00:00Z']]);
      const [one, two] = await Promise.all([
        invoicesOf(await InvoicesStore.create({ database })).run('2026-01'),
        invoicesOf(await InvoicesStore.create({ database })).run('2026-01'),
      ]);
      expect(
        [...one.issued, ...two.issued].map(i => [i.account, i.number]).sort(),
      ).toEqual([
        [TEAM_A, 'INV-2026-000001'],
        [TEAM_B, 'INV-2026-000002'],
      ]);
      expect(
        await knex('store_billing_counters').where({ name: 'INV-2026' }),
      ).toEqual([{ name: 'INV-2026', value: 2 }]);
    });
  });
});
