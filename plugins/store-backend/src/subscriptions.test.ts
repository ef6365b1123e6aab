import {
  mockCredentials,
  mockServices,
  startTestBackend,
  TestDatabaseId,
  TestDatabases,
} from '@backstage/backend-test-utils';
import {
  BackendFeature,
  BackstageCredentials,
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import {
  AuthorizeResult,
  QueryPermissionRequest,
} from '@backstage/plugin-permission-common';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { notificationService } from '@backstage/plugin-notifications-node';
import scaffolderPlugin from '@backstage/plugin-scaffolder-backend';
import {
  consumerSubscriptionVisibility,
  STORE_SUBSCRIPTION_RESOURCE_TYPE,
} from '@internal/plugin-store-common';
import { JsonObject } from '@backstage/types';
import request from 'supertest';
import { createFakeCloudPlugin } from './__testUtils__/cloud';
import {
  createTestPaymentsModule,
  subscriptionEntities,
} from './__testUtils__/subscriptions';
import { storeClockServiceRef } from '@internal/plugin-store-node';
import { storePlugin } from './plugin';

jest.setTimeout(120_000);

const DEVELOPER = 'user:default/developer';
const COLLEAGUE = 'user:default/colleague';
const OUTSIDER = 'user:default/outsider';
const ADMIN = 'user:default/platform-admin';
const GROUPS: Record<string, string> = {
  [DEVELOPER]: 'group:default/team-web',
  [COLLEAGUE]: 'group:default/team-web',
  [OUTSIDER]: 'group:default/team-data',
};

function userOf(credentials: BackstageCredentials) {
  return (credentials.principal as { userEntityRef?: string }).userEntityRef;
}

// At the top level, so that the databases close after the backends.
const databases = TestDatabases.create();

describe('store subscriptions', () => {
  const running = new Set<() => Promise<void>>();
  afterEach(async () => {
    await Promise.all([...running].map(stop => stop()));
  });

  async function startBackend(
    databaseId: TestDatabaseId,
    options: { config?: JsonObject; payments?: boolean } = {},
  ) {
    const knexes = {
      store: await databases.init(databaseId),
      scaffolder: await databases.init(databaseId),
    };
    const clock = { now: new Date('2026-01-01T10:00:00Z') };
    const payments = createTestPaymentsModule();
    const audited: string[] = [];
    const auditor = mockServices.auditor.mock({
      createEvent: jest.fn(async ({ eventId }) => ({
        success: async () => {
          audited.push(`${eventId}:success`);
        },
        fail: async () => {
          audited.push(`${eventId}:fail`);
        },
      })),
    });
    const scheduler = mockServices.scheduler.mock({
      scheduleTask: jest.fn(async task => {
        if (task.id.startsWith('store-product-index')) {
          await (task.fn as () => Promise<void>)();
        }
      }),
    });
    // Admins see every subscription; others those of their group, as the
    // store policy answers.
    const permissions = mockServices.permissions.mock({
      authorize: jest.fn(async requests =>
        requests.map(() => ({ result: AuthorizeResult.ALLOW })),
      ),
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
    const features: BackendFeature[] = [
      createFakeCloudPlugin(),
      storePlugin,
      scaffolderPlugin,
      mockServices.rootConfig.factory({ data: options.config ?? {} }),
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
      catalogServiceMock.factory({ entities: subscriptionEntities }),
      permissions.factory,
      scheduler.factory,
      auditor.factory,
      createServiceFactory({
        service: notificationService,
        deps: {},
        factory: () => ({ send: async () => {} }),
      }),
    ];
    if (options.payments !== false) {
      features.push(payments.module);
    }
    const backend = await startTestBackend({ features });
    const stop = async () => {
      if (running.delete(stop)) {
        await backend.stop();
      }
    };
    running.add(stop);

    const as = (user: string) => {
      const auth = mockCredentials.user.header(user);
      const url = (path: string) => `/api/store${path}`;
      return {
        get: (path: string) =>
          request(backend.server).get(url(path)).set('Authorization', auth),
        post: (path: string, body: object = {}, key?: string) => {
          const req = request(backend.server)
            .post(url(path))
            .set('Authorization', auth);
          return (key ? req.set('Idempotency-Key', key) : req).send(body);
        },
        put: (path: string, body: object) =>
          request(backend.server)
            .put(url(path))
            .set('Authorization', auth)
            .send(body),
      };
    };

    /** Orders a plan and waits for the subscription of the fulfilled order. */
    async function subscribe(plan: string, name: string) {
      const created = await as(DEVELOPER).post('/orders', {
        product: 'product:default/db',
        plan,
        provider: 'local',
        parameters: { name, owner: 'group:default/team-web' },
      });
      expect(created.status).toBe(201);
      const deadline = Date.now() + 60_000;
      for (;;) {
        const list = await as(ADMIN).get('/subscriptions');
        const found = list.body.items?.find(
          (s: { orderId: string }) => s.orderId === created.body.id,
        );
        if (found) {
          return (await as(DEVELOPER).get(`/subscriptions/${found.id}`)).body;
        }
        const order = await as(DEVELOPER).get(`/orders/${created.body.id}`);
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
      subscribe,
      clock,
      settled: payments.settled,
      payments: payments.control,
      audited,
      storeDb: knexes.store,
    };
  }

  describe.each(databases.eachSupportedId())('%p', databaseId => {
    it('starts a subscription when an order is fulfilled, for its group only', async () => {
      const { as, subscribe, settled, audited, storeDb } = await startBackend(
        databaseId,
      );
      const subscription = await subscribe('standard', 'shop');
      expect(subscription).toMatchObject({
        productRef: 'product:default/db',
        plan: {
          id: 'standard',
          title: 'Standard',
          price: { amount: '49.00', currency: 'USD', interval: 'month' },
          limits: { instances: 2 },
        },
        status: 'active',
        owner: 'group:default/team-web',
        costCenter: 'CC-4711',
        requester: DEVELOPER,
        stacks: ['st-shop'],
        currentPeriodStart: '2026-01-01',
        currentPeriodEnd: '2026-02-01',
        autoRenew: true,
        cancelAtPeriodEnd: false,
        nextRenewalPrice: { amount: '49.00', currency: 'USD' },
        version: 1,
        events: [{ action: 'create', to: 'active', actor: 'plugin:store' }],
        charges: [
          {
            kind: 'recurring',
            amount: { amount: '49.00', currency: 'USD' },
            periodStart: '2026-01-01',
            periodEnd: '2026-02-01',
          },
        ],
      });
      expect(subscription.anchor).toBeUndefined();
      expect(settled).toEqual([
        expect.objectContaining({
          chargeId: subscription.charges[0].id,
          subscriptionId: subscription.id,
          billingAccount: 'group:default/team-web',
          costCenter: 'CC-4711',
          amount: { amount: '49.00', currency: 'USD' },
        }),
      ]);
      const [charge] = await storeDb('store_subscription_charges');
      expect(charge).toMatchObject({
        payment_method: 'test',
        payment_reference: 'ref-1',
      });
      expect(audited).toContain('subscription-create:success');

      // Members of the owning group see it; others do not know it exists.
      const colleague = await as(COLLEAGUE).get('/subscriptions');
      expect(colleague.body.items.map((s: { id: string }) => s.id)).toEqual([
        subscription.id,
      ]);
      const outsider = as(OUTSIDER);
      expect((await outsider.get('/subscriptions')).body).toEqual({
        items: [],
      });
      const path = `/subscriptions/${subscription.id}`;
      expect((await outsider.get(path)).status).toBe(404);
      for (const res of [
        await outsider.post(`${path}/quote`, { action: 'renew', periods: 1 }),
        await outsider.post(`${path}/renew`, { periods: 1 }),
        await outsider.post(`${path}/change-plan`, { planId: 'enterprise' }),
        await outsider.post(`${path}/cancel`, { when: 'now' }),
        await outsider.put(`${path}/auto-renew`, { autoRenew: false }),
      ]) {
        expect(res.status).toBe(404);
      }
      expect(settled).toHaveLength(1);
      expect((await as(DEVELOPER).get(path)).body.version).toBe(1);

      // A plan with a trial starts without a charge, anchored on its end.
      const trial = await subscribe('trial', 'trial');
      expect(trial).toMatchObject({
        status: 'trialing',
        trialEndsAt: '2026-01-15',
        currentPeriodEnd: '2026-01-15',
        charges: [],
      });
      const renewed = await as(DEVELOPER).post(
        `/subscriptions/${trial.id}/quote`,
        { action: 'renew', periods: 1 },
      );
      expect(renewed.body).toMatchObject({
        from: '2026-01-15',
        to: '2026-02-15',
        total: { amount: '49.00', currency: 'USD' },
      });

      const filtered = await as(ADMIN).get(
        `/subscriptions?status=trialing&owner=${encodeURIComponent(
          'group:default/team-web',
        )}`,
      );
      expect(filtered.body).toEqual({ items: expect.any(Array) });
      expect(filtered.body.items.map((s: { id: string }) => s.id)).toEqual([
        trial.id,
      ]);
      const page = await as(ADMIN).get('/subscriptions?limit=1');
      expect(page.body.items).toHaveLength(1);
      const next = await as(ADMIN).get(
        `/subscriptions?limit=1&cursor=${page.body.nextCursor}`,
      );
      expect(next.body.items[0].id).not.toBe(page.body.items[0].id);
      expect(next.body.nextCursor).toBeUndefined();
      expect((await as(ADMIN).get('/subscriptions?status=paused')).status).toBe(
        400,
      );
    });

    it('renews, changes plans with proration and cancels, charging through the payment method', async () => {
      const { as, subscribe, clock, settled, audited } = await startBackend(
        databaseId,
        { config: { store: { billing: { proration: { daysPerMonth: 31 } } } } },
      );
      const free = await subscribe('free', 'free');
      expect(free).toMatchObject({
        status: 'active',
        currentPeriodEnd: '2026-02-01',
        charges: [],
      });
      const path = `/subscriptions/${free.id}`;
      const developer = as(DEVELOPER);

      // Invalid renewals are refused, and charge nothing.
      for (const periods of [0, 37, -1, 1.5]) {
        expect(
          (await developer.post(`${path}/renew`, { periods })).status,
        ).toBe(400);
      }
      const renewed = await developer.post(`${path}/renew`, { periods: 11 });
      expect(renewed.status).toBe(200);
      expect(renewed.body).toMatchObject({
        currentPeriodEnd: '2027-01-01',
        version: 2,
        charges: [],
      });

      // Free → Enterprise on the second day: 999.00 a month, 31 days a
      // month, 364 days left.
      clock.now = new Date('2026-01-02T09:00:00Z');
      const quote = await developer.post(`${path}/quote`, {
        action: 'change-plan',
        planId: 'enterprise',
      });
      expect(quote.status).toBe(200);
      expect(quote.body).toMatchObject({
        subscriptionId: free.id,
        from: { id: 'free' },
        to: { id: 'enterprise' },
        daysLeft: 364,
        total: { amount: '11730.19', currency: 'USD' },
        stackChanges: ['instances: 1 → 5'],
      });
      expect(settled).toHaveLength(0);

      for (const [body, status] of [
        [{ planId: 'free' }, 400],
        [{ planId: 'platinum' }, 400],
        [{ planId: 'euro' }, 400],
        [{ planId: 'enterprise', version: 1 }, 409],
      ] as const) {
        expect((await developer.post(`${path}/change-plan`, body)).status).toBe(
          status,
        );
      }
      expect(settled).toHaveLength(0);

      const upgraded = await developer.post(`${path}/change-plan`, {
        planId: 'enterprise',
        version: 2,
      });
      expect(upgraded.status).toBe(200);
      expect(upgraded.body).toMatchObject({
        plan: { id: 'enterprise', price: { amount: '999.00' } },
        status: 'active',
        version: 3,
        charges: [
          {
            kind: 'proration',
            amount: { amount: '11730.19', currency: 'USD' },
            periodStart: '2026-01-02',
            periodEnd: '2027-01-01',
          },
        ],
      });
      expect(upgraded.body.events.at(-1)).toMatchObject({
        action: 'change-plan',
        actor: DEVELOPER,
        from: 'active',
        to: 'active',
      });
      expect(settled.map(s => s.amount.amount)).toEqual(['11730.19']);

      // A downgrade is credited: (49 - 999) × 364 / 31.
      const downgraded = await developer.post(`${path}/change-plan`, {
        planId: 'standard',
      });
      expect(
        downgraded.body.charges.find(
          (c: { kind: string }) => c.kind === 'credit',
        ),
      ).toMatchObject({
        kind: 'credit',
        amount: { amount: '-11154.84', currency: 'USD' },
      });

      // The same Idempotency-Key renews and charges once.
      const once = await developer.post(`${path}/renew`, { periods: 1 }, 'r1');
      const twice = await developer.post(`${path}/renew`, { periods: 1 }, 'r1');
      expect(once.status).toBe(200);
      expect(twice.body).toEqual(once.body);
      expect(once.body.currentPeriodEnd).toBe('2027-02-01');
      expect(settled.map(s => s.amount.amount)).toEqual([
        '11730.19',
        '-11154.84',
        '49.00',
      ]);

      const off = await developer.put(`${path}/auto-renew`, {
        autoRenew: false,
      });
      expect(off.body).toMatchObject({ autoRenew: false });
      expect(off.body.nextRenewalPrice).toBeUndefined();

      const expiring = await developer.post(`${path}/cancel`, {
        when: 'period-end',
      });
      expect(expiring.body).toMatchObject({
        status: 'expiring',
        cancelAtPeriodEnd: true,
        currentPeriodEnd: '2027-02-01',
      });
      // Switching auto-renewal back on takes the cancellation back.
      const resumed = await developer.put(`${path}/auto-renew`, {
        autoRenew: true,
      });
      expect(resumed.body).toMatchObject({
        status: 'active',
        autoRenew: true,
        cancelAtPeriodEnd: false,
      });

      const cancelQuote = await developer.post(`${path}/quote`, {
        action: 'cancel',
        when: 'now',
      });
      // 49.00 × 12 / (12 × 31) × 395 days left.
      expect(cancelQuote.body).toMatchObject({
        when: 'now',
        endsOn: '2026-01-02',
        credit: { amount: '-624.35', currency: 'USD' },
        stackChanges: ['1 stack(s) are no longer paid for'],
      });
      const cancelled = await developer.post(`${path}/cancel`, { when: 'now' });
      expect(cancelled.body).toMatchObject({
        status: 'cancelled',
        autoRenew: false,
        currentPeriodEnd: '2026-01-02',
        endedAt: '2026-01-02T09:00:00.000Z',
      });
      expect(
        cancelled.body.charges.map(
          (c: { amount: { amount: string } }) => c.amount.amount,
        ),
      ).toContain('-624.35');
      const charged = settled.length;

      // Nothing changes a cancelled subscription, and nothing is charged.
      for (const res of [
        await developer.post(`${path}/renew`, { periods: 1 }),
        await developer.post(`${path}/change-plan`, { planId: 'enterprise' }),
        await developer.post(`${path}/cancel`, { when: 'now' }),
        await developer.put(`${path}/auto-renew`, { autoRenew: true }),
      ]) {
        expect(res.status).toBe(409);
      }
      expect(settled).toHaveLength(charged);
      expect(audited.filter(e => e.startsWith('subscription-renew'))).toEqual([
        // 1.5 is refused by the contract before the route is audited.
        ...Array(3).fill('subscription-renew:fail'),
        'subscription-renew:success',
        'subscription-renew:success',
        'subscription-renew:fail',
      ]);
    });

    it('records nothing when the payment method refuses a charge', async () => {
      const { as, subscribe, clock, payments, settled } = await startBackend(
        databaseId,
      );
      const free = await subscribe('free', 'refused');
      clock.now = new Date('2026-01-10T12:00:00Z');
      payments.failing = true;
      const path = `/subscriptions/${free.id}`;
      const refused = await as(DEVELOPER).post(`${path}/change-plan`, {
        planId: 'enterprise',
      });
      expect(refused.status).toBe(400);
      expect(refused.body.error.message).toBe(
        'Billing account group:default/team-web cannot be charged',
      );
      const after = await as(DEVELOPER).get(path);
      expect(after.body).toMatchObject({
        plan: { id: 'free' },
        version: 1,
        charges: [],
      });
      expect(after.body.events).toHaveLength(1);
      expect(settled).toHaveLength(0);

      payments.failing = false;
      const accepted = await as(DEVELOPER).post(`${path}/change-plan`, {
        planId: 'enterprise',
      });
      expect(accepted.status).toBe(200);
      expect(settled).toHaveLength(1);
    });

    it('records the subscription suspended when its first period cannot be charged', async () => {
      const { as, subscribe, payments, settled } = await startBackend(
        databaseId,
      );
      payments.failing = true;
      const unpaid = await subscribe('standard', 'unpaid');
      expect(unpaid).toMatchObject({
        status: 'suspended',
        currentPeriodEnd: '2026-01-01',
        charges: [],
        events: [
          {
            action: 'create',
            to: 'suspended',
            comment: expect.stringContaining(
              'the first period could not be charged: Billing account group:default/team-web cannot be charged',
            ),
          },
        ],
      });
      payments.failing = false;
      const renewed = await as(DEVELOPER).post(
        `/subscriptions/${unpaid.id}/renew`,
        { periods: 1 },
      );
      expect(renewed.body).toMatchObject({
        status: 'active',
        currentPeriodEnd: '2026-02-01',
        charges: [{ kind: 'recurring', amount: { amount: '49.00' } }],
      });
      expect(settled).toHaveLength(1);
    });

    it("records payment method 'none' without a payment module", async () => {
      const { subscribe, storeDb } = await startBackend(databaseId, {
        payments: false,
      });
      await subscribe('standard', 'unpaid');
      const charges = await storeDb('store_subscription_charges');
      expect(charges).toEqual([
        expect.objectContaining({
          kind: 'recurring',
          payment_method: 'none',
          payment_reference: null,
        }),
      ]);
    });
  });
});
