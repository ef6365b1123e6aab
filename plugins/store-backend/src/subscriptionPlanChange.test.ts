import {
  mockCredentials,
  mockServices,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
// eslint-disable-next-line @backstage/no-mixed-plugin-imports -- the test runs the real cloud backend
import cloudPlugin from '@internal/plugin-cloud-backend';
import localModule from '@internal/plugin-cloud-backend-module-local';
import {
  cloudStackLimitsManagePermission,
  StackDetails,
} from '@internal/plugin-cloud-common';
import {
  planStackLimits,
  ProductPlan,
  SubscriptionDetails,
} from '@internal/plugin-store-common';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { SubscriptionsStore } from './database/SubscriptionsStore';
import { createStoreTestBackends } from './__testUtils__/backend';
import { SERVER_JS } from './__testUtils__/cloud';
import { eventually } from './__testUtils__/eventually';
import { makeProduct } from './__testUtils__/products';
import {
  createTestPaymentsModule,
  subscriptionEntities,
} from './__testUtils__/subscriptions';

jest.setTimeout(240_000);

const DEVELOPER = 'user:default/developer';
const OWNER = 'group:default/team-web';

/** The plans of a web product: Standard and Enterprise size the app role. */
const PLANS: ProductPlan[] = [
  {
    id: 'small',
    title: 'Small',
    price: { amount: '10.00', currency: 'USD', interval: 'month' },
    limits: { instances: 1 },
  },
  {
    id: 'standard',
    title: 'Standard',
    price: { amount: '49.00', currency: 'USD', interval: 'month' },
    limits: { instances: 2 },
    nodes: { app: 2 },
  },
  {
    id: 'enterprise',
    title: 'Enterprise',
    price: { amount: '999.00', currency: 'USD', interval: 'month' },
    limits: { instances: 6 },
    nodes: { app: 4 },
  },
];

// At the top level, so that the databases close after the backends.
const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

describe.each(databases.eachSupportedId())(
  'plan changes that resize stacks on %s',
  databaseId => {
    const backends = createStoreTestBackends(databases);
    let dataDir: string;

    beforeEach(() => {
      dataDir = fs.mkdtempSync(join(os.tmpdir(), 'store-plan-change-'));
    });
    // After the backend stopped (the hook of the test backends comes first).
    afterEach(async () => {
      fs.rmSync(dataDir, { recursive: true, force: true });
    });

    /**
     * A backend with the real cloud, a subscription of the web product on
     * the Standard plan and its stack of two app nodes, deployed with the
     * plan's limits as the store's order would have.
     */
    async function start() {
      const payments = createTestPaymentsModule();
      const backend = await backends.start(databaseId, {
        entities: [
          ...subscriptionEntities,
          makeProduct('web', {
            approval: { policy: 'none' },
            plans: PLANS,
          }),
        ],
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
        // As the store policy answers: users may not replace the limits of
        // stacks, services (the store) may.
        authorize: (r, user) => ({
          result:
            r.permission.name === cloudStackLimitsManagePermission.name && user
              ? AuthorizeResult.DENY
              : AuthorizeResult.ALLOW,
        }),
        config: { cloud: { local: { dataDir } } },
        now: new Date('2026-01-02T06:00:00Z'),
      });
      const service = backend.client(mockCredentials.service.header(), 'cloud');
      const deployed = await service.post('/stacks', {
        name: `web-${randomUUID().slice(0, 8)}`,
        owner: OWNER,
        provider: 'local',
        region: 'local',
        spec: {
          roles: [
            {
              name: 'app',
              count: 2,
              command: ['node', 'server.js'],
              files: { 'server.js': SERVER_JS },
            },
          ],
        },
        limits: planStackLimits(PLANS, 'standard'),
      });
      expect(deployed.status).toBe(201);
      const stackId: string = deployed.body.id;

      const store = await SubscriptionsStore.create({
        database: mockServices.database({ knex: backend.storeDb }),
        skipMigrations: true,
      });
      const { subscription } = await store.create({
        subscription: {
          id: randomUUID(),
          orderId: randomUUID(),
          productRef: 'product:default/web',
          productTitle: 'web',
          plan: { ...PLANS[1] },
          status: 'active',
          owner: OWNER,
          costCenter: 'CC-4711',
          requester: DEVELOPER,
          stacks: [stackId],
          startedAt: '2026-01-01T10:00:00.000Z',
          anchor: '2026-01-01',
          currentPeriodStart: '2026-01-01',
          currentPeriodEnd: '2026-02-01',
          autoRenew: true,
          cancelAtPeriodEnd: false,
        },
        actor: 'plugin:store',
        now: new Date('2026-01-01T10:00:00Z'),
      });

      const developer = backend.as(DEVELOPER);
      const stack = async (): Promise<StackDetails> => {
        const res = await backend
          .as(DEVELOPER, 'cloud')
          .get(`/stacks/${stackId}`);
        expect(res.status).toBe(200);
        return res.body;
      };
      /** The statuses of the app nodes, once they are all running. */
      const appNodes = async (count: number) =>
        eventually(async () => {
          const nodes = (await stack()).nodes.filter(n => n.role === 'app');
          expect(nodes.map(n => n.status)).toEqual(
            Array(count).fill('running'),
          );
        }, 60_000);
      const scale = (count: number) =>
        backend
          .as(DEVELOPER, 'cloud')
          .post(`/stacks/${stackId}/scale`, { role: 'app', count });
      const path = `/subscriptions/${subscription.id}`;
      const subscriptionNow = async (): Promise<SubscriptionDetails> =>
        (await developer.get(path)).body;
      await appNodes(2);
      return {
        ...backend,
        payments,
        stackId,
        path,
        developer,
        service,
        stack,
        appNodes,
        scale,
        subscriptionNow,
      };
    }

    it('scales the stack up and down with the plan, and refuses a downgrade that would leave it too big before charging anything', async () => {
      const t = await start();
      const name = (await t.stack()).name;

      // On Standard, the stack may not grow past two app nodes.
      const refused = await t.scale(3);
      expect(refused.status).toBe(400);
      expect(refused.body.error.message).toMatch(
        /plan allows at most 2 instances.*order the Enterprise plan/,
      );

      // The quote says what happens to the stack, from its running nodes.
      const quote = await t.developer.post(`${t.path}/quote`, {
        action: 'change-plan',
        planId: 'enterprise',
      });
      expect(quote.status).toBe(200);
      expect(quote.body.stackChanges).toEqual([
        'instances: 2 → 6',
        `${name}: app: 2 → 4 nodes`,
      ]);

      const upgraded = await t.developer.post(`${t.path}/change-plan`, {
        planId: 'enterprise',
      });
      expect(upgraded.status).toBe(200);
      expect(upgraded.body).toMatchObject({
        plan: { id: 'enterprise', nodes: { app: 4 } },
        charges: [{ kind: 'proration' }],
      });
      expect(upgraded.body.events.at(-1)).toMatchObject({
        action: 'change-plan',
        data: { stacks: ['instances: 2 → 6', `${name}: app: 2 → 4 nodes`] },
      });
      expect(t.payments.settled).toHaveLength(1);
      await t.appNodes(4);
      expect((await t.stack()).limits).toMatchObject({ instances: 6 });
      expect(t.audited).toEqual(
        expect.arrayContaining([
          'stack-limits-update:success',
          'stack-scale:success',
          'subscription-change-plan:success',
        ]),
      );

      // The new plan's limits bind at once: six app nodes, not seven.
      expect((await t.scale(6)).status).toBe(200);
      await t.appNodes(6);
      expect((await t.scale(7)).status).toBe(400);

      // Back to Standard: two app nodes and its limits, a credit.
      const downgraded = await t.developer.post(`${t.path}/change-plan`, {
        planId: 'standard',
      });
      expect(downgraded.status).toBe(200);
      expect(
        downgraded.body.charges.map((c: { kind: string }) => c.kind).sort(),
      ).toEqual(['credit', 'proration']);
      await t.appNodes(2);
      expect((await t.stack()).limits).toMatchObject({ instances: 2 });
      expect((await t.scale(3)).status).toBe(400);

      // Small sizes no role and allows one instance: the stack must shrink
      // first, and nothing is changed or charged until it has.
      const before = await t.subscriptionNow();
      const settled = t.payments.settled.length;
      const small = await t.developer.post(`${t.path}/change-plan`, {
        planId: 'small',
      });
      expect(small.status).toBe(409);
      expect(small.body.error.message).toBe(
        `The Small plan allows at most 1 instances, and stack '${name}' runs 2 (app: 2); scale app down to 1 in all first`,
      );
      const smallQuote = await t.developer.post(`${t.path}/quote`, {
        action: 'change-plan',
        planId: 'small',
      });
      expect(smallQuote.body.stackChanges).toContain(small.body.error.message);
      expect(await t.subscriptionNow()).toEqual(before);
      expect(t.payments.settled).toHaveLength(settled);
      expect((await t.stack()).limits).toMatchObject({ instances: 2 });
      await t.appNodes(2);

      // Scaled down, the stack fits the Small plan.
      expect((await t.scale(1)).status).toBe(200);
      const fits = await t.developer.post(`${t.path}/change-plan`, {
        planId: 'small',
      });
      expect(fits.status).toBe(200);
      expect((await t.stack()).limits).toMatchObject({ instances: 1 });
    });

    it('puts the stack back when the charge is refused', async () => {
      const t = await start();
      t.payments.control.failing = true;
      const before = await t.subscriptionNow();
      const upgraded = await t.developer.post(`${t.path}/change-plan`, {
        planId: 'enterprise',
      });
      expect(upgraded.status).toBe(400);
      expect(upgraded.body.error.message).toMatch(/cannot be charged/);
      expect(await t.subscriptionNow()).toEqual(before);
      expect(t.payments.settled).toHaveLength(0);
      // The stack was moved to Enterprise, and back.
      for (const event of ['stack-limits-update', 'stack-scale']) {
        expect(t.audited.filter(e => e === `${event}:success`)).toHaveLength(2);
      }
      const stack = await t.stack();
      expect(stack.limits).toMatchObject({ instances: 2 });
      expect(stack.spec.roles[0].count).toBe(2);
      await t.appNodes(2);
    });

    it('lets the store replace the limits of a stack, not its users', async () => {
      const t = await start();
      const limits = `/stacks/${t.stackId}/limits`;
      const user = await t.as(DEVELOPER, 'cloud').put(limits, { instances: 9 });
      expect(user.status).toBe(403);
      expect((await t.stack()).limits).toMatchObject({ instances: 2 });

      const bad = await t.service.put(limits, { instances: 'many' });
      expect(bad.status).toBe(400);
      expect(bad.body.error.message).toMatch(/instances/);

      const set = await t.service.put(limits, { instances: 3 });
      expect(set.status).toBe(200);
      expect((await t.stack()).limits).toEqual({ instances: 3 });
      expect((await t.scale(3)).status).toBe(200);
    });
  },
);
