import { TestDatabaseId, TestDatabases } from '@backstage/backend-test-utils';
import {
  AuthorizeResult,
  QueryPermissionRequest,
  QueryPermissionResponse,
} from '@backstage/plugin-permission-common';
import {
  consumerOrderVisibility,
  storeOrderReadPermission,
} from '@internal/plugin-store-common';
import {
  createStoreTestBackends,
  onlyAdminAdministers,
} from './__testUtils__/backend';
import { createFakeCloudPlugin } from './__testUtils__/cloud';
import { makeUser, orderEntities } from './__testUtils__/orders';
import { OrdersStore } from './database/OrdersStore';

jest.setTimeout(120_000);

const DEVELOPER = 'user:default/developer';
const APPROVER = 'user:default/approver';
const APPROVER_EU = 'user:default/approver-eu';
const ADMIN = 'user:default/platform-admin';
const OUTSIDER = 'user:default/outsider';

/** The groups of each user, nested ones included, as the policy sees them. */
const CLAIMS: Record<string, string[]> = {
  [DEVELOPER]: ['group:default/team-web', 'group:default/developers'],
  [APPROVER]: ['group:default/approvers'],
  [APPROVER_EU]: ['group:default/approvers-eu', 'group:default/approvers'],
  [OUTSIDER]: [],
};

/**
 * The store policy's decisions: admins read every order, others their own
 * and those their groups approve.
 */
function orderVisibility(
  r: QueryPermissionRequest,
  user: string | undefined,
): QueryPermissionResponse {
  if (r.permission.name !== storeOrderReadPermission.name || user === ADMIN) {
    return { result: AuthorizeResult.ALLOW };
  }
  return {
    result: AuthorizeResult.CONDITIONAL,
    pluginId: 'store',
    resourceType: 'store-order',
    conditions: consumerOrderVisibility({
      userEntityRef: user!,
      claims: [user!, ...(CLAIMS[user!] ?? [])],
    }),
  };
}

// Created at the top level, after the import of the test utilities: its
// databases close after the test backends that use them have stopped, not
// under their still-running loops (which then fail with "Unable to acquire
// a connection" and crash the jest worker that runs the next suite).
const databases = TestDatabases.create();

describe('order lists', () => {
  const backends = createStoreTestBackends(databases);

  async function startBackend(databaseId: TestDatabaseId) {
    const { as, permissions, storeDb } = await backends.start(databaseId, {
      entities: [...orderEntities, makeUser('outsider', [])],
      features: [createFakeCloudPlugin()],
      // The product index is filled once, at start-up.
      runAtStart: id => id !== 'store-orders-housekeeping',
      authorize: onlyAdminAdministers(ADMIN),
      authorizeConditional: orderVisibility,
    });
    const { authorize, authorizeConditional } = permissions;
    /** Ids of a list, and how many permission requests it made. */
    async function list(user: string, query: string) {
      authorize.mockClear();
      authorizeConditional.mockClear();
      // Encoded as clients do: refs and times hold reserved characters.
      const res = await as(user).get(
        `/orders?${new URLSearchParams(query).toString()}`,
      );
      expect({ query, status: res.status, error: res.body.error }).toEqual({
        query,
        status: 200,
        error: undefined,
      });
      return {
        ids: (res.body.items as Array<{ id: string }>).map(o => o.id).sort(),
        totalItems: res.body.totalItems as number,
        nextCursor: res.body.nextCursor as string | undefined,
        permissionCalls:
          authorize.mock.calls.length + authorizeConditional.mock.calls.length,
        permissionRequests: [
          ...authorize.mock.calls,
          ...authorizeConditional.mock.calls,
        ].reduce((sum, [requests]) => sum + requests.length, 0),
      };
    }
    async function order(user: string, body: object) {
      const res = await as(user).post('/orders', {
        provider: 'local',
        plan: 'standard',
        ...body,
      });
      expect(res.status).toBe(201);
      return res.body.id as string;
    }
    return { as, list, order, knex: storeDb };
  }

  describe.each(databases.eachSupportedId())('%p', databaseId => {
    afterEach(() => jest.restoreAllMocks());

    it('filters the lists of a requester, an approver and an admin with one permission request', async () => {
      const { list, order } = await startBackend(databaseId);
      // Approved by the approvers group.
      const a = await order(DEVELOPER, {
        product: 'product:default/webapp',
        parameters: { name: 'shop' },
      });
      const b = await order(DEVELOPER, {
        product: 'product:default/twokeys',
        parameters: { name: 'shop2' },
      });
      // No approver groups: only its requester and admins see it.
      const c = await order(APPROVER_EU, {
        product: 'product:default/nogroups',
        parameters: { name: 'eu' },
      });

      const cases: Array<[string, string, string[]]> = [
        [DEVELOPER, 'scope=mine', [a, b]],
        [DEVELOPER, 'scope=all', [a, b]],
        [APPROVER, 'scope=mine', []],
        [APPROVER, 'scope=all', [a, b]],
        [APPROVER_EU, 'scope=mine', [c]],
        [APPROVER_EU, 'scope=all', [a, b, c]],
        [ADMIN, 'scope=mine', []],
        [ADMIN, 'scope=all', [a, b, c]],
        [OUTSIDER, 'scope=all', []],
      ];
      const pages = jest.spyOn(OrdersStore.prototype, 'listOrders');
      for (const [user, query, expected] of cases) {
        const result = await list(user, query);
        expect({ user, query, ids: result.ids }).toEqual({
          user,
          query,
          ids: [...expected].sort(),
        });
        expect(result.totalItems).toBe(expected.length);
        expect(result.permissionCalls).toBe(1);
        expect(result.permissionRequests).toBe(1);
      }
      // a list of a scope alone may be a prepared statement
      expect(pages.mock.calls.map(([o]) => o.prepared)).toEqual(
        cases.map(() => true),
      );
    });

    it('filters by status, product, requester, group and dates', async () => {
      const { list, order, knex } = await startBackend(databaseId);
      const a = await order(DEVELOPER, {
        product: 'product:default/webapp',
        parameters: { name: 'shop' },
      });
      const b = await order(APPROVER_EU, {
        product: 'product:default/nogroups',
        parameters: { name: 'eu', owner: 'group:default/platform-admins' },
      });
      const c = await order(APPROVER, {
        product: 'product:default/webapp',
        parameters: { name: 'old' },
      });
      await knex('store_orders')
        .where({ id: c })
        .update({
          status: 'cancelled',
          created_at: new Date('2026-01-15T10:00:00Z'),
        });

      const pages = jest.spyOn(OrdersStore.prototype, 'listOrders');
      const ids = async (query: string) =>
        (await list(ADMIN, `scope=all&${query}`)).ids;
      expect(await ids('status=cancelled')).toEqual([c]);
      expect(await ids('status=cancelled&status=pending_approval')).toEqual(
        [a, b, c].sort(),
      );
      expect(await ids('product=product:default/webapp')).toEqual(
        [a, c].sort(),
      );
      expect(await ids('product=webapp&requester=developer')).toEqual([a]);
      // A member of a nested group is in its parent group.
      expect(await ids('group=group:default/developers')).toEqual([a]);
      expect(await ids('group=approvers')).toEqual([b, c].sort());
      // The group the order is placed for.
      expect(await ids('group=platform-admins')).toEqual([b]);
      expect(
        await ids('createdAfter=2026-01-15&createdBefore=2026-01-16'),
      ).toEqual([c]);
      expect(await ids('createdBefore=2026-01-15T10:00:00Z')).toEqual([]);
      expect(await ids('createdAfter=2026-01-15T10:00:00.000Z')).toEqual(
        [a, b, c].sort(),
      );
      // a statement of what a user typed is never prepared
      expect(pages).toHaveBeenCalledTimes(10);
      expect(pages.mock.calls.every(([o]) => o.prepared === false)).toBe(true);
    });

    it('refuses bad filters with a 400 that names the problem', async () => {
      const { as } = await startBackend(databaseId);
      const cases: Array<[string, RegExp]> = [
        ['status=shipped', /Unknown order status "shipped"/],
        ['createdAfter=yesterday', /createdAfter "yesterday" is not a date/],
        [
          'createdBefore=2026-13-45',
          /createdBefore "2026-13-45" is not a date/,
        ],
        [
          'createdAfter=2026-02-01&createdBefore=2026-01-01',
          /createdAfter 2026-02-01 is later than createdBefore 2026-01-01/,
        ],
        ['cursor=nonsense', /Malformed cursor/],
      ];
      for (const [query, message] of cases) {
        const res = await as(ADMIN).get(
          `/orders?${new URLSearchParams(`scope=all&${query}`)}`,
        );
        expect({ query, status: res.status }).toEqual({ query, status: 400 });
        expect(res.body.error.message).toMatch(message);
      }
    });

    it('pages through orders with a cursor, none repeated or missed', async () => {
      const { list, order, knex } = await startBackend(databaseId);
      const created: string[] = [];
      for (let i = 0; i < 5; i++) {
        created.push(
          await order(DEVELOPER, {
            product: 'product:default/webapp',
            parameters: { name: `shop${i}` },
          }),
        );
      }
      // Two orders at the same instant: the id breaks the tie.
      await knex('store_orders')
        .whereIn('id', created.slice(0, 2))
        .update({ created_at: new Date('2026-01-01T00:00:00Z') });
      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await list(
          DEVELOPER,
          `scope=mine&limit=2${
            cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''
          }`,
        );
        expect(page.totalItems).toBe(5);
        seen.push(...page.ids);
        cursor = page.nextCursor;
        pages += 1;
      } while (cursor && pages < 10);
      expect(pages).toBe(3);
      expect([...seen].sort()).toEqual([...created].sort());
    });
  });
});
