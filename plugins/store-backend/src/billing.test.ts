import {
  mockCredentials,
  TestDatabaseId,
  TestDatabases,
} from '@backstage/backend-test-utils';
import scaffolderPlugin from '@backstage/plugin-scaffolder-backend';
import {
  createStoreTestBackends,
  onlyAdminAdministers,
  subscriptionsOfGroups,
} from './__testUtils__/backend';
import { billingEntities } from './__testUtils__/billing';
import { createFakeCloudPlugin } from './__testUtils__/cloud';
import { subscriptionOfOrder } from './__testUtils__/subscriptions';

jest.setTimeout(120_000);

const DEVELOPER = 'user:default/developer';
const OUTSIDER = 'user:default/outsider';
const ADMIN = 'user:default/platform-admin';
const TEAM_WEB = 'group:default/team-web';
const TEAM_DATA = 'group:default/team-data';
const GROUPS: Record<string, string> = {
  [DEVELOPER]: TEAM_WEB,
  [OUTSIDER]: TEAM_DATA,
};
const CLOUD = 'plugin:cloud';

// At the top level, so that the databases close after the backends.
const databases = TestDatabases.create();

describe('store billing', () => {
  const backends = createStoreTestBackends(databases);

  async function startBackend(databaseId: TestDatabaseId) {
    // The backend's own copies, for a test to change a group.
    const entities = structuredClone(billingEntities);
    const backend = await backends.start(databaseId, {
      entities,
      features: [createFakeCloudPlugin(), scaffolderPlugin],
      now: new Date('2026-01-10T10:00:00Z'),
      // Only the platform admin is a store administrator; members see the
      // billing of their groups, as the store policy answers.
      authorize: onlyAdminAdministers(ADMIN),
      authorizeConditional: subscriptionsOfGroups(ADMIN, GROUPS),
    });
    const asService = backend.client(
      mockCredentials.service.header({
        onBehalfOf: mockCredentials.service(CLOUD),
        targetPluginId: 'store',
      }),
    );

    /** Orders a plan for a user's group and waits for its subscription. */
    const subscribe = (user: string, plan: string, name: string) =>
      subscriptionOfOrder(backend, {
        user,
        admin: ADMIN,
        order: {
          product: `product:default/${plan === 'metered' ? 'vm' : 'db'}`,
          plan,
          provider: 'local',
          parameters: { name, owner: GROUPS[user] },
        },
      });

    return { ...backend, entities, asService, subscribe };
  }

  describe.each(databases.eachSupportedId())('%p', databaseId => {
    it('takes usage once per event id and rejects what it cannot bill', async () => {
      const { as, asService, subscribe, scheduled } = await startBackend(
        databaseId,
      );
      expect(scheduled).toContain('store-billing-invoices');
      const web = await subscribe(DEVELOPER, 'metered', 'web');
      const db = await subscribe(DEVELOPER, 'standard', 'plain');
      expect(web.stacks).toEqual(['st-web']);

      const event = {
        id: 'e1',
        stackId: 'st-web',
        dimension: 'node-hours',
        quantity: '2.5',
        occurredAt: '2026-01-10T08:00:00Z',
      };
      const first = await asService.post('/usage', {
        events: [
          event,
          { ...event, id: 'e2', stackId: undefined, subscriptionId: web.id },
          { ...event, id: 'e3', stackId: 'st-unknown' },
          { ...event, id: 'e4', dimension: 'gpu-hours' },
          { ...event, id: 'e5', stackId: 'st-plain' },
          { ...event, id: 'e6', occurredAt: '2026-01-10T10:30:00Z' },
          { ...event, id: 'e7', occurredAt: '2025-12-31T23:00:00Z' },
          { ...event, id: 'e8', quantity: '1.0000001' },
          { ...event, id: 'e1' },
          { ...event, id: 'e1', quantity: '3' },
        ],
      });
      expect(first.status).toBe(200);
      expect(first.body).toEqual({
        accepted: 2,
        duplicates: 1,
        rejected: [
          { id: 'e3', reason: 'Stack st-unknown belongs to no subscription' },
          {
            id: 'e4',
            reason: `The plan of subscription ${web.id} does not meter gpu-hours`,
          },
          {
            id: 'e5',
            reason: `The plan of subscription ${db.id} does not meter node-hours`,
          },
          { id: 'e6', reason: expect.stringMatching(/in the future/) },
          { id: 'e7', reason: expect.stringMatching(/closed to usage/) },
          { id: 'e8', reason: expect.stringMatching(/at most 6 decimals/) },
          { id: 'e1', reason: 'Event e1 was reported with another content' },
        ],
      });

      // A retry of the whole batch counts nothing twice.
      const again = await asService.post('/usage', {
        events: [event, { ...event, id: 'e9' }, { ...event, quantity: '9' }],
      });
      expect(again.body).toEqual({
        accepted: 1,
        duplicates: 1,
        rejected: [
          { id: 'e1', reason: 'Event e1 was reported with another content' },
        ],
      });
      const changed = await asService.post('/usage', {
        events: [{ ...event, quantity: '9' }],
      });
      expect(changed.body).toEqual({
        accepted: 0,
        duplicates: 0,
        rejected: [
          {
            id: 'e1',
            reason: 'Event e1 was reported before with another content',
          },
        ],
      });

      // Users may not report what their groups are billed for; admins may.
      expect(
        (await as(DEVELOPER).post('/usage', { events: [event] })).status,
      ).toBe(403);
      const admin = await as(ADMIN).post('/usage', { events: [event] });
      expect(admin.body).toEqual({ accepted: 0, duplicates: 1, rejected: [] });
      expect((await asService.post('/usage', { events: [] })).status).toBe(400);
    });

    it('invoices a month once per account, numbered without gaps, and corrects with credit notes', async () => {
      const {
        as,
        asService,
        subscribe,
        clock,
        storeDb,
        tasks,
        audited,
        entities,
      } = await startBackend(databaseId);
      const web = await subscribe(DEVELOPER, 'metered', 'web');
      const data = await subscribe(OUTSIDER, 'metered', 'data');
      const usage = (
        id: string,
        stackId: string,
        quantity: string,
        occurredAt: string,
      ) => ({ id, stackId, dimension: 'node-hours', quantity, occurredAt });
      await asService.post('/usage', {
        events: [
          usage('w1', 'st-web', '80', '2026-01-10T08:00:00Z'),
          usage('w2', 'st-web', '40.5', '2026-01-10T09:00:00Z'),
          usage('d1', 'st-data', '10', '2026-01-10T09:00:00Z'),
        ],
      });

      // Usage may come late within three days of the end of the month.
      clock.now = new Date('2026-02-02T00:00:00Z');
      const late = await asService.post('/usage', {
        events: [
          usage('d2', 'st-data', '0.25', '2026-01-31T23:00:00Z'),
          usage('d3', 'st-data', '5', '2026-02-01T12:00:00Z'),
        ],
      });
      expect(late.body.accepted).toBe(2);

      // Only administrators run invoices; finance and members do not.
      for (const user of [DEVELOPER, OUTSIDER]) {
        expect(
          (await as(user).post('/invoices/run', { period: '2026-01' })).status,
        ).toBe(403);
      }
      expect(await storeDb('store_invoices').pluck('id')).toEqual([]);
      expect(
        (await as(ADMIN).post('/invoices/run', { period: '2026-02' })).status,
      ).toBe(400);
      const run = await as(ADMIN).post('/invoices/run', { period: '2026-01' });
      expect(run.status).toBe(200);
      expect(
        run.body.issued.map((i: { number: string; account: string }) => [
          i.account,
          i.number,
        ]),
      ).toEqual([
        [TEAM_DATA, 'INV-2026-000001'],
        [TEAM_WEB, 'INV-2026-000002'],
      ]);
      const rerun = await as(ADMIN).post('/invoices/run', {
        period: '2026-01',
      });
      expect(rerun.body).toEqual({ period: '2026-01', issued: [] });
      expect(audited.filter(e => e.startsWith('invoice-run:'))).toEqual([
        'invoice-run:fail',
        'invoice-run:fail',
        'invoice-run:fail',
        'invoice-run:success',
        'invoice-run:success',
      ]);
      // Each invoice is issued to its group's cost centre of the moment:
      // team-web's annotation names one, team-data has none.
      expect(
        run.body.issued.map((i: { costCenter?: string }) => i.costCenter),
      ).toEqual([undefined, 'CC-4711']);
      const webGroup = entities.find(e => e.metadata.name === 'team-web')!;
      webGroup.metadata.annotations!['cloudstore.io/cost-center'] = 'CC-9999';

      const [dataInvoice, webInvoice] = run.body.issued;
      const invoice = await as(DEVELOPER).get(`/invoices/${webInvoice.id}`);
      expect(invoice.status).toBe(200);
      // 100 node-hours at 0.10 and 20.5 at 0.05 = 11.025, rounded once.
      expect(invoice.body).toMatchObject({
        number: 'INV-2026-000002',
        account: TEAM_WEB,
        // As it was issued, though the group has another cost centre now.
        costCenter: 'CC-4711',
        period: '2026-01',
        status: 'issued',
        total: { amount: '21.03', currency: 'USD' },
        credited: { amount: '0.00', currency: 'USD' },
        lines: [
          {
            kind: 'recurring',
            subscriptionId: web.id,
            productRef: 'product:default/vm',
            amount: { amount: '10.00', currency: 'USD' },
          },
          {
            kind: 'usage',
            subscriptionId: web.id,
            dimension: 'node-hours',
            quantity: '120.5',
            amount: { amount: '11.03', currency: 'USD' },
          },
        ],
        creditNotes: [],
      });
      const data2 = await as(OUTSIDER).get(`/invoices/${dataInvoice.id}`);
      expect(data2.body.lines[1]).toMatchObject({
        subscriptionId: data.id,
        quantity: '10.25',
        amount: { amount: '1.03', currency: 'USD' },
      });

      // Another group's invoice does not exist for the developer.
      expect(
        (await as(DEVELOPER).get(`/invoices/${dataInvoice.id}`)).status,
      ).toBe(404);
      expect(
        (await as(DEVELOPER).get(`/invoices/${dataInvoice.id}/csv`)).status,
      ).toBe(404);
      const mine = await as(DEVELOPER).get('/invoices');
      expect(mine.body.items.map((i: { id: string }) => i.id)).toEqual([
        webInvoice.id,
      ]);
      const page = await as(ADMIN).get('/invoices?limit=1');
      expect(page.body.items[0].number).toBe('INV-2026-000002');
      const next = await as(ADMIN).get(
        `/invoices?limit=1&cursor=${page.body.nextCursor}`,
      );
      expect(next.body).toEqual({
        items: [expect.objectContaining({ number: 'INV-2026-000001' })],
      });

      const csv = await as(DEVELOPER).get(`/invoices/${webInvoice.id}/csv`);
      expect(csv.status).toBe(200);
      expect(csv.headers['content-type']).toMatch(/^text\/csv/);
      const rows = csv.text.trim().split('\r\n');
      expect(rows[0]).toBe(
        'invoice,period,account,cost_centre,kind,subscription,product,description,dimension,quantity,amount,currency',
      );
      expect(rows[2]).toMatch(
        /^INV-2026-000002,2026-01,group:default\/team-web,CC-4711,usage,.*,node-hours,120\.5,11\.03,USD$/,
      );
      expect(
        (await as(ADMIN).get('/invoices')).body.items.map(
          (i: { number: string; costCenter?: string }) => [
            i.number,
            i.costCenter,
          ],
        ),
      ).toEqual([
        ['INV-2026-000002', 'CC-4711'],
        ['INV-2026-000001', undefined],
      ]);

      // February: only the data team used something. The scheduled job
      // invoices the latest month whose late-usage window has closed, once.
      clock.now = new Date('2026-03-05T00:00:00Z');
      const [invoiceJob] = tasks('store-billing-invoices');
      await invoiceJob();
      await invoiceJob();
      const february = await as(ADMIN).get('/invoices?period=2026-02');
      expect(
        february.body.items.map((i: { number: string; account: string }) => [
          i.account,
          i.number,
        ]),
      ).toEqual([[TEAM_DATA, 'INV-2026-000003']]);

      // Issued invoices never change; corrections are credit notes.
      expect(
        (
          await as(DEVELOPER).post(`/invoices/${webInvoice.id}/credit-notes`, {
            reason: 'Outage',
            lines: [{ description: 'Outage credit', amount: '5.00' }],
          })
        ).status,
      ).toBe(403);
      const note = await as(ADMIN).post(
        `/invoices/${webInvoice.id}/credit-notes`,
        {
          reason: 'Outage on 2026-01-10',
          lines: [
            { description: 'Outage credit', amount: '5.00' },
            { description: 'Goodwill', amount: '1.50' },
          ],
        },
      );
      expect(note.status).toBe(201);
      expect(note.body).toMatchObject({
        number: 'CN-2026-000001',
        invoiceId: webInvoice.id,
        total: { amount: '6.50', currency: 'USD' },
        createdBy: ADMIN,
      });
      const tooMuch = await as(ADMIN).post(
        `/invoices/${webInvoice.id}/credit-notes`,
        {
          reason: 'Again',
          lines: [{ description: 'More', amount: '14.54' }],
        },
      );
      expect(tooMuch.status).toBe(400);
      const credited = await as(DEVELOPER).get(`/invoices/${webInvoice.id}`);
      expect(credited.body).toMatchObject({
        total: { amount: '21.03', currency: 'USD' },
        credited: { amount: '6.50', currency: 'USD' },
        creditNotes: [{ number: 'CN-2026-000001' }],
      });
      // The database's own refusal of changes is tested with the migration.
      expect(
        (await storeDb('store_invoices').where({ id: webInvoice.id }).first())
          .total_minor,
      ).toEqual(expect.anything());

      // Costs: by account, drilled down to the products of one, by month.
      const costs = (query: string, user = ADMIN) =>
        as(user).get(`/billing/costs?from=2026-01&to=2026-02&${query}`);
      expect((await costs('groupBy=account')).body).toEqual({
        currency: 'USD',
        rows: [
          { key: TEAM_DATA, label: TEAM_DATA, amount: '11.53' },
          { key: TEAM_WEB, label: TEAM_WEB, amount: '21.03' },
        ],
      });
      expect(
        (
          await costs(
            `groupBy=product&account=${encodeURIComponent(TEAM_DATA)}`,
          )
        ).body.rows,
      ).toEqual([{ key: 'product:default/vm', label: 'vm', amount: '11.53' }]);
      expect((await costs('groupBy=month')).body.rows).toEqual([
        { key: '2026-01', label: '2026-01', amount: '32.06' },
        { key: '2026-02', label: '2026-02', amount: '0.50' },
      ]);
      expect((await costs('groupBy=account', DEVELOPER)).body.rows).toEqual([
        { key: TEAM_WEB, label: TEAM_WEB, amount: '21.03' },
      ]);
      expect((await costs('groupBy=customer')).status).toBe(400);
    });
  });
});
