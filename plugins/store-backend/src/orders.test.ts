import { TestDatabaseId, TestDatabases } from '@backstage/backend-test-utils';
import scaffolderPlugin from '@backstage/plugin-scaffolder-backend';
import { JsonObject } from '@backstage/types';
import { Knex } from 'knex';
import {
  createStoreTestBackends,
  onlyAdminAdministers,
} from './__testUtils__/backend';
import { createFakeCloudPlugin } from './__testUtils__/cloud';
import { createTestActionsModule, orderEntities } from './__testUtils__/orders';

jest.setTimeout(120_000);

const DEVELOPER = 'user:default/developer';
const APPROVER = 'user:default/approver';
const APPROVER_EU = 'user:default/approver-eu';
const ADMIN = 'user:default/platform-admin';
/** A key for the secrets of orders waiting for approval. */
const SECRETS_KEY = {
  id: 'test',
  secret: Buffer.alloc(32, 7).toString('base64'),
};

// Created at the top level, after the import of the test utilities: its
// databases close after the test backends that use them have stopped, not
// under their still-running loops (which then fail with "Unable to acquire
// a connection" and crash the jest worker that runs the next suite).
const databases = TestDatabases.create();

describe('store orders', () => {
  const backends = createStoreTestBackends(databases);

  async function startBackend(
    databaseId: TestDatabaseId,
    config: JsonObject = {
      store: { secrets: { keys: [SECRETS_KEY] } },
    },
    /** The databases of a backend started before, to start it again. */
    databasesOf?: Record<string, Knex>,
  ) {
    const actions = createTestActionsModule();
    const backend = await backends.start(databaseId, {
      entities: orderEntities,
      features: [createFakeCloudPlugin(), scaffolderPlugin, actions.module],
      config,
      knexes: databasesOf,
      // The housekeeping and the following of tasks wait for the test.
      runAtStart: id =>
        id.startsWith('store') &&
        id !== 'store-orders-housekeeping' &&
        id !== 'store-orders-follow',
      authorize: onlyAdminAdministers(ADMIN),
    });
    const { as, sent, audited } = backend;

    /** Polls an order until it leaves provisioning, with a deadline. */
    async function settled(id: string, user = DEVELOPER) {
      const deadline = Date.now() + 60_000;
      for (;;) {
        const res = await as(user).get(`/orders/${id}`);
        const { status } = res.body;
        // The fulfiller audits and notifies after the order moved; its
        // notification is the last thing it does.
        const finished =
          !['fulfilled', 'failed'].includes(status) ||
          sent.some(s => s.payload.scope === `store-order:${id}:${status}`);
        if (!['approved', 'provisioning'].includes(status) && finished) {
          return res.body;
        }
        if (Date.now() > deadline) {
          throw new Error(`Order ${id} is still ${res.body.status}`);
        }
        await new Promise(resolve => setTimeout(resolve, 50));
      }
    }

    const auditedOrders = () => audited.filter(e => e.startsWith('order-'));
    const scaffold = (templateRef: string, values: object) =>
      as(ADMIN, 'scaffolder').post('/v2/tasks', { templateRef, values });
    return {
      ...backend,
      scaffold,
      settled,
      housekeeping: backend.tasks('store-orders-housekeeping'),
      follow: backend.tasks('store-orders-follow'),
      received: actions.received,
      inputs: actions.inputs,
      auditedOrders,
    };
  }

  const webapp = {
    product: 'product:default/webapp',
    plan: 'standard',
    provider: 'local',
    parameters: { name: 'shop' },
  };

  describe.each(databases.eachSupportedId())('%p', databaseId => {
    it('provisions an auto-approved order through a real scaffolder task', async () => {
      const { as, sent, settled } = await startBackend(databaseId);
      const body = {
        product: 'product:default/pg',
        plan: 'standard',
        provider: 'local',
        parameters: { name: 'db1' },
      };
      const created = await as(DEVELOPER).post('/orders', body, 'k1');
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({
        requester: DEVELOPER,
        price: { amount: '49.00', currency: 'USD', interval: 'month' },
        approvalsRequired: 0,
      });
      const order = await settled(created.body.id);
      expect(order).toMatchObject({
        status: 'fulfilled',
        taskId: expect.any(String),
        output: { links: [{ title: 'App', url: 'http://db1.localhost' }] },
      });
      expect(
        order.events.map((e: { action: string; toStatus: string }) => [
          e.action,
          e.toStatus,
        ]),
      ).toEqual([
        ['create', 'approved'],
        ['provision', 'provisioning'],
        ['fulfil', 'fulfilled'],
      ]);
      expect(sent).toEqual([
        expect.objectContaining({
          recipients: expect.objectContaining({ entityRef: [DEVELOPER] }),
          payload: expect.objectContaining({
            title: 'Order fulfilled: pg',
            description: 'Ready at http://db1.localhost',
          }),
        }),
      ]);

      // The same key and body return the first order; another body is a 409.
      const again = await as(DEVELOPER).post('/orders', body, 'k1');
      expect(again.status).toBe(201);
      expect(again.body.id).toBe(created.body.id);
      const other = await as(DEVELOPER).post(
        '/orders',
        { ...body, parameters: { name: 'db2' } },
        'k1',
      );
      expect(other.status).toBe(409);
      const mine = await as(DEVELOPER).get('/orders?scope=mine');
      expect(mine.body.totalItems).toBe(1);
    });

    it('passes the order provider and region to templates that declare them', async () => {
      const { as, settled } = await startBackend(databaseId);
      const created = await as(DEVELOPER).post('/orders', {
        product: 'product:default/placed',
        plan: 'standard',
        provider: 'local',
        region: 'eu-west',
        // What the order says wins over values typed into the template form.
        parameters: { name: 'placed1', region: 'local' },
      });
      expect(created.status).toBe(201);
      expect(created.body.parameters).toEqual({
        name: 'placed1',
        provider: 'local',
        region: 'eu-west',
      });
      const order = await settled(created.body.id);
      expect(order.status).toBe('fulfilled');
      expect(order.output.text).toEqual([
        { title: 'Placement', content: 'local/eu-west' },
      ]);

      // Templates that do not declare them get the parameters as ordered.
      const plain = await as(DEVELOPER).post('/orders', {
        product: 'product:default/pg',
        plan: 'standard',
        provider: 'local',
        region: 'eu-west',
        parameters: { name: 'plain1' },
      });
      expect(plain.body.parameters).toEqual({ name: 'plain1' });
      expect(plain.body.region).toBe('eu-west');
    });

    it('waits for an approver from the product groups, nested included', async () => {
      const { as, sent, settled, auditedOrders } = await startBackend(
        databaseId,
      );
      const created = await as(DEVELOPER).post('/orders', webapp);
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({
        status: 'pending_approval',
        approverGroups: ['group:default/approvers'],
        approvalReason:
          'Needs one approval from approvers because multi-node stacks use shared capacity.',
      });
      const id = created.body.id;
      expect(sent).toEqual([
        expect.objectContaining({
          recipients: expect.objectContaining({
            entityRef: ['group:default/approvers'],
          }),
        }),
      ]);

      // The requester never approves their own order.
      const own = await as(DEVELOPER).post(`/orders/${id}/approve`);
      expect(own.status).toBe(403);
      // Admins who are not approvers may reject but not approve.
      const admin = await as(ADMIN).post(`/orders/${id}/approve`);
      expect(admin.status).toBe(403);

      const inbox = await as(APPROVER_EU).get('/orders?scope=inbox');
      expect(inbox.body.items.map((o: { id: string }) => o.id)).toEqual([id]);
      expect(inbox.body.items[0]).toMatchObject({
        requester: DEVELOPER,
        price: { amount: '49.00' },
      });
      expect(
        (await as(DEVELOPER).get('/orders?scope=inbox')).body.items,
      ).toEqual([]);

      const approved = await as(APPROVER_EU).post(`/orders/${id}/approve`, {
        comment: 'go ahead',
      });
      expect(approved.status).toBe(200);
      const order = await settled(id);
      expect(order.status).toBe('fulfilled');
      expect(order.events[1]).toMatchObject({
        action: 'approve',
        actor: APPROVER_EU,
        comment: 'go ahead',
        toStatus: 'approved',
      });
      expect(auditedOrders()).toEqual([
        'order-create:success',
        'order-approve:fail',
        'order-approve:fail',
        'order-approve:success',
        'order-fulfil:success',
      ]);
      expect(sent.map(s => s.payload.title)).toEqual([
        'Order to approve: webapp (standard)',
        'Order approved: webapp',
        'Order fulfilled: webapp',
      ]);
    });

    it('passes secrets to the task after approval, kept encrypted until then', async () => {
      const { as, settled, storeDb, logger, received } = await startBackend(
        databaseId,
      );
      const secret = 'never-in-clear-4711';
      const { body } = await as(DEVELOPER).post(
        '/orders',
        {
          ...webapp,
          product: 'product:default/vault',
          secrets: { apiToken: secret },
        },
        'with-secret',
      );
      expect(body.status).toBe('pending_approval');
      expect(JSON.stringify(body)).not.toContain(secret);
      const kept = await storeDb('store_order_secrets').select();
      expect(kept).toEqual([
        expect.objectContaining({ order_id: body.id, key_id: 'test' }),
      ]);
      await as(APPROVER).post(`/orders/${body.id}/approve`);
      expect((await settled(body.id)).status).toBe('fulfilled');
      expect(received).toEqual([
        expect.objectContaining({
          apiToken: secret,
          storeOrderId: body.id,
          storeRequester: DEVELOPER,
        }),
      ]);
      // Gone once the task has them; never anywhere in the clear.
      expect(await storeDb('store_order_secrets').select()).toEqual([]);
      for (const table of [
        'store_orders',
        'store_order_events',
        'store_idempotency_keys',
      ]) {
        expect(JSON.stringify(await storeDb(table).select())).not.toContain(
          secret,
        );
      }
      // Nor returned by the API, nor logged.
      const read = await as(DEVELOPER).get(`/orders/${body.id}`);
      expect(read.status).toBe(200);
      expect(read.body.parameters).toBeDefined();
      expect(JSON.stringify(read.body)).not.toContain(secret);
      const listed = await as(DEVELOPER).get('/orders?scope=mine');
      expect(JSON.stringify(listed.body)).not.toContain(secret);
      const logged = [
        logger.info,
        logger.warn,
        logger.error,
        logger.debug,
      ].flatMap(fn => fn.mock.calls);
      expect(logged.length).toBeGreaterThan(0);
      expect(JSON.stringify(logged)).not.toContain(secret);

      const short = await as(DEVELOPER).post('/orders', {
        ...webapp,
        product: 'product:default/vault',
        secrets: { apiToken: 'short' },
      });
      expect(short.status).toBe(400);
      expect(short.body.error.message).toBe(
        'Secrets do not match the template: apiToken missing or invalid',
      );
      const without = await as(DEVELOPER).post('/orders', {
        ...webapp,
        product: 'product:default/vault',
      });
      expect(without.status).toBe(400);
    });

    it('hands kept secrets to the task after a restart, with a rotated key', async () => {
      const first = await startBackend(databaseId);
      const secret = 'survives-restart-0815';
      const { body } = await first.as(DEVELOPER).post('/orders', {
        ...webapp,
        product: 'product:default/vault',
        secrets: { apiToken: secret },
      });
      expect(body.status).toBe('pending_approval');
      await first.stop();

      // A new instance on the same databases, whose new key comes first.
      const rotated = {
        id: 'rotated',
        secret: Buffer.alloc(32, 9).toString('base64'),
      };
      const second = await startBackend(
        databaseId,
        { store: { secrets: { keys: [rotated, SECRETS_KEY] } } },
        first.knexes,
      );
      const approved = await second
        .as(APPROVER)
        .post(`/orders/${body.id}/approve`);
      expect(approved.status).toBe(200);
      expect((await second.settled(body.id)).status).toBe('fulfilled');
      expect(second.received).toEqual([
        expect.objectContaining({ apiToken: secret, storeOrderId: body.id }),
      ]);
      expect(await second.storeDb('store_order_secrets').select()).toEqual([]);
      await second.stop();
    });

    it("hands the plan's limits to the task, for the stack to keep", async () => {
      const { as, settled, received, inputs } = await startBackend(databaseId);
      const { body } = await as(DEVELOPER).post('/orders', {
        ...webapp,
        product: 'product:default/sized',
        parameters: { name: 'shop', nodes: 2 },
      });
      expect(body.status).toBe('approved');
      expect((await settled(body.id)).status).toBe('fulfilled');
      expect(received).toHaveLength(1);
      expect(JSON.parse(received[0].storePlanLimits)).toEqual({
        instances: 2,
        upgradeHint: 'order the Enterprise plan, which allows 10 instances',
      });
      // A template expression renders a secret as the string it is, which
      // cloud:stack:deploy reads as the JSON of its limits.
      expect(inputs).toEqual([
        { count: 2, limits: received[0].storePlanLimits },
      ]);
    });

    it('fails an order whose kept secrets were altered, naming no secret', async () => {
      const { as, settled, storeDb, received } = await startBackend(databaseId);
      const { body } = await as(DEVELOPER).post('/orders', {
        ...webapp,
        product: 'product:default/vault',
        secrets: { apiToken: 'tampered-secret-1' },
      });
      const row = await storeDb('store_order_secrets').first();
      const bytes = Buffer.from(row.ciphertext, 'base64');
      bytes[0] ^= 1;
      await storeDb('store_order_secrets')
        .where({ order_id: body.id })
        .update({ ciphertext: bytes.toString('base64') });
      await as(APPROVER).post(`/orders/${body.id}/approve`);
      const failed = await settled(body.id);
      expect(failed).toMatchObject({
        status: 'failed',
        error: `Could not start the scaffolder task: The secrets of order ${body.id} could not be decrypted with key "test": they were altered, or the key changed`,
      });
      expect(received).toEqual([]);
      expect(await storeDb('store_order_secrets').select()).toEqual([]);
    });

    it('forgets kept secrets of rejected and cancelled orders', async () => {
      const { as, storeDb } = await startBackend(databaseId);
      const place = () =>
        as(DEVELOPER).post('/orders', {
          ...webapp,
          product: 'product:default/vault',
          secrets: { apiToken: 'forget-me-please' },
        });
      const rejected = (await place()).body;
      const cancelled = (await place()).body;
      expect(await storeDb('store_order_secrets').pluck('order_id')).toEqual(
        expect.arrayContaining([rejected.id, cancelled.id]),
      );
      await as(APPROVER).post(`/orders/${rejected.id}/reject`);
      await as(DEVELOPER).post(`/orders/${cancelled.id}/cancel`);
      expect(await storeDb('store_order_secrets').select()).toEqual([]);
    });

    it('refuses an order with secrets to approve when no key is configured', async () => {
      const { as } = await startBackend(databaseId, {});
      const res = await as(DEVELOPER).post('/orders', {
        ...webapp,
        product: 'product:default/vault',
        secrets: { apiToken: 'nowhere-to-keep' },
      });
      expect(res.status).toBe(503);
      expect(res.body.error.message).toMatch(
        /cannot keep the secrets of orders that wait for approval: no encryption key is configured \(store\.secrets\.keys\)/,
      );
      expect((await as(ADMIN).get('/orders?scope=all')).body.totalItems).toBe(
        0,
      );
      // Orders without secrets are not concerned.
      expect((await as(DEVELOPER).post('/orders', webapp)).status).toBe(201);
    });

    it('lets one of two concurrent approvers win, the other gets 409', async () => {
      const { as } = await startBackend(databaseId);
      const { body } = await as(DEVELOPER).post('/orders', webapp);
      const results = await Promise.all([
        as(APPROVER).post(`/orders/${body.id}/approve`, { comment: 'yes' }),
        as(APPROVER_EU).post(`/orders/${body.id}/reject`, { comment: 'no' }),
      ]);
      expect(results.map(r => r.status).sort()).toEqual([200, 409]);
    });

    it('needs as many approvals as the product says, each approver once', async () => {
      const { as, settled } = await startBackend(databaseId);
      const { body } = await as(DEVELOPER).post('/orders', {
        ...webapp,
        product: 'product:default/twokeys',
      });
      const first = await as(APPROVER).post(`/orders/${body.id}/approve`);
      expect(first.body).toMatchObject({
        status: 'pending_approval',
        approvals: 1,
      });
      const twice = await as(APPROVER).post(`/orders/${body.id}/approve`);
      expect(twice.status).toBe(409);
      const second = await as(APPROVER_EU).post(`/orders/${body.id}/approve`);
      expect(second.status).toBe(200);
      expect((await settled(body.id)).status).toBe('fulfilled');
    });

    it('lets admins approve when the product names no approver groups', async () => {
      const { as, settled } = await startBackend(databaseId);
      const { body } = await as(DEVELOPER).post('/orders', {
        ...webapp,
        product: 'product:default/nogroups',
      });
      expect(body.approvalReason).toMatch(/from the store administrators/);
      expect(
        (await as(APPROVER).post(`/orders/${body.id}/approve`)).status,
      ).toBe(404);
      expect((await as(ADMIN).post(`/orders/${body.id}/approve`)).status).toBe(
        200,
      );
      expect((await settled(body.id)).status).toBe('fulfilled');
    });

    it('makes decisions idempotent', async () => {
      const { as } = await startBackend(databaseId);
      const { body } = await as(DEVELOPER).post('/orders', webapp);
      const path = `/orders/${body.id}/reject`;
      const first = await as(APPROVER).post(path, { comment: 'no' }, 'd1');
      expect(first.status).toBe(200);
      const again = await as(APPROVER).post(path, { comment: 'no' }, 'd1');
      expect(again.status).toBe(200);
      expect(again.body).toEqual(first.body);
      const other = await as(APPROVER).post(path, { comment: 'nope' }, 'd1');
      expect(other.status).toBe(409);
      const order = await as(DEVELOPER).get(`/orders/${body.id}`);
      expect(order.body.events).toHaveLength(2);
    });

    it.each([
      [{ plan: 'gold' }, /has no plan "gold"/],
      [{ provider: 'aws' }, /not offered on provider "aws"/],
      [
        { provider: 'kubernetes' },
        /^Provider "kubernetes" is not available here: the cloud backend has no such provider. Product product:default\/webapp can be ordered on local$/,
      ],
      [{ parameters: { name: 'Not Valid' } }, /name does not match pattern/],
      [{ parameters: {} }, /requires property "name"/],
      [
        {
          product: 'product:default/sized',
          parameters: { name: 'shop', nodes: 5 },
        },
        /^The Standard plan allows at most 2 instances \(nodes is 5\); the Enterprise plan allows 10$/,
      ],
      [{ product: 'product:default/draft' }, /is draft and cannot be ordered/],
      [{ product: 'product:default/old' }, /is deprecated and cannot be/],
    ])(
      'refuses a bad order %p with a 400 and creates nothing',
      async (change, message) => {
        const { as } = await startBackend(databaseId);
        const res = await as(DEVELOPER).post('/orders', {
          ...webapp,
          ...change,
        });
        expect(res.status).toBe(400);
        expect(res.body.error.message).toMatch(message);
        expect((await as(ADMIN).get('/orders?scope=all')).body.totalItems).toBe(
          0,
        );
      },
    );

    it("shows a failed task's own error in the order's timeline", async () => {
      const { as, settled } = await startBackend(databaseId);
      const { body } = await as(DEVELOPER).post('/orders', {
        ...webapp,
        product: 'product:default/faulty',
      });
      const reason =
        'Stack st-4711 failed: node app-1 of role app exited with code 3; last log lines: Error: listen EADDRINUSE';
      const failed = await settled(body.id);
      expect(failed).toMatchObject({ status: 'failed', error: reason });
      expect(failed.events.at(-1)).toMatchObject({
        action: 'fail',
        toStatus: 'failed',
        actor: 'plugin:store',
        comment: reason,
        data: { taskId: failed.taskId },
      });
    });

    it('lets requesters cancel before provisioning, and only them', async () => {
      const { as } = await startBackend(databaseId);
      const { body } = await as(DEVELOPER).post('/orders', webapp);
      expect(
        (await as(APPROVER).post(`/orders/${body.id}/cancel`)).status,
      ).toBe(403);
      const other = await as('user:default/someone').post(
        `/orders/${body.id}/cancel`,
      );
      expect(other.status).toBe(404);
      const cancelled = await as(DEVELOPER).post(`/orders/${body.id}/cancel`, {
        comment: 'changed my mind',
      });
      expect(cancelled.body.status).toBe('cancelled');
      const late = await as(APPROVER).post(`/orders/${body.id}/approve`);
      expect(late.status).toBe(409);
    });

    it('fails an order whose task fails; admins retry, close and reopen', async () => {
      const { as, sent, settled, auditedOrders } = await startBackend(
        databaseId,
      );
      const { body } = await as(DEVELOPER).post('/orders', {
        ...webapp,
        product: 'product:default/broken',
      });
      const failed = await settled(body.id);
      expect(failed.status).toBe('failed');
      expect(failed.error).toMatch(/store:test:missing/);
      expect(sent.at(-1)!.payload.title).toBe('Order failed: broken');

      expect(
        (await as(DEVELOPER).post(`/orders/${body.id}/retry`)).status,
      ).toBe(403);
      const retried = await as(ADMIN).post(`/orders/${body.id}/retry`);
      expect(retried.status).toBe(200);
      expect((await settled(body.id)).status).toBe('failed');

      const closed = await as(ADMIN).post(`/orders/${body.id}/close`, {
        comment: 'template is broken',
      });
      expect(closed.body.status).toBe('cancelled');
      const reopened = await as(ADMIN).post(`/orders/${body.id}/reopen`);
      expect(reopened.body.status).toBe('pending_approval');
      const all = await as(ADMIN).get(
        `/orders?scope=all&status=pending_approval&product=${encodeURIComponent(
          'product:default/broken',
        )}`,
      );
      expect(all.body).toMatchObject({ totalItems: 1 });
      // Who sees which orders in a list is in orderLists.test.ts.
      expect(auditedOrders()).toEqual([
        'order-create:success',
        'order-fail:success',
        'order-retry:fail',
        'order-retry:success',
        'order-fail:success',
        'order-close:success',
        'order-reopen:success',
      ]);
    });

    it('resumes following provisioning orders after a restart', async () => {
      const { as, settled, follow, storeDb, scaffold } = await startBackend(
        databaseId,
      );
      // As left behind by an instance that stopped while following a task.
      const task = await scaffold('template:default/pg', { name: 'left' });
      expect(task.status).toBe(201);
      const { body } = await as(DEVELOPER).post('/orders', webapp);
      const stale = await as(DEVELOPER).post('/orders', webapp);
      const old = new Date(Date.now() - 120_000);
      await storeDb('store_orders')
        .where({ id: body.id })
        .update({ status: 'provisioning', task_id: task.body.id });
      await storeDb('store_orders')
        .where({ id: stale.body.id })
        .update({ status: 'provisioning', updated_at: old });
      // Approved, but the instance stopped before it started provisioning.
      const approvedLeft = await as(DEVELOPER).post('/orders', webapp);
      await storeDb('store_orders')
        .where({ id: approvedLeft.body.id })
        .update({ status: 'approved', updated_at: old });

      // Nobody follows these orders in this process: only the scheduled
      // round, as after a restart or on another instance.
      expect(follow).toHaveLength(1);
      const deadline = Date.now() + 60_000;
      for (;;) {
        await follow[0]();
        const { body: order } = await as(DEVELOPER).get(`/orders/${body.id}`);
        if (order.status !== 'provisioning') {
          break;
        }
        if (Date.now() > deadline) {
          throw new Error(`Order ${body.id} is still provisioning`);
        }
        await new Promise(resolve => setTimeout(resolve, 100));
      }
      expect(await settled(body.id)).toMatchObject({
        status: 'fulfilled',
        output: { links: [{ url: 'http://left.localhost' }] },
      });
      expect(await settled(stale.body.id)).toMatchObject({
        status: 'failed',
        error: expect.stringMatching(/interrupted before the scaffolder task/),
      });
      expect(await settled(approvedLeft.body.id)).toMatchObject({
        status: 'fulfilled',
        output: { links: [{ url: 'http://shop.localhost' }] },
      });
    });

    it('finishes an order once when two rounds see its task end together', async () => {
      const { as, settled, follow, storeDb, scaffold, auditedOrders, sent } =
        await startBackend(databaseId);
      const task = await scaffold('template:default/pg', { name: 'twice' });
      const { body } = await as(DEVELOPER).post('/orders', webapp);
      await storeDb('store_orders')
        .where({ id: body.id })
        .update({ status: 'provisioning', task_id: task.body.id });
      const deadline = Date.now() + 60_000;
      for (;;) {
        // As two instances whose scheduled rounds overlap.
        await Promise.all([follow[0](), follow[0]()]);
        const { body: order } = await as(DEVELOPER).get(`/orders/${body.id}`);
        if (order.status !== 'provisioning') {
          break;
        }
        if (Date.now() > deadline) {
          throw new Error(`Order ${body.id} is still provisioning`);
        }
        await new Promise(resolve => setTimeout(resolve, 100));
      }
      const order = await settled(body.id);
      expect(order.status).toBe('fulfilled');
      expect(
        order.events.filter((e: any) => e.action === 'fulfil'),
      ).toHaveLength(1);
      expect(auditedOrders().filter(e => e.startsWith('order-fulfil'))).toEqual(
        ['order-fulfil:success'],
      );
      expect(
        sent.filter(s => s.payload.title.startsWith('Order fulfilled')),
      ).toHaveLength(1);
    });

    it('rejects orders whose approval expired', async () => {
      const { as, housekeeping } = await startBackend(databaseId, {
        store: { orders: { approvalTimeout: { milliseconds: 1 } } },
      });
      const { body } = await as(DEVELOPER).post('/orders', webapp);
      await new Promise(resolve => setTimeout(resolve, 10));
      expect(housekeeping).toHaveLength(1);
      await housekeeping[0]();
      const order = await as(DEVELOPER).get(`/orders/${body.id}`);
      expect(order.body.status).toBe('rejected');
      expect(order.body.events[1]).toMatchObject({
        action: 'expire',
        actor: 'plugin:store',
        comment: expect.stringMatching(/approval deadline/),
      });
    });
  });
});
