import {
  mockCredentials,
  TestDatabaseId,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import permissionPlugin from '@backstage/plugin-permission-backend';
import scaffolderPlugin from '@backstage/plugin-scaffolder-backend';
import { JsonObject } from '@backstage/types';
import { mockUserInfoFromCatalog } from '@internal/plugin-catalog-node-groups/testUtils';
// eslint-disable-next-line @backstage/no-mixed-plugin-imports -- the real cloud backend and its inventory
import cloudPlugin from '@internal/plugin-cloud-backend';
import localModule from '@internal/plugin-cloud-backend-module-local';
// eslint-disable-next-line @backstage/no-mixed-plugin-imports -- the real policy decides
import permissionModuleStorePolicy from '@internal/plugin-permission-backend-module-store-policy';
import fs from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import YAML from 'yaml';
import {
  createStoreTestBackends,
  StoreTestBackend,
} from './__testUtils__/backend';
import { SERVER_JS } from './__testUtils__/cloud';
import { makeGroup, makeUser } from './__testUtils__/orders';
import {
  createTestPaymentsModule,
  subscriptionEntities,
  subscriptionOfOrder,
} from './__testUtils__/subscriptions';

jest.setTimeout(180_000);

const DEVELOPER = 'user:default/developer';
const OUTSIDER = 'user:default/outsider';
const NOBODY = 'user:default/nobody';
const ADMIN = 'user:default/platform-admin';

const ENTITIES: Entity[] = [
  ...subscriptionEntities,
  makeUser('nobody', ['visitors']),
  makeGroup('visitors'),
];

/** The demo's bindings: everybody a consumer, admins everything. */
const DEMO_ACCESS = {
  bindings: [
    { policy: 'StoreConsumer', principals: ['*'] },
    {
      policy: 'AdministratorAccess',
      principals: ['group:default/platform-admins'],
    },
  ],
};

/**
 * A custom configuration: team-web may only read its own stacks; visitors
 * get nothing at all; team-data orders as usual.
 */
const CUSTOM_ACCESS = {
  policies: [
    {
      name: 'OwnStacksReadOnly',
      statements: [
        {
          effect: 'allow',
          permissions: ['cloud.stack.read'],
          conditions: { rule: 'IS_STACK_OWNER', params: { owners: '$claims' } },
        },
      ],
    },
  ],
  bindings: [
    { policy: 'OwnStacksReadOnly', principals: ['group:default/team-web'] },
    { policy: 'StoreConsumer', principals: ['group:default/team-data'] },
    {
      policy: 'AdministratorAccess',
      principals: ['group:default/platform-admins'],
    },
  ],
};

/** Every operation of the store's and the cloud's OpenAPI specs. */
function specEndpoints(): string[] {
  const specs = {
    store: join(__dirname, 'schema/openapi.yaml'),
    cloud: require.resolve(
      '@internal/plugin-cloud-backend/src/schema/openapi.yaml',
    ),
  };
  return Object.entries(specs).flatMap(([pluginId, file]) => {
    const spec = YAML.parse(fs.readFileSync(file, 'utf8')) as {
      paths: Record<string, Record<string, unknown>>;
    };
    return Object.entries(spec.paths).flatMap(([path, operations]) =>
      Object.keys(operations)
        .filter(m => ['get', 'post', 'put', 'patch', 'delete'].includes(m))
        .map(method => `${method.toUpperCase()} /${pluginId}${path}`),
    );
  });
}

/** The ids of another group's resources that the calls below name. */
type Ids = {
  order: string;
  subscription: string;
  stack: string;
  invoice: string;
};

/**
 * A valid call of each endpoint about the resources of `ids`, so that a
 * refusal comes from the policy, not from validation.
 */
const CALLS: Record<string, (ids: Ids) => { path: string; body?: object }> = {
  'GET /store/products': () => ({ path: '/products' }),
  'GET /store/products/facets': () => ({ path: '/products/facets' }),
  'GET /store/products/{namespace}/{name}': () => ({
    path: '/products/default/db',
  }),
  'POST /store/orders/preview': () => ({
    path: '/orders/preview',
    body: { product: 'product:default/db', plan: 'standard' },
  }),
  'POST /store/orders': () => ({
    path: '/orders',
    body: {
      product: 'product:default/db',
      plan: 'standard',
      provider: 'local',
      parameters: { name: 'mine', owner: 'group:default/team-web' },
    },
  }),
  'GET /store/orders': () => ({ path: '/orders' }),
  'GET /store/orders/{id}': ids => ({ path: `/orders/${ids.order}` }),
  'POST /store/orders/{id}/{action}': ids => ({
    path: `/orders/${ids.order}/approve`,
    body: {},
  }),
  'GET /store/subscriptions': () => ({ path: '/subscriptions' }),
  'GET /store/subscriptions/{id}': ids => ({
    path: `/subscriptions/${ids.subscription}`,
  }),
  'POST /store/subscriptions/{id}/quote': ids => ({
    path: `/subscriptions/${ids.subscription}/quote`,
    body: { action: 'renew', periods: 1 },
  }),
  'POST /store/subscriptions/{id}/renew': ids => ({
    path: `/subscriptions/${ids.subscription}/renew`,
    body: { periods: 1 },
  }),
  'POST /store/subscriptions/{id}/change-plan': ids => ({
    path: `/subscriptions/${ids.subscription}/change-plan`,
    body: { planId: 'enterprise' },
  }),
  'POST /store/subscriptions/{id}/cancel': ids => ({
    path: `/subscriptions/${ids.subscription}/cancel`,
    body: { when: 'now' },
  }),
  'PUT /store/subscriptions/{id}/auto-renew': ids => ({
    path: `/subscriptions/${ids.subscription}/auto-renew`,
    body: { autoRenew: false },
  }),
  'POST /store/usage': ids => ({
    path: '/usage',
    body: {
      events: [
        {
          id: 'evt-1',
          subscriptionId: ids.subscription,
          dimension: 'node-hours',
          quantity: '1',
          occurredAt: '2026-01-10T00:00:00Z',
        },
      ],
    },
  }),
  'GET /store/invoices': () => ({ path: '/invoices' }),
  'POST /store/invoices/run': () => ({
    path: '/invoices/run',
    body: { period: '2026-01' },
  }),
  'GET /store/invoices/{id}': ids => ({ path: `/invoices/${ids.invoice}` }),
  'GET /store/invoices/{id}/csv': ids => ({
    path: `/invoices/${ids.invoice}/csv`,
  }),
  'POST /store/invoices/{id}/credit-notes': ids => ({
    path: `/invoices/${ids.invoice}/credit-notes`,
    body: {
      reason: 'goodwill',
      lines: [{ description: 'goodwill', amount: '1.00' }],
    },
  }),
  'GET /store/billing/costs': () => ({
    path: '/billing/costs?from=2026-01&to=2026-02&groupBy=account',
  }),
  'GET /cloud/providers': () => ({ path: '/providers' }),
  'GET /cloud/stacks': () => ({ path: '/stacks' }),
  'POST /cloud/stacks': () => ({
    path: '/stacks',
    body: {
      name: 'mine',
      owner: 'group:default/team-web',
      provider: 'local',
      region: 'local',
      spec: { roles: [{ name: 'app', count: 1, command: ['true'] }] },
    },
  }),
  'GET /cloud/stacks/{stackId}': ids => ({ path: `/stacks/${ids.stack}` }),
  'DELETE /cloud/stacks/{stackId}': ids => ({ path: `/stacks/${ids.stack}` }),
  'POST /cloud/stacks/{stackId}/start': ids => ({
    path: `/stacks/${ids.stack}/start`,
    body: {},
  }),
  'POST /cloud/stacks/{stackId}/stop': ids => ({
    path: `/stacks/${ids.stack}/stop`,
    body: {},
  }),
  'POST /cloud/stacks/{stackId}/restart': ids => ({
    path: `/stacks/${ids.stack}/restart`,
    body: {},
  }),
  'POST /cloud/stacks/{stackId}/scale': ids => ({
    path: `/stacks/${ids.stack}/scale`,
    body: { role: 'app', count: 1 },
  }),
  'PUT /cloud/stacks/{stackId}/limits': ids => ({
    path: `/stacks/${ids.stack}/limits`,
    body: { instances: 9 },
  }),
  'POST /cloud/stacks/{stackId}/nodes/{nodeName}/script': ids => ({
    path: `/stacks/${ids.stack}/nodes/app-1/script`,
    body: { script: 'echo hi' },
  }),
  'GET /cloud/stacks/{stackId}/nodes/{nodeName}/logs': ids => ({
    path: `/stacks/${ids.stack}/nodes/app-1/logs`,
  }),
  'GET /cloud/usage': () => ({ path: '/usage' }),
  'GET /cloud/stacks/{stackId}/metrics': ids => ({
    path: `/stacks/${ids.stack}/metrics`,
  }),
  'GET /cloud/stacks/{stackId}/nodes/{nodeName}/metrics': ids => ({
    path: `/stacks/${ids.stack}/nodes/app-1/metrics`,
  }),
  'GET /cloud/stacks/{stackId}/alerts': ids => ({
    path: `/stacks/${ids.stack}/alerts`,
  }),
  'GET /cloud/monitoring/overview': () => ({ path: '/monitoring/overview' }),
  'GET /cloud/metrics': () => ({ path: '/metrics' }),
};

/** Requests that POST a question rather than a change. */
const READS = [
  'POST /store/orders/preview',
  'POST /store/subscriptions/{id}/quote',
];

const databases = TestDatabases.create();

describe('every store and cloud endpoint under the real policy', () => {
  const backends = createStoreTestBackends(databases);
  const dataDir = fs.mkdtempSync(join(os.tmpdir(), 'store-access-'));
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  async function startBackend(databaseId: TestDatabaseId, access: object) {
    return backends.start(databaseId, {
      entities: ENTITIES,
      features: [
        scaffolderPlugin,
        createTestPaymentsModule().module,
        cloudPlugin,
        localModule,
        // Sign-in gives users their direct groups, as the catalog says.
        mockUserInfoFromCatalog(ENTITIES),
      ],
      permissionBackend: [permissionPlugin, permissionModuleStorePolicy],
      now: new Date('2026-01-01T10:00:00Z'),
      config: {
        permission: { enabled: true },
        cloudStore: { access } as JsonObject,
        cloud: { local: { dataDir: join(dataDir, databaseId) } },
      },
    });
  }

  /** A call of the table as a user, or without credentials. */
  async function call(
    server: StoreTestBackend['server'],
    key: string,
    ids: Ids,
    authorization: string,
  ) {
    const [method, route] = key.split(' ');
    const pluginId = route.split('/')[1];
    const { path, body } = CALLS[key](ids);
    const req = request(server)
      [method.toLowerCase() as 'get' | 'post' | 'put' | 'delete'](
        `/api/${pluginId}${path}`,
      )
      .set('authorization', authorization);
    return body ? req.send(body) : req;
  }

  /**
   * Resources of team-data: an order and its subscription (by the
   * outsider), a January invoice, and a running stack.
   */
  async function seedTeamData(backend: StoreTestBackend): Promise<Ids> {
    const subscription = await subscriptionOfOrder(backend, {
      user: OUTSIDER,
      admin: ADMIN,
      order: {
        product: 'product:default/db',
        plan: 'standard',
        provider: 'local',
        parameters: { name: 'data-db', owner: 'group:default/team-data' },
      },
    });
    backend.clock.now = new Date('2026-02-10T10:00:00Z');
    const run = await backend.as(ADMIN).post('/invoices/run', {
      period: '2026-01',
    });
    expect(run.status).toBeLessThan(300);
    const invoices = await backend.as(ADMIN).get('/invoices');
    const stack = await createStack(backend, 'data-app', 'team-data');
    return {
      order: (await backend.as(ADMIN).get(`/subscriptions/${subscription.id}`))
        .body.orderId,
      subscription: subscription.id,
      invoice: invoices.body.items.find(
        (i: { account: string }) => i.account === 'group:default/team-data',
      ).id,
      stack,
    };
  }

  async function createStack(
    backend: StoreTestBackend,
    name: string,
    group: string,
  ): Promise<string> {
    const res = await backend.as(ADMIN, 'cloud').post('/stacks', {
      name,
      owner: `group:default/${group}`,
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
    return res.body.id;
  }

  it('has a call for every endpoint of both specs', () => {
    expect(Object.keys(CALLS).sort()).toEqual(specEndpoints().sort());
  });

  describe.each(databases.eachSupportedId())('%p', databaseId => {
    it('with the demo configuration: strangers get 401, users 403 from admin endpoints and 404 for what other groups own, which no list shows', async () => {
      const backend = await startBackend(databaseId, DEMO_ACCESS);
      const ids = await seedTeamData(backend);
      const as = (user: string) => mockCredentials.user.header(user);

      const refused: string[] = [];
      for (const key of Object.keys(CALLS)) {
        const res = await call(
          backend.server,
          key,
          ids,
          mockCredentials.none.header(),
        );
        if (res.status !== 401) {
          refused.push(`${key}: ${res.status}`);
        }
      }
      expect(refused).toEqual([]);

      // What the developer of team-web gets for team-data's resources.
      const expected: Record<string, number> = {
        'GET /store/orders/{id}': 404,
        'POST /store/orders/{id}/{action}': 404,
        'GET /store/subscriptions/{id}': 404,
        'POST /store/subscriptions/{id}/quote': 404,
        'POST /store/subscriptions/{id}/renew': 404,
        'POST /store/subscriptions/{id}/change-plan': 404,
        'POST /store/subscriptions/{id}/cancel': 404,
        'PUT /store/subscriptions/{id}/auto-renew': 404,
        'POST /store/usage': 403,
        'POST /store/invoices/run': 403,
        'GET /store/invoices/{id}': 404,
        'GET /store/invoices/{id}/csv': 404,
        'POST /store/invoices/{id}/credit-notes': 404,
        // Raw commands are for admins; runtimes are not configured here.
        'POST /cloud/stacks': 403,
        'GET /cloud/stacks/{stackId}': 404,
        'DELETE /cloud/stacks/{stackId}': 404,
        'POST /cloud/stacks/{stackId}/start': 404,
        'POST /cloud/stacks/{stackId}/stop': 404,
        'POST /cloud/stacks/{stackId}/restart': 404,
        'POST /cloud/stacks/{stackId}/scale': 404,
        'PUT /cloud/stacks/{stackId}/limits': 404,
        'POST /cloud/stacks/{stackId}/nodes/{nodeName}/script': 404,
        'GET /cloud/stacks/{stackId}/nodes/{nodeName}/logs': 404,
        'GET /cloud/usage': 403,
        'GET /cloud/stacks/{stackId}/metrics': 404,
        'GET /cloud/stacks/{stackId}/nodes/{nodeName}/metrics': 404,
        'GET /cloud/stacks/{stackId}/alerts': 404,
        'GET /cloud/monitoring/overview': 403,
        'GET /cloud/metrics': 403,
      };
      const actual: Record<string, number> = {};
      const leaks: string[] = [];
      const unaudited: string[] = [];
      for (const key of Object.keys(CALLS)) {
        if (key === 'POST /store/orders') {
          continue; // an order of one's own: nothing of team-data's
        }
        const before = backend.audited.length;
        const res = await call(backend.server, key, ids, as(DEVELOPER));
        // Every attempted change is audited, refused ones as failed.
        const change = !key.startsWith('GET ') && !READS.includes(key);
        if (change && backend.audited.length === before) {
          unaudited.push(key);
        }
        if (res.status >= 400) {
          actual[key] = res.status;
        }
        const text = JSON.stringify(res.body) + (res.text ?? '');
        for (const id of Object.values(ids)) {
          if (res.status < 400 && text.includes(id)) {
            leaks.push(`${key} shows ${id}`);
          }
        }
        if (res.status < 400 && text.includes('team-data')) {
          leaks.push(`${key} shows team-data`);
        }
      }
      expect(actual).toEqual(expected);
      expect(leaks).toEqual([]);
      expect(unaudited).toEqual([]);

      // The admin sees all of it, so the refusals above are the policy's.
      for (const key of [
        'GET /store/orders/{id}',
        'GET /store/subscriptions/{id}',
        'GET /store/invoices/{id}',
        'GET /cloud/stacks/{stackId}',
        'GET /cloud/usage',
      ]) {
        expect([
          key,
          (await call(backend.server, key, ids, as(ADMIN))).status,
        ]).toEqual([key, 200]);
      }
    });

    it('with a custom configuration: a user bound to nothing gets 403 or 404 everywhere, and team-web only reads its own stacks', async () => {
      const backend = await startBackend(databaseId, CUSTOM_ACCESS);
      const ids = await seedTeamData(backend);
      const own = await createStack(backend, 'web-app', 'team-web');
      const as = (user: string) => mockCredentials.user.header(user);

      const allowed: string[] = [];
      for (const key of Object.keys(CALLS)) {
        const res = await call(backend.server, key, ids, as(NOBODY));
        if (![403, 404].includes(res.status)) {
          allowed.push(`${key}: ${res.status}`);
        }
      }
      // Which providers exist is no secret to a signed-in user.
      expect(allowed).toEqual(['GET /cloud/providers: 200']);

      const stacks = await backend.as(DEVELOPER, 'cloud').get('/stacks');
      expect(stacks.status).toBe(200);
      expect(stacks.body.items.map((s: { id: string }) => s.id)).toEqual([own]);
      expect(
        (await backend.as(DEVELOPER, 'cloud').get(`/stacks/${own}`)).status,
      ).toBe(200);
      expect(
        (await backend.as(DEVELOPER, 'cloud').get(`/stacks/${ids.stack}`))
          .status,
      ).toBe(404);
      expect(
        (await backend.as(DEVELOPER, 'cloud').post(`/stacks/${own}/stop`, {}))
          .status,
      ).toBe(403);
      expect((await backend.as(DEVELOPER).get('/products')).status).toBe(403);
      expect((await backend.as(DEVELOPER).get('/orders')).status).toBe(403);
    });
  });
});
