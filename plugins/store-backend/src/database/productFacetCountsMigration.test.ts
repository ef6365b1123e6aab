import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { makeProduct } from '../__testUtils__/products';
import { toIndexedProduct } from '../service/toIndexedProduct';
import { ProductFacetCounter } from './ProductFacetCounter';
import { FACET_COUNTS } from './ProductFacetCounts';
import { ProductsStore } from './ProductsStore';
import { ProductPermissionFilter } from './types';

const migrationsDir = resolvePackagePath(
  '@internal/plugin-store-backend',
  'migrations',
);

// Migrating up and down takes a while on a loaded machine.
jest.setTimeout(60_000);

const databases = TestDatabases.create();

const PREVIOUS = '20261214000000';
const THIS = '20261220000000';

const products = [
  { name: 'redis', lifecycle: 'published', audience: [], tags: ['cache'] },
  {
    name: 'vault',
    lifecycle: 'published',
    audience: ['group:default/team-a', 'group:default/team-b'],
    tags: ['secrets', 'cache'],
  },
  {
    name: 'kafka',
    lifecycle: 'deprecated',
    audience: ['group:default/team-b', 'group:default/team-a'],
    tags: [],
  },
  {
    name: 'mongo',
    lifecycle: 'draft',
    audience: ['group:default/team-c'],
    tags: ['cache'],
  },
].map(({ name, lifecycle, audience, tags }) => ({
  ...toIndexedProduct(makeProduct(name, {}, { tags })),
  lifecycle: lifecycle as 'published' | 'deprecated' | 'draft',
  audience,
  owner: name === 'mongo' ? 'group:default/team-c' : 'group:default/team-d',
}));

type Indexed = (typeof products)[number];

const callers: ProductPermissionFilter[] = [
  undefined,
  { key: 'audience', values: ['group:default/team-a'] },
  {
    anyOf: [
      {
        allOf: [
          { key: 'lifecycle', values: ['published'] },
          { key: 'audience', values: ['group:default/team-c'] },
        ],
      },
      { key: 'owner', values: ['group:default/team-c'] },
    ],
  },
];

describe.each(databases.eachSupportedId())(
  'the product facet counts migration on %s',
  databaseId => {
    it('counts the products indexed before it, and goes down again', async () => {
      const knex = await databases.init(databaseId);
      const config = { directory: migrationsDir };
      while (
        !(await knex.migrate.currentVersion(config)).startsWith(PREVIOUS)
      ) {
        await knex.migrate.up(config);
      }
      // The index as the store wrote it before this migration.
      const now = new Date('2026-01-01T00:00:00Z');
      await knex('store_products').insert(
        products.map(p => ({
          id: p.id,
          namespace: p.namespace,
          name: p.name,
          title: p.title,
          title_sort: p.title,
          summary: p.summary,
          type: p.type,
          category: p.category,
          owner: p.owner,
          lifecycle: p.lifecycle,
          audience_all: p.audience.length === 0,
          from_price_minor: p.fromPriceMinor ?? null,
          from_currency: p.fromPrice?.currency ?? null,
          from_interval: p.fromPrice?.interval ?? null,
          has_free_plan: p.hasFreePlan,
          needs_approval: p.needsApproval,
          search_text: p.searchText,
          entity_json: JSON.stringify(p.entity),
          content_hash: p.contentHash,
          created_at: now,
          updated_at: now,
        })),
      );
      for (const [table, column, values] of [
        ['store_product_tags', 'tag', (p: Indexed) => p.tags],
        ['store_product_providers', 'provider', (p: Indexed) => p.providers],
        ['store_product_audience', 'group_ref', (p: Indexed) => p.audience],
      ] as const) {
        const rows = products.flatMap(p =>
          values(p).map(value => ({ product_id: p.id, [column]: value })),
        );
        if (rows.length) {
          await knex(table).insert(rows);
        }
      }

      await knex.migrate.up(config);
      expect(await knex.migrate.currentVersion(config)).toBe(THIS);

      const store = await ProductsStore.create({
        database: mockServices.database({ knex }),
        skipMigrations: true,
      });
      const counter = new ProductFacetCounter(knex);
      const scan = jest.spyOn(counter, 'countByScan');
      const expectCountsOfAScan = async () => {
        for (const permissionFilter of callers) {
          const kept = await counter.count({ filters: {}, permissionFilter });
          expect(kept).toEqual(
            await counter.countByScan({ filters: {}, permissionFilter }),
          );
        }
      };
      await expectCountsOfAScan();
      expect(scan).toHaveBeenCalledTimes(callers.length);
      expect(
        (await counter.count({ filters: {}, permissionFilter: undefined }))
          .facets.tag,
      ).toEqual([
        { value: 'cache', count: 3 },
        { value: 'secrets', count: 1 },
      ]);

      // Changes of backfilled products take their counts off the same
      // classes as the store's own writes would.
      const [redis, vault, kafka] = products;
      await store.replaceAll([
        redis,
        { ...vault, audience: ['group:default/team-c'], contentHash: 'v2' },
        {
          ...kafka,
          lifecycle: 'published',
          tags: ['queue'],
          contentHash: 'k2',
        },
      ]);
      await expectCountsOfAScan();
      expect(
        (await counter.count({ filters: {}, permissionFilter: undefined }))
          .facets.tag,
      ).toEqual([
        { value: 'cache', count: 2 },
        { value: 'queue', count: 1 },
        { value: 'secrets', count: 1 },
      ]);

      await knex.migrate.down(config);
      expect(await knex.migrate.currentVersion(config)).toBe(PREVIOUS);
      expect(await knex.schema.hasTable(FACET_COUNTS)).toBe(false);
      await knex.migrate.up(config);
      await expectCountsOfAScan();
    });
  },
);
