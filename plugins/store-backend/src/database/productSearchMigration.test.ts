import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { ProductsStore } from './ProductsStore';

const migrationsDir = resolvePackagePath(
  '@internal/plugin-store-backend',
  'migrations',
);

// Migrating up and down takes a while on a loaded machine.
jest.setTimeout(60_000);

const databases = TestDatabases.create();

describe.each(databases.eachSupportedId())(
  'the product search migrations on %s',
  databaseId => {
    it('index the products stored before them, and go down again', async () => {
      const knex = await databases.init(databaseId);
      const config = { directory: migrationsDir };
      while (
        !(await knex.migrate.currentVersion(config)).startsWith(
          '20261210000000',
        )
      ) {
        await knex.migrate.up(config);
      }
      const now = new Date('2026-01-01T00:00:00Z');
      await knex('store_products').insert({
        id: 'product:default/redis',
        namespace: 'default',
        name: 'redis',
        title: 'Redis Cache',
        title_sort: 'redis cache',
        summary: '',
        type: 'service',
        category: 'Databases',
        owner: 'group:default/team-data',
        lifecycle: 'published',
        audience_all: true,
        has_free_plan: false,
        needs_approval: false,
        search_text: 'redis redis cache key-value store',
        entity_json: '{}',
        content_hash: 'h',
        created_at: now,
        updated_at: now,
      });
      await knex.migrate.up(config);
      expect(await knex.migrate.currentVersion(config)).toBe('20261214000000');
      // The counts of facets come in between.
      await knex.migrate.up(config);
      expect(await knex.migrate.currentVersion(config)).toBe('20261220000000');
      await knex.migrate.up(config);
      expect(await knex.migrate.currentVersion(config)).toBe('20261228000000');
      expect(
        await knex('store_product_words').orderBy('word').pluck('word'),
      ).toEqual(['cache', 'key', 'redis', 'store', 'value']);

      const store = await ProductsStore.create({
        database: mockServices.database({ knex }),
        skipMigrations: true,
      });
      const search = async (q: string) =>
        (
          await store.listProducts({
            filters: { q },
            permissionFilter: undefined,
            sort: 'name',
            limit: 10,
          })
        ).items.map(p => p.name);
      expect(await search('key val')).toEqual(['redis']);
      expect(await search('memcached')).toEqual([]);

      await knex.migrate.down(config);
      expect(await knex.schema.hasTable('store_product_words')).toBe(false);
      await knex.migrate.down(config);
      expect(await knex.migrate.currentVersion(config)).toBe('20261214000000');
      await knex.migrate.down(config);
      expect(await knex.migrate.currentVersion(config)).toBe('20261210000000');
      expect(await knex('store_products').pluck('id')).toEqual([
        'product:default/redis',
      ]);
      await knex.migrate.latest(config);
      expect(await search('cache')).toEqual(['redis']);
    });

    it("add the index of the orders' products that pages test subscriptions through, and drop it", async () => {
      const knex = await databases.init(databaseId);
      const config = { directory: migrationsDir };
      const index = 'store_orders_product_subscriber_idx';
      const hasIndex = async () =>
        (knex.client.config.client === 'pg'
          ? await knex('pg_indexes').where('indexname', index)
          : await knex('sqlite_master').where({ type: 'index', name: index })
        ).length === 1;
      await knex.migrate.latest(config);
      expect(await knex.migrate.currentVersion(config)).toBe('20261230000000');
      expect(await hasIndex()).toBe(true);
      await knex.migrate.down(config);
      expect(await hasIndex()).toBe(false);
      await knex.migrate.up(config);
      expect(await hasIndex()).toBe(true);
    });
  },
);
