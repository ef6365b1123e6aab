import {
  mockCredentials,
  mockServices,
  startTestBackend,
  TestDatabaseId,
  TestDatabases,
} from '@backstage/backend-test-utils';
import {
  BackstageCredentials,
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import {
  AuthorizePermissionRequest,
  AuthorizeResult,
  QueryPermissionRequest,
} from '@backstage/plugin-permission-common';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { notificationService } from '@backstage/plugin-notifications-node';
import scaffolderPlugin from '@backstage/plugin-scaffolder-backend';
import {
  consumerSubscriptionVisibility,
  STORE_SUBSCRIPTION_RESOURCE_TYPE,
  storeOrderAdminPermission,
} from '@internal/plugin-store-common';
import request from 'supertest';
import { billingEntities } from './__testUtils__/billing';
import { createFakeCloudPlugin } from './__testUtils__/cloud';
import { storeClockServiceRef } from '@internal/plugin-store-node';
import { storePlugin } from './plugin';

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

function userOf(credentials: BackstageCredentials) {
  return (credentials.principal as { userEntityRef?: string }).userEntityRef;
}

// At the top level, so that the databases close after the backends.
const databases = TestDatabases.create();

describe('store billing', () => {
  const running = new Set<() => Promise<void>>();
  afterEach(async () => {
    await Promise.all([...running].map(stop => stop()));
  });

  async function startBackend(databaseId: TestDatabaseId) {
    const knexes = {
      store: await databases.init(databaseId),
      scaffolder: await databases.init(databaseId),
    };
    const clock = { now: new Date('2026-01-10T10:00:00Z') };
    const scheduled: string[] = [];
    const scheduler = mockServices.scheduler.mock({
      scheduleTask: jest.fn(async task => {
        scheduled.push(task.id);
        if (task.id.startsWith('store-product-index')) {
          await (task.fn as () => Promise<void>)();
        }
      }),
    });
    // Only the platform admin is a store administrator; members see the
    // billing of their groups, as the store policy answers.
    const permissions = mockServices.permissions.mock({
      authorize: jest.fn(
        async (
          requests: AuthorizePermissionRequest[],
          { credentials }: { credentials: BackstageCredentials },
        ) =>
          requests.map(r => ({
            result:
              r.permission.name !== storeOrderAdminPermission.name ||
              userOf(credentials) === ADMIN
                ? AuthorizeResult.ALLOW
                : AuthorizeResult.DENY,
          })),
      ) as never,
      authorizeConditional: jest.fn(
        async (
          requests: QueryPermissionRequest[],
          { credentials }: { credentials: BackstageCredentials },
        ) =>
          requests.map(r => {
            const user = userOf(credentials)!;
            if (
              r.permission.resourceType !== STORE_SUBSCRIPTION_RESOURCE_TYPE ||
              user === ADMIN
            ) {
              return { result: AuthorizeResult.ALLOW };
            }
            return {
              result: AuthorizeResult.CONDITIONAL,
              pluginId: 'store',
              resourceType: STORE_SUBSCRIPTION_RESOURCE_TYPE,
              conditions: consumerSubscriptionVisibility({
                claims: [user, GROUPS[user]],
              }),
            };
          }),
      ) as never,
    });
    const backend = await startTestBackend({
      features: [
        createFakeCloudPlugin(),
        storePlugin,
        scaffolderPlugin,
        mockServices.rootConfig.factory({ data: {} }),
        createServiceFactory({
          service: coreServices.database,
          deps: { plugin: coreServices.pluginMetadata },
          factory: ({ plugin }) =>
            mockServices.database({
              knex: knexes[plugin.getId() as 'store' | 'scaffolder'],
            }),
        }),
        createServiceFactory({
          service: storeClockServiceRef,
          deps: {},
          factory: () => ({ now: () => clock.now }),
        }),
        catalogServiceMock.factory({ entities: billingEntities }),
        permissions.factory,
        scheduler.factory,
        createServiceFactory({
          service: notificationService,
          deps: {},
          factory: () => ({ send: async () => {} }),
        }),
      ],
    });
    const stop = async () => {
      if (running.delete(stop)) {
        await backend.stop();
      }
    };
    running.add(stop);

    const call = (authorization: string) => {
      const url = (path: string) => `/api/store${path}`;
      return {
        get: (path: string) =>
          request(backend.server)
            .get(url(path))
            .set('Authorization', authorization),
        post: (path: string, body: object = {}) =>
          request(backend.server)
            .post(url(path))
            .set('Authorization', authorization)
            .send(body),
      };
    };
    const as = (user: string) => call(mockCredentials.user.header(user));
    const asService = call(
      mockCredentials.service.header({
        onBehalfOf: mockCredentials.service(CLOUD),
        targetPluginId: 'store',
      }),
    );

    /** Orders a plan for a user's group and waits for its subscription. */
    async function subscribe(user: string, plan: string, name: string) {
      const created = await as(user).post('/orders', {
        product: `product:default/${plan === 'metered' ? 'vm' : 'db'}`,
        plan,
        provider: 'local',
        parameters: { name, owner: GROUPS[user] },
      });
      expect(created.status).toBe(201);
      const deadline = Date.now() + 60_000;
      for (;;) {
        const list = await as(ADMIN).get('/subscriptions');
        const found = list.body.items?.find(
          (s: { orderId: string }) => s.orderId === created.body.id,
        );
        if (found) {
          return found as { id: string; stacks: string[] };
        }
        const order = await as(user).get(`/orders/${created.body.id}`);
        if (['failed', 'rejected'].includes(order.body.status)) {
          throw new Error(`Order ${created.body.id} is ${order.body.status}`);
        }
        if (Date.now() > deadline) {
          throw new Error(`Order ${created.body.id} started no subscription`);
        }
        await new Promise(resolve => setTimeout(resolve, 50));
      }
    }

    return {
      as,
      asService,
      subscribe,
      clock,
      scheduled,
      storeDb: knexes.store,
    };
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
      const { as, asService, subscribe, clock, storeDb } = await startBackend(
        databaseId,
      );
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

      expect(
        (await as(DEVELOPER).post('/invoices/run', { period: '2026-01' }))
          .status,
      ).toBe(403);
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

      const [dataInvoice, webInvoice] = run.body.issued;
      const invoice = await as(DEVELOPER).get(`/invoices/${webInvoice.id}`);
      expect(invoice.status).toBe(200);
      // 100 node-hours at 0.10 and 20.5 at 0.05 = 11.025, rounded once.
      expect(invoice.body).toMatchObject({
        number: 'INV-2026-000002',
        account: TEAM_WEB,
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
        'invoice,period,account,kind,subscription,product,description,dimension,quantity,amount,currency',
      );
      expect(rows[2]).toMatch(
        /^INV-2026-000002,2026-01,.*,node-hours,120\.5,11\.03,USD$/,
      );

      // February: only the data team used something.
      clock.now = new Date('2026-03-05T00:00:00Z');
      const february = await as(ADMIN).post('/invoices/run', {
        period: '2026-02',
      });
      expect(
        february.body.issued.map((i: { number: string }) => i.number),
      ).toEqual(['INV-2026-000003']);

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
