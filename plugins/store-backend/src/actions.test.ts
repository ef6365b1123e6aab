import { TestDatabaseId, TestDatabases } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import scaffolderPlugin from '@backstage/plugin-scaffolder-backend';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  createStoreTestBackends,
  onlyAdminAdministers,
  StoreTestBackend,
  subscriptionsOfGroups,
} from './__testUtils__/backend';
import { createFakeCloudPlugin } from './__testUtils__/cloud';
import { createTestActionsModule, orderEntities } from './__testUtils__/orders';
import {
  createTestPaymentsModule,
  subscriptionEntities,
  subscriptionOfOrder,
} from './__testUtils__/subscriptions';

jest.setTimeout(120_000);

const DEVELOPER = 'user:default/developer';
const APPROVER = 'user:default/approver';
const ADMIN = 'user:default/platform-admin';

const webapp = {
  product: 'product:default/webapp',
  plan: 'standard',
  provider: 'local',
  parameters: { name: 'shop' },
};

// At the top level, so that the databases close after the backends stop.
const databases = TestDatabases.create();

describe('store actions', () => {
  const backends = createStoreTestBackends(databases);

  async function startBackend(
    databaseId: TestDatabaseId,
    authorize = onlyAdminAdministers(ADMIN),
  ) {
    const backend = await backends.start(databaseId, {
      entities: orderEntities,
      features: [
        createFakeCloudPlugin(),
        scaffolderPlugin,
        createTestActionsModule().module,
      ],
      runAtStart: id =>
        id.startsWith('store') &&
        id !== 'store-orders-housekeeping' &&
        id !== 'store-orders-follow',
      authorize,
    });
    /** Invokes a store action as the registry's clients do, as a user. */
    const invoke = (user: string, name: string, input: object) =>
      backend
        .as(user)
        .post(`/.backstage/actions/v1/actions/store:${name}/invoke`, input);
    const listed = async (user: string) => {
      const res = await backend.as(user).get('/.backstage/actions/v1/actions');
      return res.body.actions as Array<{
        id: string;
        attributes: { readOnly: boolean; destructive: boolean };
      }>;
    };
    return { ...backend, invoke, listed };
  }

  describe.each(databases.eachSupportedId())('%p', databaseId => {
    it('lets an agent find, preview, order and approve through the store services', async () => {
      const { invoke, listed, audited, auditedMeta } = await startBackend(
        databaseId,
      );
      const actions = await listed(DEVELOPER);
      expect(actions.map(a => a.id)).toEqual(
        expect.arrayContaining([
          'store:search-products',
          'store:place-order',
          'store:approve-order',
        ]),
      );
      expect(
        actions.find(a => a.id === 'store:search-products')?.attributes,
      ).toMatchObject({ readOnly: true, destructive: false });
      expect(
        actions.find(a => a.id === 'store:reject-order')?.attributes,
      ).toMatchObject({ readOnly: false, destructive: true });

      const search = await invoke(DEVELOPER, 'search-products', {
        query: 'webapp',
      });
      expect(search.status).toBe(200);
      expect(search.body.output.products).toContainEqual(
        expect.objectContaining({
          ref: 'product:default/webapp',
          plans: expect.arrayContaining([
            expect.objectContaining({
              id: 'standard',
              price: expect.objectContaining({ currency: 'USD' }),
            }),
          ]),
        }),
      );

      const preview = await invoke(DEVELOPER, 'preview-order', {
        product: webapp.product,
        plan: webapp.plan,
      });
      expect(preview.body.output.preview.approval).toMatchObject({
        needed: true,
        approverGroups: ['group:default/approvers'],
      });

      const placed = await invoke(DEVELOPER, 'place-order', {
        ...webapp,
        idempotencyKey: 'agent-1',
      });
      expect(placed.status).toBe(200);
      expect(placed.body.output).toMatchObject({
        waitsForApproval: true,
        order: { requester: DEVELOPER, status: 'pending_approval' },
      });
      const id = placed.body.output.order.id;

      // The user is the actor; the client is marked as an agent.
      expect(auditedMeta).toContainEqual({
        eventId: 'order-create',
        meta: {
          product: webapp.product,
          plan: webapp.plan,
          client: 'agent',
          userEntityRef: DEVELOPER,
        },
      });

      // A retry with the same key answers the first order, once.
      const again = await invoke(DEVELOPER, 'place-order', {
        ...webapp,
        idempotencyKey: 'agent-1',
      });
      expect(again.body.output.order.id).toBe(id);
      const other = await invoke(DEVELOPER, 'place-order', {
        ...webapp,
        parameters: { name: 'other' },
        idempotencyKey: 'agent-1',
      });
      expect(other.status).toBe(409);
      const mine = await invoke(DEVELOPER, 'list-my-orders', {});
      expect(mine.body.output.totalItems).toBe(1);

      // The agent of the requester never approves the requester's order.
      const own = await invoke(DEVELOPER, 'approve-order', { id });
      expect(own.status).toBe(403);
      expect(own.body.error.message).toBe(
        'Requesters cannot approve their own orders',
      );

      const inbox = await invoke(APPROVER, 'list-my-approvals', {});
      expect(inbox.body.output.orders.map((o: { id: string }) => o.id)).toEqual(
        [id],
      );
      const approved = await invoke(APPROVER, 'approve-order', {
        id,
        comment: 'go ahead',
      });
      expect(approved.status).toBe(200);
      expect(approved.body.output.order.approvals).toBe(1);

      // Wait for the provisioning, which must end before the backend stops.
      const deadline = Date.now() + 60_000;
      let status = approved.body.output.order.status;
      while (['approved', 'provisioning'].includes(status)) {
        expect(Date.now()).toBeLessThan(deadline);
        await new Promise(resolve => setTimeout(resolve, 100));
        status = (await invoke(DEVELOPER, 'get-order', { id })).body.output
          .order.status;
      }
      expect(status).toBe('fulfilled');
      expect(audited.filter(e => e.startsWith('order-'))).toEqual(
        expect.arrayContaining([
          'order-create:success',
          'order-approve:fail',
          'order-approve:success',
        ]),
      );
    });
  });
});

const BLOCKED = 'user:default/blocked';

/** What the cases of the table share: the ids of what `beforeAll` made. */
type Fixtures = {
  /** A webapp order of the developer, waiting for approval. */
  orderId: string;
  /** An order that needs two approvals: approving it once provisions nothing. */
  twoKeysOrderId: string;
  /** Another webapp order of the developer, for the approver to reject. */
  toRejectId: string;
  /** A subscription of the developer's team. */
  subscriptionId: string;
};

type Input = (f: Fixtures) => object;

/**
 * A case of every store action: its happy path, its denial to a user whom
 * the policy denies everything (answered as the REST API answers the same
 * request, unless the action is hidden from them), and bad input.
 */
type ActionCase = {
  happy: {
    as?: string;
    input: Input;
    expect: (output: any, f: Fixtures) => void;
  };
  denied: {
    input: Input;
    /** Hidden by its visibility permission: not listed, and not found. */
    hidden?: boolean;
    /** The REST API's request that the action answers alike. */
    rest: (f: Fixtures) => {
      method: 'get' | 'post';
      path: string;
      body?: object;
    };
  };
  badInput: { as?: string; input: Input; field: string };
};

const db = { product: 'product:default/db', provider: 'local' };

const storeCases: Record<string, ActionCase> = {
  'search-products': {
    happy: {
      input: () => ({ query: 'webapp' }),
      expect: output =>
        expect(output.products).toContainEqual(
          expect.objectContaining({
            ref: webapp.product,
            plans: expect.arrayContaining([
              expect.objectContaining({
                id: 'standard',
                price: expect.objectContaining({ currency: 'USD' }),
              }),
            ]),
          }),
        ),
    },
    denied: {
      input: () => ({ query: 'webapp' }),
      rest: () => ({ method: 'get', path: '/products?q=webapp' }),
    },
    badInput: { input: () => ({ limit: 0 }), field: 'limit' },
  },
  'get-product': {
    happy: {
      input: () => ({ product: 'webapp' }),
      expect: output =>
        expect(output.product).toMatchObject({ ref: webapp.product }),
    },
    denied: {
      input: () => ({ product: 'webapp' }),
      rest: () => ({ method: 'get', path: '/products/default/webapp' }),
    },
    badInput: { input: () => ({}), field: 'product' },
  },
  'preview-order': {
    happy: {
      input: () => ({ product: webapp.product, plan: 'standard' }),
      expect: output =>
        expect(output.preview.approval).toMatchObject({
          needed: true,
          approverGroups: ['group:default/approvers'],
        }),
    },
    denied: {
      input: () => ({ product: webapp.product, plan: 'standard' }),
      rest: () => ({
        method: 'post',
        path: '/orders/preview',
        body: { product: webapp.product, plan: 'standard' },
      }),
    },
    badInput: { input: () => ({ product: webapp.product }), field: 'plan' },
  },
  'place-order': {
    happy: {
      input: () => ({ ...webapp, idempotencyKey: 'happy' }),
      expect: output =>
        expect(output).toMatchObject({
          waitsForApproval: true,
          order: { requester: DEVELOPER, status: 'pending_approval' },
        }),
    },
    denied: {
      input: () => ({ ...webapp, idempotencyKey: 'denied' }),
      hidden: true,
      rest: () => ({ method: 'post', path: '/orders', body: webapp }),
    },
    badInput: { input: () => webapp, field: 'idempotencyKey' },
  },
  'get-order': {
    happy: {
      input: f => ({ id: f.orderId }),
      expect: (output, f) =>
        expect(output.order).toMatchObject({ id: f.orderId }),
    },
    denied: {
      input: f => ({ id: f.orderId }),
      rest: f => ({ method: 'get', path: `/orders/${f.orderId}` }),
    },
    badInput: { input: () => ({ id: 5 }), field: 'id' },
  },
  'list-my-orders': {
    happy: {
      input: () => ({ status: 'pending_approval' }),
      expect: (output, f) =>
        expect(output.orders.map((o: { id: string }) => o.id)).toContain(
          f.orderId,
        ),
    },
    denied: {
      input: () => ({}),
      rest: () => ({ method: 'get', path: '/orders?scope=mine' }),
    },
    badInput: { input: () => ({ status: 'lost' }), field: 'status' },
  },
  'list-my-approvals': {
    happy: {
      as: APPROVER,
      input: () => ({}),
      expect: (output, f) =>
        expect(output.orders.map((o: { id: string }) => o.id)).toContain(
          f.orderId,
        ),
    },
    denied: {
      input: () => ({}),
      hidden: true,
      rest: () => ({ method: 'get', path: '/orders?scope=inbox' }),
    },
    badInput: { as: APPROVER, input: () => ({ limit: 101 }), field: 'limit' },
  },
  'approve-order': {
    happy: {
      as: APPROVER,
      input: f => ({ id: f.twoKeysOrderId, comment: 'one of two' }),
      expect: output =>
        expect(output.order).toMatchObject({
          status: 'pending_approval',
          approvals: 1,
        }),
    },
    denied: {
      input: f => ({ id: f.orderId }),
      hidden: true,
      rest: f => ({ method: 'post', path: `/orders/${f.orderId}/approve` }),
    },
    badInput: { as: APPROVER, input: () => ({}), field: 'id' },
  },
  'reject-order': {
    happy: {
      as: APPROVER,
      input: f => ({ id: f.toRejectId, comment: 'not this one' }),
      expect: output =>
        expect(output.order).toMatchObject({ status: 'rejected' }),
    },
    denied: {
      input: f => ({ id: f.orderId }),
      hidden: true,
      rest: f => ({ method: 'post', path: `/orders/${f.orderId}/reject` }),
    },
    badInput: { as: APPROVER, input: () => ({ id: 3 }), field: 'id' },
  },
  'list-my-subscriptions': {
    happy: {
      input: () => ({}),
      expect: (output, f) =>
        expect(output.subscriptions.map((s: { id: string }) => s.id)).toContain(
          f.subscriptionId,
        ),
    },
    denied: {
      input: () => ({}),
      rest: () => ({ method: 'get', path: '/subscriptions' }),
    },
    badInput: { input: () => ({ owner: 5 }), field: 'owner' },
  },
  'get-subscription': {
    happy: {
      input: f => ({ id: f.subscriptionId }),
      expect: (output, f) =>
        expect(output.subscription).toMatchObject({ id: f.subscriptionId }),
    },
    denied: {
      input: f => ({ id: f.subscriptionId }),
      rest: f => ({
        method: 'get',
        path: `/subscriptions/${f.subscriptionId}`,
      }),
    },
    badInput: { input: () => ({}), field: 'id' },
  },
  'quote-subscription': {
    happy: {
      input: f => ({ id: f.subscriptionId, action: 'renew', periods: 2 }),
      expect: output =>
        expect(output.quote).toMatchObject({
          total: { amount: '98.00', currency: 'USD' },
        }),
    },
    denied: {
      input: f => ({ id: f.subscriptionId, action: 'renew', periods: 2 }),
      rest: f => ({
        method: 'post',
        path: `/subscriptions/${f.subscriptionId}/quote`,
        body: { action: 'renew', periods: 2 },
      }),
    },
    badInput: {
      input: f => ({ id: f.subscriptionId, action: 'grow' }),
      field: 'action',
    },
  },
  'renew-subscription': {
    happy: {
      input: f => ({ id: f.subscriptionId, periods: 1, idempotencyKey: 'r' }),
      expect: output => expect(output.subscription.version).toBe(2),
    },
    denied: {
      input: f => ({ id: f.subscriptionId, periods: 1, idempotencyKey: 'd' }),
      rest: f => ({
        method: 'post',
        path: `/subscriptions/${f.subscriptionId}/renew`,
        body: { periods: 1 },
      }),
    },
    badInput: {
      input: f => ({
        id: f.subscriptionId,
        periods: 'two',
        idempotencyKey: 'b',
      }),
      field: 'periods',
    },
  },
  'change-subscription-plan': {
    happy: {
      input: f => ({
        id: f.subscriptionId,
        planId: 'enterprise',
        idempotencyKey: 'p',
      }),
      expect: output =>
        expect(output.subscription).toMatchObject({
          plan: expect.objectContaining({ id: 'enterprise' }),
        }),
    },
    denied: {
      input: f => ({
        id: f.subscriptionId,
        planId: 'enterprise',
        idempotencyKey: 'd',
      }),
      rest: f => ({
        method: 'post',
        path: `/subscriptions/${f.subscriptionId}/change-plan`,
        body: { planId: 'enterprise' },
      }),
    },
    badInput: {
      input: f => ({ id: f.subscriptionId, idempotencyKey: 'b' }),
      field: 'planId',
    },
  },
  'cancel-subscription': {
    happy: {
      input: f => ({
        id: f.subscriptionId,
        when: 'period-end',
        idempotencyKey: 'c',
      }),
      expect: output =>
        expect(output.subscription).toMatchObject({ cancelAtPeriodEnd: true }),
    },
    denied: {
      input: f => ({
        id: f.subscriptionId,
        when: 'period-end',
        idempotencyKey: 'd',
      }),
      rest: f => ({
        method: 'post',
        path: `/subscriptions/${f.subscriptionId}/cancel`,
        body: { when: 'period-end' },
      }),
    },
    badInput: {
      input: f => ({
        id: f.subscriptionId,
        when: 'later',
        idempotencyKey: 'b',
      }),
      field: 'when',
    },
  },
};

/** The catalog of the order tests, with the product of the subscription tests. */
const entities: Entity[] = [
  ...orderEntities.map(entity =>
    entity.kind === 'Group' && entity.metadata.name === 'team-web'
      ? {
          ...entity,
          // the annotation that charges the team for its subscriptions
          metadata: subscriptionEntities.find(
            e => e.kind === 'Group' && e.metadata.name === 'team-web',
          )!.metadata,
        }
      : entity,
  ),
  ...subscriptionEntities.filter(
    e =>
      !orderEntities.some(
        o => o.kind === e.kind && o.metadata.name === e.metadata.name,
      ),
  ),
];

describe.each(databases.eachSupportedId())(
  'every store action on %p',
  databaseId => {
    const backends = createStoreTestBackends(databases, { stopAfter: 'all' });
    let backend: StoreTestBackend;
    const fixtures = {} as Fixtures;
    const invoke = (user: string, name: string, input: object) =>
      backend
        .as(user)
        .post(`/.backstage/actions/v1/actions/store:${name}/invoke`, input);
    const listed = async (user: string) =>
      (
        await backend.as(user).get('/.backstage/actions/v1/actions')
      ).body.actions.map((a: { id: string }) => a.id) as string[];

    beforeAll(async () => {
      const payments = createTestPaymentsModule();
      backend = await backends.start(databaseId, {
        entities,
        features: [createFakeCloudPlugin(), scaffolderPlugin, payments.module],
        // The blocked user may do nothing at all.
        authorize: (r, user) =>
          user === BLOCKED
            ? { result: AuthorizeResult.DENY }
            : onlyAdminAdministers(ADMIN)(r, user),
        authorizeConditional: (r, user) =>
          user === BLOCKED
            ? { result: AuthorizeResult.DENY }
            : subscriptionsOfGroups(ADMIN, {
                [DEVELOPER]: 'group:default/team-web',
              })(r, user),
      });
      const order = async (product: string) => {
        const res = await backend
          .as(DEVELOPER)
          .post('/orders', { ...webapp, product });
        expect(res.status).toBe(201);
        return res.body.id as string;
      };
      fixtures.orderId = await order(webapp.product);
      fixtures.twoKeysOrderId = await order('product:default/twokeys');
      fixtures.toRejectId = await order(webapp.product);
      fixtures.subscriptionId = (
        await subscriptionOfOrder(backend, {
          user: DEVELOPER,
          admin: ADMIN,
          order: {
            ...db,
            plan: 'standard',
            parameters: { name: 'shop', owner: 'group:default/team-web' },
          },
        })
      ).id;
    });

    it('has a case of every action it registers', async () => {
      const ids = (await listed(ADMIN)).filter(id => id.startsWith('store:'));
      expect(ids.sort()).toEqual(
        Object.keys(storeCases)
          .map(name => `store:${name}`)
          .sort(),
      );
    });

    const names = Object.keys(storeCases);

    it.each(names)('%s: the happy path', async name => {
      const { happy } = storeCases[name];
      const res = await invoke(
        happy.as ?? DEVELOPER,
        name,
        happy.input(fixtures),
      );
      expect(res.body.error).toBeUndefined();
      expect(res.status).toBe(200);
      happy.expect(res.body.output, fixtures);
    });

    it.each(names)('%s: a denial, answered as the REST API', async name => {
      const { denied } = storeCases[name];
      const res = await invoke(BLOCKED, name, denied.input(fixtures));
      const { method, path, body } = denied.rest(fixtures);
      const rest =
        method === 'get'
          ? await backend.as(BLOCKED).get(path)
          : await backend.as(BLOCKED).post(path, body);
      expect([403, 404]).toContain(rest.status);
      // A hidden action is not listed, and not found: the registry answers
      // before the action runs.
      const expected = denied.hidden
        ? {
            listed: false,
            status: 404,
            message: `Action "store:${name}" not found`,
          }
        : {
            listed: true,
            status: rest.status,
            message: rest.body.error.message,
          };
      expect({
        listed: (await listed(BLOCKED)).includes(`store:${name}`),
        status: res.status,
        message: res.body.error.message,
      }).toEqual(expected);
    });

    it.each(names)('%s: bad input, naming the field', async name => {
      const { badInput } = storeCases[name];
      const res = await invoke(
        badInput.as ?? DEVELOPER,
        name,
        badInput.input(fixtures),
      );
      expect(res.status).toBe(400);
      expect(res.body.error.name).toBe('InputError');
      expect(res.body.error.message).toMatch(
        new RegExp(
          `^input(/${badInput.field} | must have required property '${badInput.field}')`,
        ),
      );
    });

    it('places an order once per idempotency key, shared with the REST API', async () => {
      const order = { ...webapp, idempotencyKey: 'once' };
      const first = await invoke(DEVELOPER, 'place-order', order);
      expect(first.status).toBe(200);
      const again = await invoke(DEVELOPER, 'place-order', order);
      expect(again.status).toBe(200);
      expect(again.body.output.order).toEqual(first.body.output.order);
      const overRest = await backend
        .as(DEVELOPER)
        .post('/orders', webapp, 'once');
      expect(overRest.body.id).toBe(first.body.output.order.id);
      const other = await invoke(DEVELOPER, 'place-order', {
        ...order,
        parameters: { name: 'other' },
      });
      expect(other.status).toBe(409);
      expect(
        backend.auditedMeta.filter(
          e => e.eventId === 'order-create' && e.meta?.client === 'agent',
        ),
      ).toHaveLength(2); // 'happy' and 'once'
    });

    it('answers what the services refuse with their own words', async () => {
      const { subscriptionId: id } = fixtures;
      // The schema's refusal reads as the REST API's validation reads.
      const unplanned = { product: webapp.product };
      const overRest = await backend
        .as(DEVELOPER)
        .post('/orders/preview', unplanned);
      expect(overRest.status).toBe(400);
      const overAction = await invoke(DEVELOPER, 'preview-order', unplanned);
      expect(overAction.body.error.message).toBe(
        overRest.body.error.message.replace('request/body', 'input'),
      );

      const noPlan = await invoke(DEVELOPER, 'quote-subscription', {
        id,
        action: 'change-plan',
      });
      expect(noPlan.status).toBe(400);
      expect(noPlan.body.error.message).toBe(
        'planId is required to quote change-plan',
      );
      const zero = await invoke(DEVELOPER, 'renew-subscription', {
        id,
        periods: 0,
        idempotencyKey: 'zero',
      });
      const rest = await backend
        .as(DEVELOPER)
        .post(`/subscriptions/${id}/renew`, { periods: 0 });
      expect(zero.status).toBe(400);
      expect(zero.body.error.message).toBe(rest.body.error.message);
      const own = await invoke(DEVELOPER, 'approve-order', {
        id: fixtures.orderId,
      });
      expect(own.status).toBe(403);
      expect(own.body.error.message).toBe(
        'Requesters cannot approve their own orders',
      );
    });
  },
);
