import {
  mockServices,
  TestDatabaseId,
  TestDatabases,
} from '@backstage/backend-test-utils';
// eslint-disable-next-line @backstage/no-mixed-plugin-imports -- the test runs the real cloud backend
import cloudPlugin from '@internal/plugin-cloud-backend';
import localModule from '@internal/plugin-cloud-backend-module-local';
import { StackDetails } from '@internal/plugin-cloud-common';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { SubscriptionsStore } from './database/SubscriptionsStore';
import { createStoreTestBackends } from './__testUtils__/backend';
import { SERVER_JS } from './__testUtils__/cloud';
import { eventually } from './__testUtils__/eventually';
import {
  createTestPaymentsModule,
  subscriptionEntities,
} from './__testUtils__/subscriptions';

jest.setTimeout(180_000);

const DEVELOPER = 'user:default/developer';
const OWNER = 'group:default/team-web';

// At the top level, so that the databases close after the backends.
const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

describe.each(databases.eachSupportedId())(
  'subscription lifecycle on %s',
  databaseId => {
    const backends = createStoreTestBackends(databases);
    let dataDir: string;

    beforeEach(() => {
      dataDir = fs.mkdtempSync(join(os.tmpdir(), 'store-lifecycle-'));
    });
    // After the backend stopped (the hook of the test backends comes first).
    afterEach(async () => {
      fs.rmSync(dataDir, { recursive: true, force: true });
    });

    async function startBackend(id: TestDatabaseId) {
      const payments = createTestPaymentsModule();
      const backend = await backends.start(id, {
        entities: subscriptionEntities,
        features: [
          payments.module,
          cloudPlugin,
          localModule,
          mockServices.userInfo.mock({
            getUserInfo: async () => ({
              userEntityRef: DEVELOPER,
              ownershipEntityRefs: [DEVELOPER, OWNER],
            }),
          }).factory,
        ],
        config: { cloud: { local: { dataDir } } },
        now: new Date('2026-01-02T06:00:00Z'),
        // The lifecycle runs when the test says.
        runAtStart: () => false,
      });
      const { clock } = backend;
      const [lifecycle] = backend.tasks('store-subscriptions-lifecycle');
      if (!lifecycle) {
        throw new Error('The lifecycle was not scheduled');
      }
      const store = await SubscriptionsStore.create({
        database: mockServices.database({ knex: backend.storeDb }),
        skipMigrations: true,
      });
      const cloud = {
        create: async (name: string): Promise<StackDetails> => {
          const res = await backend.as(DEVELOPER, 'cloud').post('/stacks', {
            name,
            owner: OWNER,
            provider: 'local',
            region: 'local',
            spec: {
              roles: [
                {
                  name: 'app',
                  count: 1,
                  command: ['node', 'server.js'],
                  files: { 'server.js': SERVER_JS },
                },
              ],
            },
          });
          expect(res.status).toBeLessThan(300);
          return res.body;
        },
        get: async (stackId: string) =>
          backend.as(DEVELOPER, 'cloud').get(`/stacks/${stackId}`),
      };
      const nodeStatuses = async (stackId: string) => {
        const res = await cloud.get(stackId);
        expect(res.status).toBe(200);
        return (res.body as StackDetails).nodes
          .filter(n => n.status !== 'deleted')
          .map(n => n.status);
      };
      /** The lifecycle on a day, twice, as two racing instances would. */
      const runOn = async (day: string) => {
        clock.now = new Date(`${day}T06:00:00Z`);
        await Promise.all([lifecycle(), lifecycle()]);
        await lifecycle();
      };
      return { ...backend, store, cloud, nodeStatuses, runOn, payments };
    }

    async function subscribe(
      store: SubscriptionsStore,
      options: {
        status: 'active' | 'trialing';
        start: string;
        end: string;
        autoRenew?: boolean;
        stacks?: string[];
      },
    ) {
      const { subscription } = await store.create({
        subscription: {
          id: randomUUID(),
          orderId: randomUUID(),
          productRef: 'product:default/db',
          productTitle: 'Database',
          plan: {
            id: 'standard',
            title: 'Standard',
            price: { amount: '49.00', currency: 'USD', interval: 'month' },
          },
          status: options.status,
          owner: OWNER,
          costCenter: 'CC-4711',
          requester: DEVELOPER,
          stacks: options.stacks ?? [],
          startedAt: `${options.start}T10:00:00.000Z`,
          anchor: options.status === 'trialing' ? options.end : options.start,
          trialEndsAt: options.status === 'trialing' ? options.end : undefined,
          currentPeriodStart: options.start,
          currentPeriodEnd: options.end,
          autoRenew: options.autoRenew ?? true,
          cancelAtPeriodEnd: false,
        },
        actor: 'plugin:store',
        now: new Date(`${options.start}T10:00:00Z`),
      });
      return subscription;
    }

    it('reminds, renews, ends trials, suspends, resumes and terminates', async () => {
      const t = await startBackend(databaseId);
      const stack = await t.cloud.create('lifecycle-web');
      await eventually(async () =>
        expect(await t.nodeStatuses(stack.id)).toEqual(['running']),
      );

      const cancelledStack = await t.cloud.create('lifecycle-old');
      const cancelling = await subscribe(t.store, {
        status: 'active',
        start: '2026-01-01',
        end: '2026-02-01',
        stacks: [cancelledStack.id],
      });
      const renewing = await subscribe(t.store, {
        status: 'active',
        start: '2026-01-01',
        end: '2026-02-01',
      });
      const unpaid = await subscribe(t.store, {
        status: 'active',
        start: '2026-01-01',
        end: '2026-02-01',
        autoRenew: false,
        stacks: [stack.id],
      });
      const trial = await subscribe(t.store, {
        status: 'trialing',
        start: '2026-01-01',
        end: '2026-01-15',
      });
      const get = async (id: string) => (await t.store.get(id))!;
      const reminders = (id: string) =>
        t.sent
          .filter(n => n.payload.scope?.startsWith(`store-subscription:${id}`))
          .map(n => n.payload.scope!.split(':').slice(2).join(':'));

      // 30 days before the end of the period, each reminder once.
      await t.runOn('2026-01-02');
      expect(reminders(renewing.id)).toEqual(['remind:30:2026-02-01']);
      expect(reminders(unpaid.id)).toEqual(['remind:30:2026-02-01']);
      expect(t.sent[0].recipients).toEqual({
        type: 'entity',
        entityRef: OWNER,
      });
      expect(
        (await get(renewing.id)).events.filter(e => e.action === 'remind'),
      ).toEqual([
        expect.objectContaining({
          actor: 'plugin:store',
          data: { days: 30, periodEnd: '2026-02-01' },
        }),
      ]);
      // Nothing is due between reminders.
      await t.runOn('2026-01-10');
      expect(reminders(renewing.id)).toHaveLength(1);

      const cancel = await t
        .as(DEVELOPER)
        .post(`/subscriptions/${cancelling.id}/cancel`, { when: 'period-end' });
      expect(cancel.body.status).toBe('expiring');

      // The trial ends: active, the first period charged once.
      await t.runOn('2026-01-15');
      expect(await get(trial.id)).toMatchObject({
        status: 'active',
        currentPeriodStart: '2026-01-15',
        currentPeriodEnd: '2026-02-15',
        charges: [
          {
            kind: 'recurring',
            amount: { amount: '49.00', currency: 'USD' },
            periodStart: '2026-01-15',
            periodEnd: '2026-02-15',
          },
        ],
      });

      await t.runOn('2026-01-25');
      await t.runOn('2026-01-31');
      expect(reminders(renewing.id)).toEqual([
        'remind:30:2026-02-01',
        'remind:7:2026-02-01',
        'remind:1:2026-02-01',
      ]);
      const lastReminder = (id: string) =>
        t.sent.find(
          n =>
            n.payload.scope === `store-subscription:${id}:remind:1:2026-02-01`,
        )?.payload;
      expect(lastReminder(renewing.id)?.description).toMatch(
        /renews on 2026-02-01/,
      );
      expect(lastReminder(unpaid.id)).toMatchObject({
        description: expect.stringMatching(/stacks are stopped then/),
        severity: 'high',
      });

      // The end of the period: renewed and charged once, or suspended with
      // its nodes stopped in the cloud.
      await t.runOn('2026-02-01');
      const renewed = await get(renewing.id);
      expect(renewed).toMatchObject({
        status: 'active',
        currentPeriodStart: '2026-02-01',
        currentPeriodEnd: '2026-03-01',
      });
      expect(renewed.charges.map(c => c.periodStart)).toEqual(['2026-02-01']);
      expect(
        t.payments.settled.filter(s => s.subscriptionId === renewing.id),
      ).toHaveLength(1);
      expect(await get(unpaid.id)).toMatchObject({
        status: 'suspended',
        events: expect.arrayContaining([
          expect.objectContaining({
            action: 'expire',
            from: 'active',
            to: 'suspended',
          }),
        ]),
      });
      expect(await t.nodeStatuses(stack.id)).toEqual(['stopped']);
      expect(t.audited).toContain('subscription-expire:success');
      // Cancelled at the end of the period: ended, its stack deleted.
      expect(await get(cancelling.id)).toMatchObject({
        status: 'cancelled',
        endedAt: expect.any(String),
      });
      await eventually(async () => {
        const gone = await t.cloud.get(cancelledStack.id);
        expect(gone.status === 404 ? 'deleted' : gone.body.status).toBe(
          'deleted',
        );
      });

      // Renewed within grace: active again, its nodes started.
      const resumed = await t
        .as(DEVELOPER)
        .post(`/subscriptions/${unpaid.id}/renew`, { periods: 1 });
      expect(resumed.status).toBe(200);
      expect(resumed.body).toMatchObject({
        status: 'active',
        currentPeriodEnd: '2026-03-01',
      });
      expect(resumed.body.events.at(-1)).toMatchObject({
        action: 'resume',
        from: 'suspended',
        to: 'active',
      });
      await eventually(async () =>
        expect(await t.nodeStatuses(stack.id)).toEqual(['running']),
      );

      // A refused payment suspends; a period without renewal suspends; and
      // after the grace days both are terminated, the stack deleted.
      t.payments.control.failing = true;
      await t.runOn('2026-03-01');
      expect(await get(renewing.id)).toMatchObject({
        status: 'suspended',
        currentPeriodEnd: '2026-03-01',
      });
      expect((await get(renewing.id)).events.at(-1)).toMatchObject({
        action: 'suspend',
        comment: expect.stringMatching(/could not be charged/),
      });
      expect((await get(unpaid.id)).status).toBe('suspended');
      expect(await t.nodeStatuses(stack.id)).toEqual(['stopped']);

      await t.runOn('2026-03-14');
      expect((await get(unpaid.id)).status).toBe('suspended');
      // The grace days are over: the owner can no longer renew, even
      // before the job has terminated it.
      t.clock.now = new Date('2026-03-15T06:00:00Z');
      t.payments.control.failing = false;
      const tooLate = await t
        .as(DEVELOPER)
        .post(`/subscriptions/${unpaid.id}/renew`, { periods: 1 });
      expect(tooLate.status).toBe(409);
      expect(tooLate.body.error.message).toMatch(/grace period/);
      await t.runOn('2026-03-15');
      for (const id of [renewing.id, unpaid.id]) {
        const ended = await get(id);
        expect(ended.status).toBe('terminated');
        expect(ended.endedAt).toBeDefined();
        expect(ended.events.filter(e => e.action === 'terminate')).toHaveLength(
          1,
        );
      }
      await eventually(async () => {
        const gone = await t.cloud.get(stack.id);
        expect(gone.status === 404 ? 'deleted' : gone.body.status).toBe(
          'deleted',
        );
      });

      // Too late to renew once terminated.
      const late = await t
        .as(DEVELOPER)
        .post(`/subscriptions/${unpaid.id}/renew`, { periods: 1 });
      expect(late.status).toBe(409);
    });
  },
);
