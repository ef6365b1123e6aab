import {
  mockCredentials,
  mockServices,
  startTestBackend,
  TestDatabaseId,
  TestDatabases,
} from '@backstage/backend-test-utils';
import {
  coreServices,
  createServiceFactory,
  BackstageCredentials,
} from '@backstage/backend-plugin-api';
import {
  AuthorizeResult,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  consumerProductVisibility,
  ProductEntity,
  STORE_PRODUCT_RESOURCE_TYPE,
  storeProductReadPermission,
} from '@internal/plugin-store-common';
import request from 'supertest';
import { makeProduct, makeTemplate } from './__testUtils__/products';
import { OrdersStore } from './database/OrdersStore';
import { storePlugin } from './plugin';
import { createFakeCloudPlugin } from './__testUtils__/cloud';

jest.setTimeout(60_000);

// The claims that the store policy sends: the user, their groups and every
// ancestor group of those (nested membership, see examples/org.yaml).
const CLAIMS: Record<string, string[]> = {
  'user:default/developer': [
    'user:default/developer',
    'group:default/developers',
    'group:default/engineering',
    'group:default/acme',
  ],
  'user:default/data-scientist': [
    'user:default/data-scientist',
    'group:default/team-data',
    'group:default/developers',
    'group:default/engineering',
    'group:default/acme',
  ],
  'user:default/web-developer': [
    'user:default/web-developer',
    'group:default/team-web',
    'group:default/developers',
    'group:default/engineering',
    'group:default/acme',
  ],
  'user:default/accountant': [
    'user:default/accountant',
    'group:default/finance',
    'group:default/acme',
  ],
};
const ADMIN = 'user:default/platform-admin';

/**
 * A product as the catalog stitches it after rejecting its new descriptor:
 * the version it last accepted, with the error in its status.
 */
function withProcessingError(product: ProductEntity, message: string) {
  const ref = `product:default/${product.metadata.name}`;
  return {
    ...product,
    status: {
      items: [
        {
          type: 'backstage.io/catalog-processing',
          level: 'error' as const,
          message: `InputError: Processor ProductEntityProcessor threw an error while validating the entity ${ref}; caused by InputError: ${message}`,
          // As the catalog serializes it: its error, caused by the
          // processor's.
          error: {
            name: 'InputError',
            message: `Processor ProductEntityProcessor threw an error while validating the entity ${ref}; caused by InputError: ${message}`,
            cause: { name: 'InputError', message },
          },
        },
        {
          type: 'example.com/other-status',
          level: 'warning' as const,
          message: 'Not a processing error',
        },
      ],
    },
  };
}

const bulk = Array.from({ length: 25 }, (_, i) =>
  makeProduct(
    `bulk-${String(i).padStart(2, '0')}`,
    {
      category: 'Bulk',
      plans: [
        {
          id: 'standard',
          title: 'Standard',
          // Prices repeat so that keyset pagination must break ties.
          price: {
            amount: `${(i % 5) * 10}.00`,
            currency: 'USD',
            interval: 'month',
          },
        },
      ],
    },
    { title: `Bulk ${String(i).padStart(2, '0')}`, tags: ['bulk'] },
  ),
);

const entities = [
  makeProduct(
    'postgresql',
    { providers: ['local', 'kubernetes'] },
    { title: 'PostgreSQL Database', tags: ['database', 'sql'] },
  ),
  makeTemplate('postgresql'),
  withProcessingError(
    makeProduct(
      'redis',
      {
        category: 'Caches',
        plans: [
          {
            id: 'standard',
            title: 'Standard',
            price: { amount: '29.00', currency: 'USD', interval: 'month' },
          },
        ],
      },
      { title: 'Redis Cache', tags: ['cache'] },
    ),
    'spec.plans[0].price.currency "XYZ" is not an ISO 4217 currency code',
  ),
  makeProduct(
    'jupyter',
    { category: 'Data science', audience: ['group:default/team-data'] },
    { title: 'Jupyter Workspace', tags: ['python'] },
  ),
  makeProduct(
    'spark',
    { category: 'Data science', audience: ['group:default/developers'] },
    { title: 'Spark Cluster', tags: ['python'] },
  ),
  withProcessingError(
    makeProduct(
      'wordpress',
      {
        category: 'Web apps',
        lifecycle: 'draft',
        owner: 'group:default/team-web',
      },
      { title: 'WordPress Site', tags: ['web'] },
    ),
    'spec.plans[1].id "free" duplicates the id of spec.plans[0]',
  ),
  // Who is in team-web, for the store to tell a product's owners.
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'User',
    metadata: { name: 'web-developer', namespace: 'default' },
    spec: {},
    relations: [{ type: 'memberOf', targetRef: 'group:default/team-web' }],
  },
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Group',
    metadata: { name: 'team-web', namespace: 'default' },
    spec: { type: 'team', children: [] },
    relations: [{ type: 'childOf', targetRef: 'group:default/developers' }],
  },
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'User',
    metadata: { name: 'developer', namespace: 'default' },
    spec: {},
    relations: [{ type: 'memberOf', targetRef: 'group:default/developers' }],
  },
  makeProduct(
    'old-vpn',
    { category: 'Networking', lifecycle: 'deprecated' },
    { title: 'Old VPN' },
  ),
  ...bulk,
];

/** The policy of the store: admins see everything, others conditionally. */
function decide(credentials: BackstageCredentials): PolicyDecision {
  const principal = credentials.principal as { userEntityRef?: string };
  const user = principal.userEntityRef;
  if (!user || user === ADMIN) {
    return { result: AuthorizeResult.ALLOW };
  }
  return {
    result: AuthorizeResult.CONDITIONAL,
    pluginId: 'store',
    resourceType: STORE_PRODUCT_RESOURCE_TYPE,
    conditions: consumerProductVisibility(CLAIMS[user] ?? [user]),
  };
}

// Created at the top level, after the import of the test utilities: its
// databases close after the test backends that use them have stopped, not
// under their still-running loops (which then fail with "Unable to acquire
// a connection" and crash the jest worker that runs the next suite).
const databases = TestDatabases.create();

describe('store backend', () => {
  async function startBackend(
    databaseId: TestDatabaseId,
    /** The providers of the cloud backend; none: there is no cloud backend. */
    cloudProviders: string[] | 'none' = ['local', 'kubernetes'],
  ) {
    const knex = await databases.init(databaseId);
    const logger = mockServices.logger.mock();
    logger.child.mockImplementation(() => logger);
    const authorizeConditional = jest.fn(
      async (
        requests: Array<{ permission: { name: string } }>,
        options: { credentials: BackstageCredentials },
      ) =>
        requests.map(r => {
          expect(r.permission.name).toBe(storeProductReadPermission.name);
          return decide(options.credentials);
        }),
    );
    let refresh: (() => Promise<void>) | undefined;
    const scheduler = mockServices.scheduler.mock({
      scheduleTask: jest.fn(async task => {
        refresh = task.fn as () => Promise<void>;
      }),
    });
    const { server } = await startTestBackend({
      features: [
        ...(cloudProviders === 'none'
          ? []
          : [createFakeCloudPlugin(cloudProviders)]),
        storePlugin,
        createServiceFactory({
          service: coreServices.logger,
          deps: { plugin: coreServices.pluginMetadata },
          factory: ({ plugin }) =>
            plugin.getId() === 'store' ? logger : mockServices.logger.mock(),
        }),
        mockServices.database.factory({ knex }),
        catalogServiceMock.factory({ entities }),
        mockServices.permissions.mock({ authorizeConditional }).factory,
        scheduler.factory,
      ],
    });
    expect(refresh).toBeDefined();
    await refresh!();
    const get = (path: string, user: string) =>
      request(server)
        .get(`/api/store${path}`)
        .set('Authorization', mockCredentials.user.header(user));
    return { get, authorizeConditional, knex, logger };
  }

  /** An order of the product that went all the way to the given status. */
  async function orderOf(
    knex: Awaited<ReturnType<typeof startBackend>>['knex'],
    options: {
      id: string;
      product: string;
      requester: string;
      status: 'fulfilled' | 'cancelled';
    },
  ) {
    const orders = await OrdersStore.create({
      database: mockServices.database({ knex }),
      skipMigrations: true,
    });
    await orders.createOrder(
      {
        id: options.id,
        productRef: `product:default/${options.product}`,
        productTitle: options.product,
        templateRef: 'template:default/postgresql',
        planId: 'standard',
        provider: 'local',
        parameters: {},
        price: { amount: '10.00', currency: 'USD', interval: 'month' },
        requester: options.requester,
        status: options.status === 'fulfilled' ? 'provisioning' : 'approved',
        approvalsRequired: 0,
        approverGroups: [],
      },
      { actor: options.requester },
    );
    await orders.transition({
      id: options.id,
      expected: {
        status: options.status === 'fulfilled' ? 'provisioning' : 'approved',
        version: 1,
      },
      to: options.status,
      action: options.status === 'fulfilled' ? 'fulfil' : 'cancel',
      actor: options.requester,
    });
  }

  describe.each(databases.eachSupportedId())('%p', databaseId => {
    it('searches the products that a consumer may see', async () => {
      const { get } = await startBackend(databaseId);
      const res = await get('/products?q=postgres', 'user:default/developer');
      expect(res.status).toBe(200);
      expect(res.body.items.map((p: { name: string }) => p.name)).toEqual([
        'postgresql',
      ]);
      expect(res.body.items[0]).toMatchObject({
        ref: 'product:default/postgresql',
        title: 'PostgreSQL Database',
        fromPrice: { amount: '0.00', currency: 'USD', interval: 'month' },
        hasFreePlan: true,
        needsApproval: true,
        orderable: true,
        // as the publisher lists them: the first is the order form's default
        providers: ['local', 'kubernetes'],
      });

      const twoWords = await get(
        '/products?q=bulk%2007',
        'user:default/developer',
      );
      expect(twoWords.body.items.map((p: { name: string }) => p.name)).toEqual([
        'bulk-07',
      ]);
      const nothing = await get(
        '/products?q=jupyter',
        'user:default/developer',
      );
      expect(nothing.body).toEqual({ items: [] });
    });

    it('offers only the providers that the cloud backend has', async () => {
      const { get } = await startBackend(databaseId, ['local']);
      const listed = await get(
        '/products?q=postgres',
        'user:default/developer',
      );
      expect(listed.body.items[0]).toMatchObject({
        providers: ['local'],
        unavailableProviders: ['kubernetes'],
        orderable: true,
      });
      const detail = await get(
        '/products/default/postgresql',
        'user:default/developer',
      );
      expect(detail.body).toMatchObject({
        providers: ['local'],
        unavailableProviders: ['kubernetes'],
      });
      const facets = await get('/products/facets', 'user:default/developer');
      expect(facets.body.facets.provider).toEqual([
        { value: 'local', count: 28 },
      ]);
      // A provider the cloud backend lacks offers nothing.
      const onKubernetes = await get(
        '/products?provider=kubernetes',
        'user:default/developer',
      );
      expect(onKubernetes.body).toEqual({ items: [] });
      const kubernetesFacets = await get(
        '/products/facets?provider=kubernetes',
        'user:default/developer',
      );
      expect(kubernetesFacets.body.totalItems).toBe(0);
      const both = await get(
        '/products/facets?provider=kubernetes&provider=local',
        'user:default/developer',
      );
      expect(both.body.totalItems).toBe(28);
    });

    it('offers no provider without a cloud backend, and says so once', async () => {
      const { get, logger } = await startBackend(databaseId, 'none');
      const listed = await get(
        '/products?q=postgres',
        'user:default/developer',
      );
      expect(listed.status).toBe(200);
      expect(listed.body.items[0]).toMatchObject({
        providers: [],
        unavailableProviders: ['local', 'kubernetes'],
        orderable: false,
      });
      const facets = await get('/products/facets', 'user:default/developer');
      expect(facets.body.facets.provider).toEqual([]);
      expect(facets.body.totalItems).toBe(28);
      const warnings = logger.warn.mock.calls.filter(([message]) =>
        /Could not list the providers of the cloud backend/.test(
          String(message),
        ),
      );
      expect(warnings).toHaveLength(1);
    });

    it('filters by facets and counts them', async () => {
      const { get } = await startBackend(databaseId);
      const facets = await get('/products/facets', 'user:default/developer');
      expect(facets.status).toBe(200);
      expect(facets.body.totalItems).toBe(28);
      expect(facets.body.facets.category).toEqual([
        { value: 'Bulk', count: 25 },
        { value: 'Caches', count: 1 },
        { value: 'Data science', count: 1 },
        { value: 'Databases', count: 1 },
      ]);
      expect(facets.body.facets.freePlan).toEqual([
        { value: 'true', count: 7 },
      ]);
      expect(facets.body.facets.provider).toEqual([
        { value: 'local', count: 28 },
        { value: 'kubernetes', count: 1 },
      ]);

      // A facet's own filter does not narrow its counts; the others do.
      const filtered = await get(
        '/products/facets?category=Caches&freePlan=true',
        'user:default/developer',
      );
      expect(filtered.body.facets.category).toEqual([
        { value: 'Bulk', count: 5 },
        { value: 'Data science', count: 1 },
        { value: 'Databases', count: 1 },
      ]);
      expect(filtered.body.facets.freePlan).toEqual([]);
      expect(filtered.body.totalItems).toBe(0);
      const searched = await get(
        '/products/facets?q=bulk&freePlan=true',
        'user:default/developer',
      );
      expect(searched.body.totalItems).toBe(5);
      expect(searched.body.facets.tag).toEqual([{ value: 'bulk', count: 5 }]);

      const free = await get(
        '/products?freePlan=true&tag=sql&tag=cache',
        'user:default/developer',
      );
      expect(free.body.items.map((p: { name: string }) => p.name)).toEqual([
        'postgresql',
      ]);
      const priced = await get(
        '/products?minPrice=25&maxPrice=29.99&sort=price',
        'user:default/developer',
      );
      expect(priced.body.items.map((p: { name: string }) => p.name)).toEqual([
        'redis',
      ]);
    });

    type Listed = {
      name: string;
      title: string;
      fromPrice: { amount: string };
    };
    const byName = (a: Listed, b: Listed) =>
      a.title
        .toLocaleLowerCase('en-US')
        .localeCompare(b.title.toLocaleLowerCase('en-US')) ||
      a.name.localeCompare(b.name);
    const byPrice = (a: Listed, b: Listed) =>
      Number(a.fromPrice.amount) - Number(b.fromPrice.amount) ||
      a.name.localeCompare(b.name);
    // All products were indexed at once and never ordered: ties by id, in
    // the direction of the sort (most ordered and newest sort downwards).
    const byIdDown = (a: Listed, b: Listed) => b.name.localeCompare(a.name);

    it.each([
      ['name', byName],
      ['price', byPrice],
      ['orders', byIdDown],
      ['newest', byIdDown],
    ] as const)(
      'pages through all products sorted by %s',
      async (sort, compare) => {
        const { get } = await startBackend(databaseId);
        const seen: Listed[] = [];
        let cursor: string | undefined;
        let pages = 0;
        do {
          const res = await get(
            `/products?sort=${sort}&limit=4${
              cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''
            }`,
            'user:default/developer',
          );
          expect(res.status).toBe(200);
          seen.push(...res.body.items);
          cursor = res.body.nextCursor;
          pages += 1;
        } while (cursor && pages < 20);
        expect(pages).toBe(7);
        expect(new Set(seen.map(p => p.name)).size).toBe(28);
        expect(seen.map(p => p.name)).toEqual(
          [...seen].sort(compare).map(p => p.name),
        );
      },
    );

    it('shows each user what they may see', async () => {
      const { get } = await startBackend(databaseId);
      const names = async (user: string) =>
        (
          await get(
            '/products?category=Databases&category=Data%20science&category=Web%20apps&category=Networking&category=Caches',
            user,
          )
        ).body.items.map((p: { name: string }) => p.name);

      expect(await names('user:default/developer')).toEqual([
        'postgresql',
        'redis',
        'spark',
      ]);
      // Spark is for developers; team-data is a child group of developers.
      expect(await names('user:default/data-scientist')).toEqual([
        'jupyter',
        'postgresql',
        'redis',
        'spark',
      ]);
      // An owner also sees its draft.
      expect(await names('user:default/web-developer')).toEqual([
        'postgresql',
        'redis',
        'spark',
        'wordpress',
      ]);
      // Finance is not under developers.
      expect(await names('user:default/accountant')).toEqual([
        'postgresql',
        'redis',
      ]);
      expect(await names(ADMIN)).toEqual([
        'jupyter',
        'old-vpn',
        'postgresql',
        'redis',
        'spark',
        'wordpress',
      ]);

      const hidden = await get(
        '/products/default/wordpress',
        'user:default/developer',
      );
      expect(hidden.status).toBe(404);
      expect(hidden.body.error.name).toBe('NotFoundError');
      const owned = await get(
        '/products/default/wordpress',
        'user:default/web-developer',
      );
      expect(owned.status).toBe(200);
      expect(owned.body).toMatchObject({
        lifecycle: 'draft',
        orderable: false,
        // Its owners see why the catalog rejected the new descriptor.
        processingErrors: [
          {
            name: 'InputError',
            message:
              'spec.plans[1].id "free" duplicates the id of spec.plans[0]',
          },
        ],
      });
      // So does whoever sees every product; a product without errors has none.
      expect(
        (await get('/products/default/wordpress', ADMIN)).body.processingErrors,
      ).toHaveLength(1);
      expect(
        (
          await get(
            '/products/default/postgresql',
            'user:default/web-developer',
          )
        ).body,
      ).not.toHaveProperty('processingErrors');
      // Consumers of a published product do not see its owners' errors.
      const redis = await get(
        '/products/default/redis',
        'user:default/developer',
      );
      expect(redis.status).toBe(200);
      expect(redis.body).not.toHaveProperty('processingErrors');
      expect(
        (await get('/products/default/redis', ADMIN)).body.processingErrors,
      ).toEqual([
        {
          name: 'InputError',
          message:
            'spec.plans[0].price.currency "XYZ" is not an ISO 4217 currency code',
        },
      ]);
      const deprecated = await get('/products/default/old-vpn', ADMIN);
      expect(deprecated.body).toMatchObject({
        lifecycle: 'deprecated',
        orderable: false,
      });
    });

    it('shows a deprecated product to its subscribers only', async () => {
      const { get, knex, authorizeConditional } = await startBackend(
        databaseId,
      );
      await orderOf(knex, {
        id: 'o-subscriber',
        product: 'old-vpn',
        requester: 'user:default/developer',
        status: 'fulfilled',
      });
      // A cancelled order is no subscription.
      await orderOf(knex, {
        id: 'o-cancelled',
        product: 'old-vpn',
        requester: 'user:default/accountant',
        status: 'cancelled',
      });
      const list = async (user: string) =>
        (await get('/products?category=Networking', user)).body.items.map(
          (p: { name: string }) => p.name,
        );
      const facets = async (user: string) =>
        (await get('/products/facets?q=vpn', user)).body;

      authorizeConditional.mockClear();
      expect(await list('user:default/developer')).toEqual(['old-vpn']);
      expect(authorizeConditional).toHaveBeenCalledTimes(1);
      expect(await facets('user:default/developer')).toMatchObject({
        totalItems: 1,
        facets: { category: [{ value: 'Networking', count: 1 }] },
      });
      const page = await get(
        '/products/default/old-vpn',
        'user:default/developer',
      );
      expect(page.status).toBe(200);
      expect(page.body).toMatchObject({
        lifecycle: 'deprecated',
        orderable: false,
        subscribed: true,
        // Every order counts, the cancelled one too.
        orderCount: 2,
      });

      for (const user of [
        'user:default/accountant',
        'user:default/web-developer',
      ]) {
        expect(await list(user)).toEqual([]);
        expect((await facets(user)).totalItems).toBe(0);
        expect((await get('/products/default/old-vpn', user)).status).toBe(404);
      }

      expect(await list(ADMIN)).toEqual(['old-vpn']);
      const admin = await get('/products/default/old-vpn', ADMIN);
      expect(admin.body).toMatchObject({ subscribed: false, orderable: false });
    });

    it('asks for permission exactly once per request', async () => {
      const { get, authorizeConditional } = await startBackend(databaseId);
      for (const path of [
        '/products?limit=100',
        '/products/facets',
        '/products/default/postgresql',
      ]) {
        authorizeConditional.mockClear();
        const res = await get(path, 'user:default/developer');
        expect(res.status).toBe(200);
        expect(authorizeConditional).toHaveBeenCalledTimes(1);
        expect(authorizeConditional.mock.calls[0][0]).toHaveLength(1);
      }
    });

    it('returns a product with its plans and template parameters', async () => {
      const { get } = await startBackend(databaseId);
      const res = await get(
        '/products/default/postgresql',
        'user:default/developer',
      );
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        title: 'PostgreSQL Database',
        description: 'The postgresql product',
        template: 'template:default/postgresql',
        approval: {
          policy: 'above-threshold',
          approverGroups: ['group:default/platform-admins'],
        },
        templateParameters: [
          expect.objectContaining({ title: 'Instance', required: ['name'] }),
        ],
      });
      expect(
        res.body.plans.map(
          (p: {
            id: string;
            price: { amount: string };
            needsApproval: boolean;
          }) => [p.id, p.price.amount, p.needsApproval],
        ),
      ).toEqual([
        ['free', '0.00', false],
        ['standard', '49.00', false],
        ['enterprise', '999.00', true],
      ]);
    });

    it.each([
      ['sort=popular', /sort/],
      ['cursor=not-a-cursor', /Malformed cursor/],
      ['limit=0', /limit/],
      ['limit=101', /limit/],
      [`q=<201 characters>`.replace(/<.*>/, 'x'.repeat(201)), /q/],
      ['minPrice=abc', /minPrice/],
      ['minPrice=10&maxPrice=5', /minPrice must not be above maxPrice/],
    ])(
      'refuses a bad query with a 400 that says why (%#)',
      async (query, message) => {
        const { get } = await startBackend(databaseId);
        const res = await get(`/products?${query}`, 'user:default/developer');
        expect(res.status).toBe(400);
        expect(res.body.error.message).toMatch(message);
      },
    );

    it('refuses a cursor of another sort order', async () => {
      const { get } = await startBackend(databaseId);
      const first = await get('/products?limit=2', 'user:default/developer');
      const res = await get(
        `/products?sort=price&cursor=${first.body.nextCursor}`,
        'user:default/developer',
      );
      expect(res.status).toBe(400);
      expect(res.body.error.message).toMatch(
        /sorted by "name", not by "price"/,
      );
    });
  });
});
