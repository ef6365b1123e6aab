import {
  mockServices,
  TestDatabaseId,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { makeProduct } from '../__testUtils__/products';
import { toIndexedProduct } from '../service/toIndexedProduct';
import { Knex } from 'knex';
import { OrdersStore } from './OrdersStore';
import { searchTerms } from './ProductFilters';
import { ProductsStore } from './ProductsStore';
import {
  ProductCursor,
  ProductPermissionFilter,
  ProductQueryFilters,
} from './types';

jest.setTimeout(60_000);

describe('ProductsStore', () => {
  const databases = TestDatabases.create();

  async function createStore(databaseId: TestDatabaseId) {
    const knex = await databases.init(databaseId);
    const store = await ProductsStore.create({
      database: mockServices.database({ knex }),
    });
    return { knex, store };
  }

  async function orderOf(orders: OrdersStore, name: string, n: number) {
    await orders.createOrder(
      {
        id: `${name}-${n}`,
        // Refs keep the case they were written in; the index is lower-case.
        productRef: `Product:default/${name}`,
        productTitle: name,
        templateRef: 'template:default/t',
        planId: 'standard',
        provider: 'local',
        parameters: {},
        price: { amount: '1.00', currency: 'USD', interval: 'month' },
        requester: 'user:default/developer',
        status: 'approved',
        approvalsRequired: 0,
        approverGroups: [],
      },
      { actor: 'user:default/developer' },
    );
  }

  /** Fulfils an order of `orderOf`, which makes its requester a subscriber. */
  async function fulfil(orders: OrdersStore, id: string) {
    await orders.transition({
      id,
      expected: { status: 'approved', version: 1 },
      to: 'fulfilled',
      action: 'fulfil',
      actor: 'user:default/developer',
    });
  }

  describe.each(databases.eachSupportedId())('%p', databaseId => {
    it('adds, updates and removes products', async () => {
      const { knex, store } = await createStore(databaseId);
      const a = toIndexedProduct(
        makeProduct('a', {}, { tags: ['sql', 'database'] }),
      );
      const b = toIndexedProduct(makeProduct('b'));
      expect(await store.replaceAll([a, b])).toEqual({
        added: 2,
        updated: 0,
        removed: 0,
      });
      expect(await store.replaceAll([a, b])).toEqual({
        added: 0,
        updated: 0,
        removed: 0,
      });

      const a2 = toIndexedProduct(
        makeProduct('a', { category: 'Caches' }, { tags: ['cache'] }),
      );
      expect(await store.replaceAll([a2])).toEqual({
        added: 0,
        updated: 1,
        removed: 1,
      });
      const stored = await store.getProduct({
        id: 'product:default/a',
        permissionFilter: undefined,
      });
      expect(stored).toMatchObject({ category: 'Caches', tags: ['cache'] });
      expect(await knex('store_product_tags').select()).toEqual([
        { product_id: 'product:default/a', tag: 'cache' },
      ]);
      expect(
        await store.getProduct({
          id: 'product:default/b',
          permissionFilter: undefined,
        }),
      ).toBeUndefined();
    });

    it('writes only what changed, in statements of many rows', async () => {
      const { knex, store } = await createStore(databaseId);
      const products = Array.from({ length: 1200 }, (_, i) =>
        toIndexedProduct(
          makeProduct(
            `p-${i}`,
            { audience: i % 3 ? [] : ['group:default/a', 'group:default/b'] },
            { tags: ['x', `t-${i % 7}`] },
          ),
        ),
      );
      const writes: string[] = [];
      knex.on('query', (query: { sql: string }) => {
        if (/^\s*(insert|update|delete)/i.test(query.sql)) {
          writes.push(query.sql);
        }
      });
      const first = new Date('2026-12-01T00:00:00Z');
      expect(await store.replaceAll(products, first)).toEqual({
        added: 1200,
        updated: 0,
        removed: 0,
      });
      // Products and each child table in at most a few statements, not one
      // per product or per small batch.
      expect(writes.length).toBeGreaterThan(0);
      expect(writes.length).toBeLessThanOrEqual(20);

      writes.length = 0;
      await store.replaceAll(products, new Date('2026-12-02T00:00:00Z'));
      expect(writes).toEqual([]);

      const changed = toIndexedProduct(
        makeProduct('p-3', { category: 'Caches' }, { tags: ['cache'] }),
      );
      const later = new Date('2026-12-03T00:00:00Z');
      const next = products.map(p => (p.id === changed.id ? changed : p));
      expect(await store.replaceAll(next, later)).toEqual({
        added: 0,
        updated: 1,
        removed: 0,
      });
      const touched = await knex('store_products')
        .where('updated_at', '>', new Date('2026-12-02T00:00:00Z'))
        .select('id', 'category', 'created_at');
      expect(touched.map(r => [r.id, r.category])).toEqual([
        ['product:default/p-3', 'Caches'],
      ]);
      expect(new Date(touched[0].created_at)).toEqual(first);
      const tags = await knex('store_product_tags')
        .where('product_id', 'product:default/p-3')
        .pluck('tag');
      expect(tags).toEqual(['cache']);
      expect(
        Number((await knex('store_product_tags').count({ n: '*' }))[0].n),
      ).toBe(1199 * 2 + 1);
      const audience = await knex('store_product_audience')
        .where('product_id', 'product:default/p-3')
        .pluck('group_ref');
      expect(audience).toEqual([]);
    });

    it('reads a page or a product in one statement of its keys once their content is kept, with its tags, providers and audience', async () => {
      const { knex, store } = await createStore(databaseId);
      const orders = await OrdersStore.create({
        database: mockServices.database({ knex }),
      });
      await store.replaceAll(
        [
          makeProduct(
            'a',
            {
              providers: ['local', 'kubernetes'],
              audience: ['group:default/team-b', 'group:default/team-a'],
            },
            { tags: ['sql', 'database'] },
          ),
          makeProduct('b'),
          makeProduct('c', {}, { tags: ['cache'] }),
        ].map(toIndexedProduct),
      );
      const reads: string[] = [];
      knex.on('query', (query: { sql: string }) => reads.push(query.sql));
      const firstPage = () =>
        store.listProducts({
          filters: {},
          permissionFilter: undefined,
          sort: 'name',
          limit: 2,
        });

      // The content of products not seen yet, in a second statement.
      await firstPage();
      expect(reads).toHaveLength(2);
      reads.length = 0;
      const page = await firstPage();
      expect(reads).toHaveLength(1);
      // Kept content is not read again: not the child tables, nor a
      // column that the content hash determines.
      expect(reads[0]).not.toMatch(
        /store_product_(tags|providers|audience)|summary|entity_json/,
      );
      expect(
        page.items.map(({ name, tags, providers, audience }) => ({
          name,
          tags,
          providers,
          audience,
        })),
      ).toEqual([
        {
          name: 'a',
          tags: ['database', 'sql'],
          providers: ['kubernetes', 'local'],
          audience: ['group:default/team-a', 'group:default/team-b'],
        },
        { name: 'b', tags: [], providers: ['local'], audience: [] },
      ]);
      expect(page.nextCursor).toMatchObject({ id: 'product:default/b' });
      const next = await store.listProducts({
        filters: {},
        permissionFilter: undefined,
        sort: 'name',
        cursor: page.nextCursor,
        limit: 2,
      });
      expect(next.items.map(p => [p.name, p.tags])).toEqual([['c', ['cache']]]);
      expect(next.nextCursor).toBeUndefined();

      // a's entity is kept since the first page
      reads.length = 0;
      const get = (subscriber?: string) =>
        store.getProduct({
          id: 'Product:default/A',
          permissionFilter: undefined,
          subscriber,
        });
      expect(await get('user:default/developer')).toMatchObject({
        name: 'a',
        tags: ['database', 'sql'],
        subscribed: false,
      });
      expect(reads).toHaveLength(1);
      await orderOf(orders, 'a', 1);
      await fulfil(orders, 'a-1');
      expect((await get('user:default/developer'))?.subscribed).toBe(true);
      expect((await get('user:default/other'))?.subscribed).toBe(false);
      expect(await get()).not.toHaveProperty('subscribed');

      // What changes without the content hash is read with the keys.
      reads.length = 0;
      const [first] = (await firstPage()).items;
      expect(first).toMatchObject({ name: 'a', orderCount: 1 });
      expect(reads).toHaveLength(1);
    });

    it("reads a product's entity only for a content hash it has not seen", async () => {
      const { knex, store } = await createStore(databaseId);
      await store.replaceAll(
        ['a', 'b'].map(name => toIndexedProduct(makeProduct(name))),
      );
      const reads: Array<{ sql: string; bindings: unknown[] }> = [];
      knex.on('query', (query: { sql: string; bindings: unknown[] }) =>
        reads.push(query),
      );
      const readEntities = () =>
        reads.filter(r => r.sql.includes('entity_json')).map(r => r.bindings);
      const get = async () =>
        (await store.getProduct({
          id: 'product:default/a',
          permissionFilter: undefined,
        }))!.entity;
      const first = await get();
      expect(readEntities()).toEqual([['product:default/a']]);
      expect(await get()).toBe(first);
      expect(readEntities()).toHaveLength(1);
      // shared between requests, so nobody may change it
      expect(Object.isFrozen(first.spec.plans[0].price)).toBe(true);

      // Another instance, or a change written by one, is another hash.
      await store.replaceAll([
        toIndexedProduct(makeProduct('a', { summary: 'Changed' })),
        toIndexedProduct(makeProduct('b')),
      ]);
      reads.length = 0;
      const changed = await get();
      expect(readEntities()).toEqual([['product:default/a']]);
      expect(changed).not.toBe(first);
      expect(changed.spec.summary).toBe('Changed');
      const [listed] = (
        await store.listProducts({
          filters: {},
          permissionFilter: undefined,
          sort: 'name',
          limit: 10,
        })
      ).items;
      expect(listed.entity).toBe(changed);
      expect(listed.summary).toBe('Changed');
    });

    it('searches by words and the starts of words, whatever the input', async () => {
      const { store } = await createStore(databaseId);
      await store.replaceAll(
        [
          makeProduct('postgresql', {}, { title: 'PostgreSQL Database' }),
          makeProduct(
            'redis',
            {},
            { title: 'Redis Cache', tags: ['kv-store'] },
          ),
          makeProduct('bulk-07', {}, { title: 'Bulk 07' }),
        ].map(toIndexedProduct),
      );
      const search = async (q: string) =>
        (
          await store.listProducts({
            filters: { q },
            permissionFilter: undefined,
            sort: 'name',
            limit: 10,
          })
        ).items.map(p => p.name);
      expect(await search('postgres')).toEqual(['postgresql']);
      expect(await search('Data  POST')).toEqual(['postgresql']);
      expect(await search('kv')).toEqual(['redis']);
      expect(await search('kv-sto')).toEqual(['redis']);
      expect(await search('bulk 07')).toEqual(['bulk-07']);
      expect(await search('redis postgres')).toEqual([]);
      // The syntax of either database's full-text queries is only text here.
      for (const hostile of [
        '"',
        "'",
        'redis*',
        'redis OR postgres',
        'NEAR(redis cache)',
        'search_text:redis',
        '!redis & | :* ()',
        '\\',
        '%',
        '-redis',
        "'); DROP TABLE store_product_words; --",
        'redis\u0000cache',
        'x'.repeat(5000),
      ]) {
        await expect(search(hostile)).resolves.toEqual(expect.any(Array));
      }
      expect(await search('redis*')).toEqual(['redis']);
      expect(await search('-redis')).toEqual(['redis']);
      expect(await search('%')).toEqual([]);
      expect(await search('"')).toEqual([]);
      expect(await search('redis cache')).toEqual(['redis']);
    });

    it('pages a search sorted by name as the full-text index orders it', async () => {
      const { knex, store } = await createStore(databaseId);
      // Common and rare words, words that share a start (more than a search
      // reads in order for "w"), repeated titles, words that are not ASCII.
      const products = Array.from({ length: 90 }, (_, i) => {
        const words = [
          i % 2 === 0 ? 'alpha' : 'omega',
          i % 3 === 0 ? 'beta' : '',
          i % 5 === 0 ? 'alphabet' : '',
          `w${i % 25}`,
          i === 41 ? 'zulu' : '',
          ['café', 'Ärger', 'naïve', 'plain'][i % 4],
        ].filter(Boolean);
        return makeProduct(
          `p-${String(i).padStart(3, '0')}`,
          {
            lifecycle: i % 7 === 0 ? 'draft' : 'published',
            category: i % 4 === 1 ? 'Queues' : 'Databases',
          },
          // Every tenth title is the same as another's: the id breaks ties.
          { title: i % 10 === 3 ? 'Same title' : words.join(' ') },
        );
      });
      await store.replaceAll(products.map(toIndexedProduct));
      const fullText = fullTextSearch(knex);
      const queries: string[] = [];
      knex.on('query', (q: { sql: string }) => queries.push(q.sql));

      const searches: Array<[string, ProductQueryFilters, 'words' | 'text']> = [
        ['alpha', {}, 'words'],
        ['alp', {}, 'words'],
        ['beta', {}, 'words'],
        ['ZULU', {}, 'words'],
        ['w1', {}, 'words'],
        ['w12', {}, 'words'],
        ['beta alpha', {}, 'words'],
        ['alpha w2', {}, 'words'],
        ['same', {}, 'words'],
        ['nothing', {}, 'words'],
        ['omega', { category: ['Queues'] }, 'words'],
        ['w', {}, 'text'],
        ['caf', {}, 'words'],
        ['ärger', {}, 'text'],
        ['alpha naïve', {}, 'text'],
        [`${'a'.repeat(101)}`, {}, 'text'],
      ];
      for (const [q, filters, path] of searches) {
        for (const published of [false, true]) {
          queries.length = 0;
          const ids = await allPages(store, {
            filters: { ...filters, q },
            published,
            sort: 'name',
            limit: 7,
          });
          const fullTextIndex = queries.some(sql =>
            /store_products_fts|search_vector/.test(sql),
          );
          expect({ q, fullTextIndex }).toEqual({
            q,
            fullTextIndex: path === 'text',
          });
          expect({ q, published, ids }).toEqual({
            q,
            published,
            ids: await fullText(q, { ...filters, published }),
          });
        }
      }
      // Not an empty comparison: half the products, and the alphabet ones.
      expect(await fullText('alpha', {})).toHaveLength(54);
    });

    it('reads a search that matches many products in the order of its sort, testing each product', async () => {
      const { knex, store } = await createStore(databaseId);
      // More products with "alpha" than a search reads whole through the
      // full-text index; prices that tie, so the id breaks ties.
      const products = Array.from({ length: 1050 }, (_, i) =>
        makeProduct(
          `m-${String(i).padStart(4, '0')}`,
          {
            lifecycle: i % 7 === 0 ? 'draft' : 'published',
            plans: [
              {
                id: 'standard',
                title: 'Standard',
                price: {
                  amount: `${(i * 37) % 300}.00`,
                  currency: 'USD',
                  interval: 'month',
                },
              },
            ],
          },
          {
            title: [
              'alpha',
              i % 3 === 0 ? 'beta' : 'gamma',
              i === 500 && 'zulu',
              // "w" starts 20 words, more than a search by name reads in
              // order word by word.
              `w${i % 20}`,
            ]
              .filter(Boolean)
              .join(' '),
          },
        ),
      );
      await store.replaceAll(products.map(toIndexedProduct));
      const fullText = fullTextSearch(knex);
      const queries: string[] = [];
      knex.on('query', (q: { sql: string }) => queries.push(q.sql));

      const searches: Array<
        [string, keyof typeof SORTED_BY, 'each' | 'text' | 'words' | 'none']
      > = [
        ['alpha', 'price', 'each'],
        ['ALP', 'newest', 'each'],
        ['alpha be', 'price', 'text'],
        ['alpha', 'orders', 'each'],
        ['gamma', 'price', 'text'],
        ['zulu', 'price', 'text'],
        ['alpha', 'name', 'words'],
        ['w', 'name', 'each'],
        ['w1', 'price', 'text'],
        ['nothing', 'price', 'none'],
      ];
      for (const [q, sort, path] of searches) {
        for (const published of [false, true]) {
          queries.length = 0;
          const ids = await allPages(store, {
            filters: { q },
            published,
            sort,
            limit: 100,
          });
          const used = (pattern: RegExp) =>
            queries.some(sql => pattern.test(sql));
          expect({
            q,
            sort,
            fullTextIndex: used(/store_products_fts|search_vector/),
            // each product of the sort's order tested for the term
            eachProduct: used(/o\.product_id = p\.id/),
          }).toEqual({
            q,
            sort,
            fullTextIndex: path === 'text',
            eachProduct: path === 'each',
          });
          expect({ q, sort, published, ids }).toEqual({
            q,
            sort,
            published,
            ids: await fullText(q, { published, sort }),
          });
        }
      }
      expect(await fullText('alpha', { sort: 'price' })).toHaveLength(1050);
      expect(await fullText('alpha be', { published: true })).toHaveLength(300);
    });

    it('keeps the words of the search in step with the products', async () => {
      const { knex, store } = await createStore(databaseId);
      const orders = await OrdersStore.create({
        database: mockServices.database({ knex }),
      });
      await store.replaceAll(
        [
          makeProduct('redis', {}, { title: 'Redis Cache' }),
          makeProduct('kafka', {}, { title: 'Kafka Streams' }),
        ].map(toIndexedProduct),
      );
      const search = async (q: string) =>
        (
          await store.listProducts({
            filters: { q },
            permissionFilter: undefined,
            sort: 'name',
            limit: 10,
          })
        ).items.map(p => p.name);
      expect(await search('cache')).toEqual(['redis']);

      await store.replaceAll(
        [
          makeProduct('redis', {}, { title: 'Redis Store' }),
          makeProduct('kafka', {}, { title: 'Kafka Streams' }),
        ].map(toIndexedProduct),
      );
      expect(await search('cache')).toEqual([]);
      expect(await search('store')).toEqual(['redis']);
      // An order changes the product's row but not its words.
      await orderOf(orders, 'kafka', 1);
      expect(await search('streams')).toEqual(['kafka']);

      await store.replaceAll(
        [makeProduct('redis', {}, { title: 'Redis Store' })].map(
          toIndexedProduct,
        ),
      );
      expect(await search('streams')).toEqual([]);
      expect(
        await knex('store_product_words')
          .distinct('product_id')
          .pluck('product_id'),
      ).toEqual(['product:default/redis']);
    });

    it('refuses a page size that is not a whole number of products', async () => {
      const { store } = await createStore(databaseId);
      await store.replaceAll([toIndexedProduct(makeProduct('a'))]);
      // The page size is written into the SQL text.
      for (const limit of [1.5, 0, -1, Number.NaN, '1; drop table x' as any]) {
        await expect(
          store.listProducts({
            filters: {},
            permissionFilter: undefined,
            sort: 'name',
            limit,
          }),
        ).rejects.toMatchObject({ name: 'InputError' });
      }
      const page = await store.listProducts({
        filters: {},
        permissionFilter: undefined,
        sort: 'name',
        limit: 1,
      });
      expect(page.items.map(p => p.name)).toEqual(['a']);
    });

    it('indexes the cheapest price in minor units, never as a float', async () => {
      const { store } = await createStore(databaseId);
      await store.replaceAll([
        toIndexedProduct(
          makeProduct('yearly', {
            plans: [
              {
                id: 'year',
                title: 'Yearly',
                price: { amount: '100.00', currency: 'USD', interval: 'year' },
              },
            ],
          }),
        ),
      ]);
      const stored = await store.getProduct({
        id: 'product:default/yearly',
        permissionFilter: undefined,
      });
      expect(stored?.fromPriceMinor).toBe(833);
      expect(stored?.fromPrice).toEqual({
        amount: '8.33',
        currency: 'USD',
        interval: 'month',
      });
      expect(stored?.hasFreePlan).toBe(false);
    });

    it('applies permission filters in the database', async () => {
      const { store } = await createStore(databaseId);
      await store.replaceAll(
        [
          makeProduct('open'),
          makeProduct('data', { audience: ['group:default/team-data'] }),
          makeProduct('draft', {
            lifecycle: 'draft',
            owner: 'group:default/team-web',
          }),
        ].map(toIndexedProduct),
      );
      const list = async (claims: string[]) =>
        (
          await store.listProducts({
            filters: {},
            sort: 'name',
            limit: 10,
            permissionFilter: {
              anyOf: [
                {
                  allOf: [
                    { key: 'lifecycle', values: ['published'] },
                    { key: 'audience', values: claims },
                  ],
                },
                { key: 'owner', values: claims },
              ],
            },
          })
        ).items.map(p => p.name);
      expect(await list(['user:default/developer'])).toEqual(['open']);
      expect(await list(['group:default/team-data'])).toEqual(['data', 'open']);
      expect(await list(['group:default/team-web'])).toEqual(['draft', 'open']);
      const notDraft = await store.listProducts({
        filters: {},
        sort: 'name',
        limit: 10,
        permissionFilter: { not: { key: 'lifecycle', values: ['draft'] } },
      });
      expect(notDraft.items.map(p => p.name)).toEqual(['data', 'open']);
    });

    it('reads first pages of one decision afresh, whatever the sort and size', async () => {
      const { store } = await createStore(databaseId);
      await store.replaceAll(
        ['b', 'c', 'a'].map(n => toIndexedProduct(makeProduct(n))),
      );
      // One object, as the decision cache hands it to each request.
      const decision: ProductPermissionFilter = {
        anyOf: [
          {
            allOf: [
              { key: 'lifecycle', values: ['published'] },
              { key: 'audience', values: ['group:default/team-a'] },
            ],
          },
        ],
      };
      const firstPage = async (sort: 'name' | 'newest', limit: number) =>
        (
          await store.listProducts({
            filters: {},
            sort,
            limit,
            permissionFilter: decision,
          })
        ).items.map(p => p.name);
      expect(await firstPage('name', 2)).toEqual(['a', 'b']);
      expect(await firstPage('name', 1)).toEqual(['a']);
      await store.applyChanges({
        upsert: [toIndexedProduct(makeProduct('0'))],
        remove: ['product:default/b'],
      });
      expect(await firstPage('name', 2)).toEqual(['0', 'a']);
      expect(await firstPage('name', 10)).toEqual(['0', 'a', 'c']);
      expect(await firstPage('newest', 1)).toEqual(['0']);
      // Another decision's statements are its own.
      const decisionOfNone: ProductPermissionFilter = {
        anyOf: [{ key: 'owner', values: ['group:default/nobody'] }],
      };
      expect(
        (
          await store.listProducts({
            filters: {},
            sort: 'name',
            limit: 2,
            permissionFilter: decisionOfNone,
          })
        ).items,
      ).toEqual([]);
    });

    it('sorts by order count with stable pages, counting each new order', async () => {
      const { knex, store } = await createStore(databaseId);
      const orders = await OrdersStore.create({
        database: mockServices.database({ knex }),
      });
      const names = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
      await store.replaceAll(names.map(n => toIndexedProduct(makeProduct(n))));
      const ordered: Record<string, number> = { c: 3, a: 1, f: 1, d: 1, g: 2 };
      for (const [name, count] of Object.entries(ordered)) {
        for (let i = 0; i < count; i++) {
          await orderOf(orders, name, i);
        }
      }

      const pages: string[][] = [];
      let cursor;
      do {
        const page = await store.listProducts({
          filters: {},
          permissionFilter: undefined,
          sort: 'orders',
          cursor,
          limit: 2,
        });
        pages.push(page.items.map(p => `${p.name}:${p.orderCount}`));
        cursor = page.nextCursor;
      } while (cursor);
      // Most ordered first; ties in a fixed order across page boundaries.
      expect(pages).toEqual([
        ['c:3', 'g:2'],
        ['f:1', 'd:1'],
        ['a:1', 'e:0'],
        ['b:0'],
      ]);

      // A product that leaves the index and comes back keeps its count.
      await store.replaceAll(
        names.filter(n => n !== 'c').map(n => toIndexedProduct(makeProduct(n))),
      );
      await store.replaceAll(names.map(n => toIndexedProduct(makeProduct(n))));
      const c = await store.getProduct({
        id: 'product:default/c',
        permissionFilter: undefined,
      });
      expect(c?.orderCount).toBe(3);
    });

    // A plan, not a timing: how the database reads the audience decides
    // whether a conditional page costs in proportion to its size or to the
    // catalog.
    it('tests the audience of each product it reads, not every product of the groups first', async () => {
      const { knex, store } = await createStore(databaseId);
      await store.replaceAll(
        [
          makeProduct('open'),
          makeProduct('data', { audience: ['group:default/team-data'] }),
        ].map(toIndexedProduct),
      );
      const statements: Array<{ sql: string; bindings: unknown[] }> = [];
      knex.on('query', (q: { sql: string; bindings: unknown[] }) =>
        statements.push(q),
      );
      const page = await store.listProducts({
        filters: {},
        sort: 'name',
        limit: 10,
        permissionFilter: {
          allOf: [
            { key: 'lifecycle', values: ['published'] },
            { key: 'audience', values: ['group:default/team-data'] },
          ],
        },
      });
      expect(page.items.map(p => p.name)).toEqual(['data', 'open']);
      // The page's statement: the one that tests the caller's groups.
      const [read] = statements.filter(s => /group_ref in \(/i.test(s.sql));
      expect(read).toBeDefined();
      const { plan, perProduct, wholeFirst } = await explainRead(knex, read, {
        pg: {
          perProduct: / on store_product_audience a\b/,
          wholeFirst: /hashed SubPlan/,
        },
        sqlite: {
          // the product's own groups, through their key
          perProduct:
            /^SEARCH a USING COVERING INDEX sqlite_autoindex_store_product_audience_1 \(product_id=\?\)$/m,
          wholeFirst: /LIST SUBQUERY/,
        },
      });
      expect(plan).toMatch(perProduct);
      expect(plan).not.toMatch(wholeFirst);
    });

    it('tests the subscriptions of each product it reads, not every order of the caller first', async () => {
      const { knex, store } = await createStore(databaseId);
      const orders = await OrdersStore.create({
        database: mockServices.database({ knex }),
      });
      await store.replaceAll(
        [
          makeProduct('open'),
          makeProduct('old', { lifecycle: 'deprecated' }),
          makeProduct('gone', { lifecycle: 'deprecated' }),
        ].map(toIndexedProduct),
      );
      for (const name of ['old', 'gone']) {
        await orderOf(orders, name, 1);
      }
      await fulfil(orders, 'old-1');
      const statements: Array<{ sql: string; bindings: unknown[] }> = [];
      knex.on('query', (q: { sql: string; bindings: unknown[] }) =>
        statements.push(q),
      );
      const list = (requester: string) =>
        store.listProducts({
          filters: {},
          sort: 'name',
          limit: 10,
          permissionFilter: {
            anyOf: [
              { key: 'lifecycle', values: ['published'] },
              {
                allOf: [
                  { key: 'lifecycle', values: ['deprecated'] },
                  // As the policy's claims are written: not lower case.
                  { key: 'subscriber', values: [requester] },
                ],
              },
            ],
          },
        });
      expect(
        (await list('User:default/Developer')).items.map(p => p.name),
      ).toEqual(['old', 'open']);
      expect((await list('user:default/other')).items.map(p => p.name)).toEqual(
        ['open'],
      );
      const [read] = statements.filter(s => /store_orders/i.test(s.sql));
      expect(read).toBeDefined();
      const { plan, perProduct, wholeFirst } = await explainRead(knex, read, {
        pg: {
          perProduct: /store_orders_product_subscriber_idx on store_orders s\b/,
          wholeFirst: /hashed SubPlan/,
        },
        sqlite: {
          // the product's own fulfilled orders
          perProduct:
            /^SEARCH s USING COVERING INDEX store_orders_product_subscriber_idx \(<expr>=\? AND status=\?\)$/m,
          wholeFirst: /LIST SUBQUERY/,
        },
      });
      expect(plan).toMatch(perProduct);
      expect(plan).not.toMatch(wholeFirst);
    });
  });
});

type ReadPatterns = { perProduct: RegExp; wholeFirst: RegExp };

/**
 * The plan of a statement, with how it shows this database reading a
 * permission's subquery: a test of each product read, or every row of the
 * caller's groups or orders read first (SQLite's list subquery,
 * PostgreSQL's hashed subplan).
 */
async function explainRead(
  knex: Knex,
  statement: { sql: string; bindings: unknown[] },
  patterns: { pg: ReadPatterns; sqlite: ReadPatterns },
): Promise<{ plan: string } & ReadPatterns> {
  const bindings = statement.bindings as Knex.RawBinding[];
  if (knex.client.config.client === 'pg') {
    const { rows } = await knex.raw(`EXPLAIN ${statement.sql}`, bindings);
    return {
      plan: rows.map((r: Record<string, string>) => r['QUERY PLAN']).join('\n'),
      ...patterns.pg,
    };
  }
  const rows: Array<{ detail: string }> = await knex.raw(
    `EXPLAIN QUERY PLAN ${statement.sql}`,
    bindings,
  );
  return { plan: rows.map(r => r.detail).join('\n'), ...patterns.sqlite };
}

/**
 * The ids of every page of a list, following its cursors; every page but
 * the last must be full. With `published`, as a permission filter.
 */
async function allPages(
  store: ProductsStore,
  options: {
    filters: ProductQueryFilters;
    published: boolean;
    sort: keyof typeof SORTED_BY;
    limit: number;
  },
): Promise<string[]> {
  const ids: string[] = [];
  let cursor: ProductCursor | undefined;
  do {
    const page = await store.listProducts({
      filters: options.filters,
      permissionFilter: options.published
        ? { key: 'lifecycle', values: ['published'] }
        : undefined,
      sort: options.sort,
      cursor,
      limit: options.limit,
    });
    expect(page.items.length).toBe(
      page.nextCursor ? options.limit : page.items.length,
    );
    ids.push(...page.items.map(p => p.id));
    cursor = page.nextCursor;
  } while (cursor);
  return ids;
}

/** Columns and directions of each sort, as the store orders its pages. */
const SORTED_BY = {
  name: ['title_sort', 'asc'],
  price: ['from_price_minor', 'asc'],
  orders: ['order_count', 'desc'],
  newest: ['created_at', 'desc'],
} as const;

function fullTextSearch(knex: Knex) {
  const isPg = knex.client.config.client === 'pg';
  return async (
    q: string,
    options: {
      category?: string[];
      published?: boolean;
      sort?: keyof typeof SORTED_BY;
    },
  ): Promise<string[]> => {
    const terms = searchTerms(q);
    const [column, order] = SORTED_BY[options.sort ?? 'name'];
    const query = knex({ p: 'store_products' }).orderBy([
      { column: `p.${column}`, order },
      { column: 'p.id', order },
    ]);
    if (isPg) {
      query.whereRaw(`p.search_vector @@ to_tsquery('simple', ?)`, [
        terms.map(t => `${t}:*`).join(' & '),
      ]);
    } else {
      query.whereRaw(
        'p.rowid IN (SELECT rowid FROM store_products_fts WHERE store_products_fts MATCH ?)',
        [terms.map(t => `"${t}"*`).join(' ')],
      );
    }
    if (options.category) {
      query.whereIn('p.category', options.category);
    }
    if (options.published) {
      query.where('p.lifecycle', 'published');
    }
    return query.pluck('p.id');
  };
}
