import {
  mockServices,
  TestDatabaseId,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { Knex } from 'knex';
import { makeProduct } from '../__testUtils__/products';
import { toIndexedProduct } from '../service/toIndexedProduct';
import { ProductFacetCounter, splitForKeptCounts } from './ProductFacetCounter';
import { FACET_COUNTS } from './ProductFacetCounts';
import { ProductsStore } from './ProductsStore';
import {
  IndexedProduct,
  ProductPermissionFilter,
  ProductQueryFilters,
} from './types';

jest.setTimeout(120_000);

/** A small deterministic random source, so that a failure can be replayed. */
function random(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const pick = <T>(values: readonly T[]) =>
    values[Math.floor(next() * values.length)];
  const some = <T>(values: readonly T[], max: number) =>
    Array.from({ length: Math.floor(next() * (max + 1)) }, () => pick(values));
  return { next, pick, some };
}

const GROUPS = Array.from({ length: 6 }, (_, i) => `group:default/team-${i}`);
const USERS = ['user:default/ada', 'user:default/bob'];
const OWNERS = [...GROUPS.slice(0, 4), USERS[0]];
const LIFECYCLES = ['draft', 'published', 'deprecated'] as const;
// More tags than a facet shows, so that the top values are chosen.
const TAGS = Array.from({ length: 70 }, (_, i) => `tag-${i % 35}-${i % 2}`);
const CATEGORIES = ['Databases', 'Caches', 'Queues', 'Storage'];
const PROVIDERS = ['local', 'kubernetes', 'openstack'];

type Random = ReturnType<typeof random>;

function product(rnd: Random, n: number): IndexedProduct {
  const base = toIndexedProduct(makeProduct(`p-${n}`));
  return {
    ...base,
    lifecycle: rnd.pick(LIFECYCLES),
    // Half the products are for everyone.
    audience: rnd.next() < 0.5 ? [] : rnd.some(GROUPS, 3),
    owner: rnd.pick(OWNERS),
    category: rnd.pick(CATEGORIES),
    type: rnd.pick(['service', 'resource', 'application']),
    tags: rnd.some(TAGS, 6),
    providers: rnd.some(PROVIDERS, 2),
    hasFreePlan: rnd.next() < 0.4,
    contentHash: String(rnd.next()),
  };
}

/** The permission decisions of callers, of every shape the policy may send. */
function callers(rnd: Random): ProductPermissionFilter[] {
  const claims = () => [rnd.pick(USERS), ...rnd.some(GROUPS, 2)];
  const lifecycles = () => rnd.some(LIFECYCLES, 2);
  const consumer = claims();
  return [
    undefined,
    // consumerProductVisibility, as the rules turn it into filters.
    {
      anyOf: [
        {
          allOf: [
            { key: 'lifecycle', values: ['published'] },
            { key: 'audience', values: consumer },
          ],
        },
        {
          allOf: [
            { key: 'lifecycle', values: ['deprecated'] },
            { key: 'subscriber', values: consumer },
          ],
        },
        { key: 'owner', values: consumer },
      ],
    },
    { key: 'audience', values: claims() },
    { key: 'audience', values: [] },
    {
      allOf: [
        { key: 'lifecycle', values: lifecycles() },
        { key: 'audience', values: claims() },
      ],
    },
    {
      anyOf: [
        { not: { key: 'lifecycle', values: ['draft'] } },
        { key: 'subscriber', values: claims() },
      ],
    },
    {
      anyOf: [
        { key: 'audience', values: claims() },
        {
          allOf: [
            { key: 'owner', values: claims() },
            { not: { key: 'lifecycle', values: lifecycles() } },
          ],
        },
        { key: 'subscriber', values: claims() },
      ],
    },
    // Nothing maps to classes: a scan.
    { key: 'owner', values: claims() },
    {
      allOf: [
        { key: 'owner', values: claims() },
        { key: 'audience', values: claims() },
      ],
    },
  ];
}

describe('ProductFacetCounter', () => {
  const databases = TestDatabases.create();

  async function setUp(databaseId: TestDatabaseId) {
    const knex = await databases.init(databaseId);
    const store = await ProductsStore.create({
      database: mockServices.database({ knex }),
    });
    const counter = new ProductFacetCounter(knex);
    return { knex, store, counter };
  }

  describe.each(databases.eachSupportedId())('%p', databaseId => {
    it('gives from kept counts what a scan of every product gives, through changes of the index', async () => {
      const { knex, store, counter } = await setUp(databaseId);
      const rnd = random(databaseId.length * 7919);
      let made = 0;
      const fresh = () => product(rnd, made++);
      const catalog = new Map<string, IndexedProduct>();
      const put = (p: IndexedProduct) => catalog.set(p.id, p);
      Array.from({ length: 60 }, () => put(fresh()));
      await store.replaceAll([...catalog.values()]);

      // Fulfilled orders make subscribers; others do not.
      const orders = Array.from({ length: 40 }, (_, i) => {
        const now = new Date();
        return {
          id: `order-${i}`,
          product_ref: `Product:default/p-${Math.floor(rnd.next() * 90)}`,
          product_title: 'p',
          template_ref: 'template:default/t',
          plan_id: 'standard',
          provider: 'local',
          parameters_json: '{}',
          price_amount: '1.00',
          price_currency: 'USD',
          price_interval: 'month',
          requester: rnd.pick(USERS),
          status: rnd.pick(['fulfilled', 'fulfilled', 'rejected']),
          version: 1,
          approvals_required: 0,
          created_at: now,
          updated_at: now,
        };
      });
      await knex('store_orders').insert(orders);

      const scan = jest.spyOn(counter, 'countByScan');
      const check = async (step: string) => {
        for (const permissionFilter of callers(rnd)) {
          const filters: ProductQueryFilters = {};
          scan.mockClear();
          const kept = await counter.count({ filters, permissionFilter });
          expect(scan).toHaveBeenCalledTimes(
            splitForKeptCounts(permissionFilter) ? 0 : 1,
          );
          const scanned = await counter.countByScan({
            filters,
            permissionFilter,
          });
          expect({ step, permissionFilter, ...kept }).toEqual({
            step,
            permissionFilter,
            ...scanned,
          });
        }
        const [{ n }] = await knex(FACET_COUNTS)
          .where('count', '<=', 0)
          .count({ n: '*' });
        expect(Number(n)).toBe(0);
      };
      await check('built');

      const some = () => [...catalog.values()].filter(() => rnd.next() < 0.25);
      const steps: Array<[string, () => IndexedProduct[]]> = [
        ['added', () => Array.from({ length: 20 }, () => fresh())],
        [
          'audience changed',
          () =>
            some().map(p => ({
              ...p,
              audience: rnd.next() < 0.3 ? [] : rnd.some(GROUPS, 3),
              contentHash: String(rnd.next()),
            })),
        ],
        [
          'lifecycle changed',
          () =>
            some().map(p => ({
              ...p,
              lifecycle: rnd.pick(LIFECYCLES),
              contentHash: String(rnd.next()),
            })),
        ],
        [
          'facets changed',
          () =>
            some().map(p => ({
              ...product(rnd, 0),
              id: p.id,
              name: p.name,
            })),
        ],
        [
          'summary changed',
          () =>
            some().map(p => ({
              ...p,
              summary: 'new',
              contentHash: String(rnd.next()),
            })),
        ],
      ];
      for (let round = 0; round < 2; round++) {
        for (const [step, changed] of steps) {
          const upsert = changed();
          await store.applyChanges({ upsert, remove: [] });
          upsert.forEach(put);
          await check(`${step} (round ${round})`);
        }
        const remove = some().map(p => p.id);
        await store.applyChanges({ upsert: [], remove });
        remove.forEach(id => catalog.delete(id));
        await check(`deleted (round ${round})`);

        // A full refresh: some products stay, some change, some go, some come.
        const replaced = new Map<string, IndexedProduct>();
        for (const p of catalog.values()) {
          const fate = rnd.next();
          if (fate < 0.4) {
            replaced.set(p.id, p);
          } else if (fate < 0.8) {
            replaced.set(p.id, { ...product(rnd, 0), id: p.id, name: p.name });
          }
        }
        Array.from({ length: 15 }, () => {
          const p = fresh();
          replaced.set(p.id, p);
        });
        catalog.clear();
        replaced.forEach(put);
        await store.replaceAll([...catalog.values()]);
        await check(`replaced (round ${round})`);
      }

      await store.replaceAll([]);
      await check('emptied');
      expect(await knex(FACET_COUNTS).select()).toEqual([]);
    });

    it('counts with filters over the matching products', async () => {
      const { store, counter } = await setUp(databaseId);
      const rnd = random(42);
      await store.replaceAll(
        Array.from({ length: 30 }, (_, i) => product(rnd, i)),
      );
      const scan = jest.spyOn(counter, 'countByScan');
      const filters: ProductQueryFilters[] = [
        { q: 'p' },
        { category: ['Databases'] },
        { tag: [TAGS[0], TAGS[1]] },
        { freePlan: true },
        { minPriceMinor: 0 },
        { lifecycle: ['published'] },
      ];
      for (const filter of filters) {
        await counter.count({ filters: filter, permissionFilter: undefined });
      }
      expect(scan).toHaveBeenCalledTimes(filters.length);
      // Blank search words filter nothing, as the scan would not.
      scan.mockClear();
      const blank = await counter.count({
        filters: { q: '  ', tag: [] },
        permissionFilter: undefined,
      });
      expect(scan).not.toHaveBeenCalled();
      expect(blank).toEqual(
        await counter.countByScan({ filters: {}, permissionFilter: undefined }),
      );
      expect(blank.totalItems).toBe(30);
    });
  });
});

// A plan, not a timing: how SQLite reaches the tags and providers of the
// matching products decides whether a search's facets cost in proportion to
// its matches or to the catalog. PostgreSQL chooses by its statistics (see
// ProductFacetCounter.valuesOfEach).
describe('ProductFacetCounter on SQLite', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

  it('counts the tags and providers of the matching products through their key', async () => {
    const knex = await databases.init('SQLITE_3');
    const store = await ProductsStore.create({
      database: mockServices.database({ knex }),
    });
    const counter = new ProductFacetCounter(knex);
    const rnd = random(7);
    // Enough products, with statistics, that reading the whole of the
    // child tables is what a database would choose if it could.
    await store.replaceAll(
      Array.from({ length: 1000 }, (_, i) => product(rnd, i)),
    );
    await knex.raw('ANALYZE');
    const statements: Array<{ sql: string; bindings: unknown[] }> = [];
    knex.on('query', (q: { sql: string; bindings: unknown[] }) =>
      statements.push(q),
    );
    const { totalItems } = await counter.count({
      filters: { q: 'p' },
      permissionFilter: undefined,
    });
    expect(totalItems).toBe(1000);
    expect(statements).toHaveLength(1);
    const rows: Array<{ detail: string }> = await knex.raw(
      `EXPLAIN QUERY PLAN ${statements[0].sql}`,
      statements[0].bindings as Knex.RawBinding[],
    );
    const plan = rows.map(r => r.detail).join('\n');
    // Each is read as `c`: by its key for each product, never whole.
    for (const table of ['store_product_tags', 'store_product_providers']) {
      expect(plan).toMatch(
        new RegExp(`^SEARCH c USING .*${table}.* \\(product_id=\\?\\)$`, 'm'),
      );
      expect(plan).not.toMatch(new RegExp(`^SCAN c .*${table}`, 'm'));
    }
  });
});
