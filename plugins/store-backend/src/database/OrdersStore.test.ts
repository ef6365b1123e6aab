import {
  mockServices,
  TestDatabaseId,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { ConflictError } from '@backstage/errors';
import { IdempotencyStore } from '@internal/backend-idempotency-node';
import { NewOrder, OrdersStore } from './OrdersStore';

jest.setTimeout(60_000);

function newOrder(id: string, overrides: Partial<NewOrder> = {}): NewOrder {
  return {
    id,
    productRef: 'product:default/postgresql',
    productTitle: 'PostgreSQL',
    templateRef: 'template:default/postgresql',
    planId: 'enterprise',
    provider: 'local',
    parameters: { name: 'db1' },
    price: { amount: '999.00', currency: 'USD', interval: 'month' },
    requester: 'user:default/developer',
    status: 'pending_approval',
    approvalsRequired: 1,
    approverGroups: ['group:default/platform-admins'],
    ...overrides,
  };
}

describe('OrdersStore', () => {
  const databases = TestDatabases.create();

  async function createStore(databaseId: TestDatabaseId) {
    const knex = await databases.init(databaseId);
    const store = await OrdersStore.create({
      database: mockServices.database({ knex }),
    });
    return { knex, store };
  }

  describe.each(databases.eachSupportedId())('%p', databaseId => {
    it('counts the orders of a first page in the same statement, and of any page', async () => {
      const { knex, store } = await createStore(databaseId);
      for (let i = 1; i <= 5; i++) {
        await store.createOrder(
          newOrder(`o${i}`, {
            approverGroups:
              i === 4 ? ['group:default/sre', 'group:default/dba'] : [],
          }),
          { actor: 'user:default/developer' },
          new Date(`2026-11-0${i}T10:00:00Z`),
        );
      }
      const reads: string[] = [];
      knex.on('query', (query: { sql: string }) => reads.push(query.sql));
      const filter = { requester: ['user:default/developer'] };

      const first = await store.listOrders({ filter, limit: 2 });
      // The page with its count, then its orders whole, with their
      // approver groups; the orders are kept, so the page again is one
      // statement.
      expect(reads).toHaveLength(2);
      reads.length = 0;
      expect(await store.listOrders({ filter, limit: 2 })).toEqual(first);
      expect(reads).toHaveLength(1);
      expect(first.totalItems).toBe(5);
      expect(first.items.map(o => [o.id, o.approverGroups])).toEqual([
        ['o5', []],
        ['o4', ['group:default/dba', 'group:default/sre']],
      ]);
      expect(first.items[0]).not.toHaveProperty('newest_first_count');
      expect(first.items[0]).not.toHaveProperty('approver_groups');

      const next = await store.listOrders({
        filter,
        limit: 2,
        cursor: first.nextCursor,
      });
      expect(next.totalItems).toBe(5);
      expect(next.items.map(o => o.id)).toEqual(['o3', 'o2']);
      const third = await store.listOrders({ filter, limit: 2, offset: 4 });
      expect(third).toMatchObject({ totalItems: 5, nextCursor: undefined });
      expect(third.items.map(o => o.id)).toEqual(['o1']);
      const past = await store.listOrders({ filter, limit: 2, offset: 9 });
      expect(past).toEqual({ items: [], totalItems: 5 });

      reads.length = 0;
      const none = await store.listOrders({
        filter: { requester: ['user:default/nobody'] },
        limit: 2,
      });
      expect(none).toEqual({ items: [], totalItems: 0 });
      expect(reads).toHaveLength(1);
    });

    it('reads an order whole only for a state of its row it has not seen', async () => {
      const { knex, store } = await createStore(databaseId);
      // Another instance of the backend, on the same database.
      const other = await OrdersStore.create({
        database: mockServices.database({ knex }),
        skipMigrations: true,
      });
      for (let i = 1; i <= 3; i++) {
        await store.createOrder(
          newOrder(`o${i}`),
          { actor: 'user:default/developer' },
          new Date(`2026-11-0${i}T10:00:00Z`),
        );
      }
      const filter = { requester: ['user:default/developer'] };
      const reads: Array<{ sql: string; bindings: unknown[] }> = [];
      knex.on('query', (query: { sql: string; bindings: unknown[] }) =>
        reads.push(query),
      );
      const list = async () => {
        reads.length = 0;
        return (await store.listOrders({ filter, limit: 10 })).items;
      };
      expect((await list()).map(o => o.id)).toEqual(['o3', 'o2', 'o1']);
      expect(reads).toHaveLength(2);
      await list();
      expect(reads).toHaveLength(1);

      await store.transition({
        id: 'o2',
        expected: { status: 'pending_approval', version: 1 },
        to: 'provisioning',
        action: 'approve',
        actor: 'user:default/admin',
      });
      expect((await list())[1]).toMatchObject({
        version: 2,
        taskId: undefined,
      });
      expect(reads).toHaveLength(2);
      // The task set on o2 keeps its version; o1 moves on at another
      // instance.
      await store.setTaskId({ id: 'o2', version: 2, taskId: 'task-2' });
      await other.transition({
        id: 'o1',
        expected: { status: 'pending_approval', version: 1 },
        to: 'rejected',
        action: 'reject',
        actor: 'user:default/admin',
        comment: 'no',
      });
      const items = await list();
      expect(items.map(o => [o.id, o.status, o.version, o.taskId])).toEqual([
        ['o3', 'pending_approval', 1, undefined],
        ['o2', 'provisioning', 2, 'task-2'],
        ['o1', 'rejected', 2, undefined],
      ]);
      expect(reads).toHaveLength(2);
      expect(reads[1].bindings).toEqual(expect.arrayContaining(['o2', 'o1']));
      expect(reads[1].bindings).not.toContain('o3');
      // Shared between requests, so nobody may change them.
      expect(Object.isFrozen(items[0].parameters)).toBe(true);
    });

    it('creates, reads and lists orders', async () => {
      const { store } = await createStore(databaseId);
      const created = await store.createOrder(
        newOrder('o1', { expiresAt: '2030-01-01T00:00:00.000Z' }),
        { actor: 'user:default/developer', comment: 'please' },
        new Date('2026-11-01T10:00:00Z'),
      );
      expect(created).toMatchObject({
        id: 'o1',
        status: 'pending_approval',
        version: 1,
        approvals: 0,
        price: { amount: '999.00', currency: 'USD', interval: 'month' },
        parameters: { name: 'db1' },
        approverGroups: ['group:default/platform-admins'],
        expiresAt: '2030-01-01T00:00:00.000Z',
        createdAt: '2026-11-01T10:00:00.000Z',
        events: [
          {
            action: 'create',
            toStatus: 'pending_approval',
            actor: 'user:default/developer',
            comment: 'please',
            createdAt: '2026-11-01T10:00:00.000Z',
          },
        ],
      });
      await store.createOrder(
        newOrder('o2', {
          requester: 'user:default/data-scientist',
          status: 'approved',
          approverGroups: [],
        }),
        { actor: 'user:default/data-scientist' },
        new Date('2026-11-02T10:00:00Z'),
      );

      const all = await store.listOrders({ filter: {}, limit: 10, offset: 0 });
      expect(all.totalItems).toBe(2);
      expect(all.items.map(o => o.id)).toEqual(['o2', 'o1']);
      const mine = await store.listOrders({
        filter: { requester: ['user:default/developer'] },
        limit: 10,
        offset: 0,
      });
      expect(mine.items.map(o => o.id)).toEqual(['o1']);
      const inbox = await store.listOrders({
        filter: {
          status: ['pending_approval'],
          approverGroup: ['group:default/platform-admins'],
        },
        limit: 10,
        offset: 0,
      });
      expect(inbox.items.map(o => o.id)).toEqual(['o1']);
      const late = await store.listOrders({
        filter: { createdAfter: new Date('2026-11-02T00:00:00Z') },
        limit: 10,
        offset: 0,
      });
      expect(late.items.map(o => o.id)).toEqual(['o2']);
      expect(
        await store.listOrderIds({
          status: 'pending_approval',
          expiresBefore: new Date('2031-01-01T00:00:00Z'),
        }),
      ).toEqual(['o1']);
      expect(
        await store.listOrderIds({
          status: 'pending_approval',
          expiresBefore: new Date('2029-01-01T00:00:00Z'),
        }),
      ).toEqual([]);
    });

    it('lets exactly one of two concurrent decisions win', async () => {
      const { store } = await createStore(databaseId);
      await store.createOrder(newOrder('o1'), { actor: 'user:default/dev' });
      const results = await Promise.allSettled([
        store.transition({
          id: 'o1',
          expected: { status: 'pending_approval', version: 1 },
          to: 'approved',
          action: 'approve',
          actor: 'user:default/approver',
          approver: 'user:default/approver',
          patch: { approvals: 1 },
        }),
        store.transition({
          id: 'o1',
          expected: { status: 'pending_approval', version: 1 },
          to: 'rejected',
          action: 'reject',
          actor: 'user:default/platform-admin',
          comment: 'too expensive',
        }),
      ]);
      const fulfilled = results.filter(r => r.status === 'fulfilled');
      const rejected = results.filter(
        (r): r is PromiseRejectedResult => r.status === 'rejected',
      );
      expect(fulfilled).toHaveLength(1);
      expect(rejected).toHaveLength(1);
      expect(rejected[0].reason).toBeInstanceOf(ConflictError);
      const order = await store.getOrder('o1');
      expect(order!.version).toBe(2);
      expect(order!.events).toHaveLength(2);
      expect(['approved', 'rejected']).toContain(order!.status);
    });

    it('records each approver once', async () => {
      const { store } = await createStore(databaseId);
      await store.createOrder(newOrder('o1', { approvalsRequired: 2 }), {
        actor: 'user:default/dev',
      });
      await store.transition({
        id: 'o1',
        expected: { status: 'pending_approval', version: 1 },
        to: 'pending_approval',
        action: 'approve',
        actor: 'user:default/approver',
        approver: 'user:default/approver',
        patch: { approvals: 1 },
      });
      await expect(
        store.transition({
          id: 'o1',
          expected: { status: 'pending_approval', version: 2 },
          to: 'approved',
          action: 'approve',
          actor: 'user:default/approver',
          approver: 'user:default/approver',
          patch: { approvals: 2 },
        }),
      ).rejects.toThrow(ConflictError);
      const order = await store.getOrder('o1');
      expect(order).toMatchObject({ version: 2, approvals: 1 });
      expect(await store.listApprovers('o1')).toEqual([
        'user:default/approver',
      ]);
    });

    it('stores task results', async () => {
      const { store } = await createStore(databaseId);
      await store.createOrder(newOrder('o1', { status: 'approved' }), {
        actor: 'user:default/dev',
      });
      await store.transition({
        id: 'o1',
        expected: { status: 'approved', version: 1 },
        to: 'provisioning',
        action: 'provision',
        actor: 'plugin:store',
        patch: { taskId: 't1' },
      });
      const done = await store.transition({
        id: 'o1',
        expected: { status: 'provisioning', version: 2 },
        to: 'fulfilled',
        action: 'fulfil',
        actor: 'plugin:store',
        patch: { output: { links: [{ url: 'http://x.localhost' }] } },
      });
      expect(done).toMatchObject({
        status: 'fulfilled',
        taskId: 't1',
        output: { links: [{ url: 'http://x.localhost' }] },
      });
      expect(done.events.map(e => [e.fromStatus, e.toStatus])).toEqual([
        [undefined, 'approved'],
        ['approved', 'provisioning'],
        ['provisioning', 'fulfilled'],
      ]);
    });

    it('keeps idempotency keys once per principal and route in its table', async () => {
      const { knex } = await createStore(databaseId);
      const keys = IdempotencyStore.create({
        knex,
        table: 'store_idempotency_keys',
      });
      const key = {
        principal: 'user:default/dev',
        route: 'POST /orders',
        key: 'k1',
      };
      expect(await keys.claim({ ...key, bodyHash: 'h1' })).toEqual({
        claimed: true,
      });
      expect(await keys.claim({ ...key, bodyHash: 'h1' })).toEqual({
        inProgress: true,
      });
      await keys.complete({
        ...key,
        response: { status: 201, body: { id: 'o1' } },
      });
      expect(await keys.claim({ ...key, bodyHash: 'h1' })).toEqual({
        response: { status: 201, body: { id: 'o1' } },
      });
      await expect(keys.claim({ ...key, bodyHash: 'h2' })).rejects.toThrow(
        ConflictError,
      );
      expect(
        await keys.claim({
          ...key,
          principal: 'user:default/other',
          bodyHash: 'h2',
        }),
      ).toEqual({ claimed: true });

      const failed = { ...key, key: 'k2' };
      await keys.claim({ ...failed, bodyHash: 'h1' });
      await keys.complete(failed);
      expect(await keys.claim({ ...failed, bodyHash: 'h3' })).toEqual({
        claimed: true,
      });
    });
  });
});
