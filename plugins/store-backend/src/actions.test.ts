import { TestDatabaseId, TestDatabases } from '@backstage/backend-test-utils';
import scaffolderPlugin from '@backstage/plugin-scaffolder-backend';
import {
  AuthorizePermissionRequest,
  AuthorizeResult,
} from '@backstage/plugin-permission-common';
import { storeOrderCreatePermission } from '@internal/plugin-store-common';
import {
  createStoreTestBackends,
  onlyAdminAdministers,
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

  const webapp = {
    product: 'product:default/webapp',
    plan: 'standard',
    provider: 'local',
    parameters: { name: 'shop' },
  };

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

    it('names the field of bad input', async () => {
      const { invoke } = await startBackend(databaseId);
      const { idempotencyKey: _, ...withoutKey } = {
        ...webapp,
        idempotencyKey: 'k',
      };
      const res = await invoke(DEVELOPER, 'place-order', withoutKey);
      expect(res.status).toBe(400);
      expect(JSON.stringify(res.body.error)).toContain('idempotencyKey');

      const unknownPlan = await invoke(DEVELOPER, 'preview-order', {
        product: webapp.product,
        plan: 'gold',
      });
      expect(unknownPlan.status).toBe(400);
    });

    it('hides what the user may not do, and answers as the API does', async () => {
      const { invoke, listed, as } = await startBackend(
        databaseId,
        (r: AuthorizePermissionRequest, user: string | undefined) => ({
          result:
            r.permission.name === storeOrderCreatePermission.name &&
            user === DEVELOPER
              ? AuthorizeResult.DENY
              : AuthorizeResult.ALLOW,
        }),
      );
      const ids = (await listed(DEVELOPER)).map(a => a.id);
      expect(ids).toContain('store:search-products');
      expect(ids).not.toContain('store:place-order');
      const res = await invoke(DEVELOPER, 'place-order', {
        ...webapp,
        idempotencyKey: 'k',
      });
      expect(res.status).toBe(404);
      // The HTTP API refuses the same user.
      expect((await as(DEVELOPER).post('/orders', webapp)).status).toBe(403);
    });
  });
});

describe('store subscription actions', () => {
  const backends = createStoreTestBackends(databases);
  const OUTSIDER = 'user:default/outsider';

  describe.each(databases.eachSupportedId())('%p', databaseId => {
    it('lets an agent quote and renew once per key, as the API does', async () => {
      const payments = createTestPaymentsModule();
      const backend = await backends.start(databaseId, {
        entities: subscriptionEntities,
        features: [createFakeCloudPlugin(), scaffolderPlugin, payments.module],
        now: new Date('2026-01-01T10:00:00Z'),
        authorizeConditional: subscriptionsOfGroups(ADMIN, {
          [DEVELOPER]: 'group:default/team-web',
          [OUTSIDER]: 'group:default/team-data',
        }),
      });
      const invoke = (user: string, name: string, input: object) =>
        backend
          .as(user)
          .post(`/.backstage/actions/v1/actions/store:${name}/invoke`, input);
      const { id } = await subscriptionOfOrder(backend, {
        user: DEVELOPER,
        admin: ADMIN,
        order: {
          product: 'product:default/db',
          plan: 'standard',
          provider: 'local',
          parameters: { name: 'shop', owner: 'group:default/team-web' },
        },
      });

      const mine = await invoke(DEVELOPER, 'list-my-subscriptions', {});
      expect(
        mine.body.output.subscriptions.map((s: { id: string }) => s.id),
      ).toEqual([id]);
      const quote = await invoke(DEVELOPER, 'quote-subscription', {
        id,
        action: 'renew',
        periods: 2,
      });
      expect(quote.status).toBe(200);
      expect(quote.body.output.quote).toMatchObject({
        total: { amount: '98.00', currency: 'USD' },
      });
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
        idempotencyKey: 'r0',
      });
      expect(zero.status).toBe(400);
      expect(
        (
          await backend
            .as(DEVELOPER)
            .post(`/subscriptions/${id}/renew`, { periods: 0 })
        ).body.error.message,
      ).toBe(zero.body.error.message);

      const renew = { id, periods: 2, version: 1, idempotencyKey: 'r1' };
      const renewed = await invoke(DEVELOPER, 'renew-subscription', renew);
      expect(renewed.status).toBe(200);
      expect(renewed.body.output.subscription).toMatchObject({
        currentPeriodEnd: '2026-04-01',
        version: 2,
      });
      const again = await invoke(DEVELOPER, 'renew-subscription', renew);
      expect(again.body.output.subscription.version).toBe(2);
      expect(
        backend.audited.filter(e => e === 'subscription-renew:success'),
      ).toHaveLength(1);

      const outsider = await invoke(OUTSIDER, 'get-subscription', { id });
      expect(outsider.status).toBe(404);
    });
  });
});
