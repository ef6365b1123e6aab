/*
 * Benchmark of the store's product index and queries at 10,000 products
 * (or `--products N`; with `--products 100000`, at 10,000 and at 100,000).
 *
 * For list, search and facet requests (facets with and without a search)
 * it measures p50 and p95 of:
 *   - a consumer whose access is conditional (published products of their
 *     audience, deprecated products they subscribe to, or products they
 *     own), through the store's ProductService;
 *   - an admin whose access is allow-all, through the same service;
 *   - the conditional query written by hand in raw SQL on the same tables.
 * and prints conditional/allow-all (target <= 1.3) and conditional/raw SQL
 * (target <= 3). It times the index build through `ProductsStore.replaceAll`
 * against a raw multi-row INSERT of the same rows into the same tables
 * (target >= 0.5), and a refresh in which one product changed. At more than
 * 10,000 products it also prints each request's p50 growth from 10,000
 * (target <= 1.5 for list, search and popular; facets of a search count
 * its matches, which grow with the catalog); both catalogs are built
 * first and their requests run in turn, so that the machine's speed, which
 * other work changes, moves both sizes alike.
 *
 * Usage (from the repository root):
 *   node --require @backstage/cli/config/nodeTransform.cjs bench/products/run.ts
 * PostgreSQL instead of SQLite:
 *   BENCH_PG_CONNECTION=postgresql://postgres@127.0.0.1:5432 node ... run.ts
 * 10,000 and 100,000 products:
 *   node ... run.ts --products 100000
 */
import {
  AuthService,
  BackstageCredentials,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { PermissionRuleset } from '@backstage/plugin-permission-node';
import {
  AuthorizeResult,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import {
  consumerProductVisibility,
  ProductQuery,
  ProductSort,
  STORE_PRODUCT_RESOURCE_TYPE,
} from '@internal/plugin-store-common';
import knexFactory, { Knex } from 'knex';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { insertRows } from '../../plugins/store-backend/src/database/insertRows';
import { ProductsStore } from '../../plugins/store-backend/src/database/ProductsStore';
import {
  IndexedProduct,
  ProductFilter,
  ProductResource,
} from '../../plugins/store-backend/src/database/types';
import { productPermissionRules } from '../../plugins/store-backend/src/permissions/rules';
import { ProductService } from '../../plugins/store-backend/src/service/ProductService';
import { CloudProviders } from '../../plugins/store-backend/src/service/CloudProviders';
import { toIndexedProduct } from '../../plugins/store-backend/src/service/toIndexedProduct';
import { makeProduct } from '../../plugins/store-backend/src/__testUtils__/products';

function productsArgument(): number {
  const index = process.argv.indexOf('--products');
  return Number(
    index >= 0 ? process.argv[index + 1] : process.env.BENCH_PRODUCTS ?? 10_000,
  );
}

/** The catalog size under test; larger ones are compared with 10,000. */
const TARGET_PRODUCTS = productsArgument();
const BASE_PRODUCTS = 10_000;
// Fewer iterations when every request is also run on the large catalog.
const ITERATIONS = Number(
  process.env.BENCH_ITERATIONS ?? (TARGET_PRODUCTS > BASE_PRODUCTS ? 60 : 200),
);
const WARMUP = Math.min(20, Math.ceil(ITERATIONS / 10));

const CATEGORIES = Array.from({ length: 20 }, (_, i) => `Category ${i}`);
const GROUPS = Array.from({ length: 40 }, (_, i) => `group:default/team-${i}`);
const WORDS = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot'];
/** Orders, of which the consumer's fulfilled ones make subscriptions. */
const ORDERS = Number(process.env.BENCH_ORDERS ?? 20_000);
const CONSUMER_CLAIMS = [
  'user:default/consumer',
  'group:default/team-3',
  'group:default/team-7',
];

function generateProducts(count: number) {
  return Array.from({ length: count }, (_, i) => {
    const word = WORDS[i % WORDS.length];
    return toIndexedProduct(
      makeProduct(
        `product-${i}`,
        {
          category: CATEGORIES[i % CATEGORIES.length],
          type: (['application', 'service', 'resource'] as const)[i % 3],
          owner: GROUPS[i % GROUPS.length],
          lifecycle:
            i % 10 === 0 ? 'draft' : i % 17 === 0 ? 'deprecated' : 'published',
          // One product in seven is meant for a few groups only; spread
          // evenly over names, categories and words.
          audience:
            i % 7 === 0
              ? [
                  GROUPS[(i * 7) % GROUPS.length],
                  GROUPS[(i * 11) % GROUPS.length],
                ]
              : undefined,
          providers: i % 2 ? ['local'] : ['local', 'kubernetes'],
          plans: [
            {
              id: 'standard',
              title: 'Standard',
              price: {
                amount: `${(i % 500) + 1}.00`,
                currency: 'USD',
                interval: 'month',
              },
            },
            ...(i % 4 === 0
              ? [
                  {
                    id: 'free',
                    title: 'Free',
                    price: {
                      amount: '0.00',
                      currency: 'USD',
                      interval: 'month' as const,
                    },
                  },
                ]
              : []),
          ],
        },
        {
          title: `${word} product ${i}`,
          description: `A ${word} thing number ${i}`,
          tags: [`tag-${i % 30}`, word],
        },
      ),
    );
  });
}

/**
 * Orders spread over products and a thousand requesters; the consumer has
 * 40 fulfilled orders (a busy team's subscriptions), some of deprecated
 * products.
 */
async function generateOrders(knex: Knex, products: number) {
  const statuses = ['fulfilled', 'cancelled', 'pending_approval', 'rejected'];
  const rows = Array.from({ length: ORDERS }, (_, i) => {
    const mine = i % 500 === 0;
    const product = mine ? (i * 17) % products : (i * 7919) % products;
    return {
      id: `order-${i}`,
      product_ref: `product:default/product-${product}`,
      product_title: `product ${product}`,
      template_ref: `template:default/product-${product}`,
      plan_id: 'standard',
      provider: 'local',
      region: null,
      parameters_json: '{}',
      price_amount: '1.00',
      price_currency: 'USD',
      price_interval: 'month',
      requester: mine ? CONSUMER_CLAIMS[0] : `user:default/user-${i % 997}`,
      status: mine ? 'fulfilled' : statuses[i % statuses.length],
      version: 1,
      approvals_required: 0,
      approvals: 0,
      created_at: new Date(),
      updated_at: new Date(),
    };
  });
  await insertRows(knex, 'store_orders', rows);
  // What the creation of each order does, at once for all of them; then
  // fresh statistics, as the index keeps them after a bulk change. The
  // orders stand for a history written over months, which PostgreSQL's
  // autovacuum (on by default; 20,000 inserted rows pass its threshold)
  // has vacuumed long since: freshly inserted, none of their pages is
  // marked all-visible, and a user's orders are read from the table rather
  // than from the index alone (the consumer's facets, in this machine's
  // runs: 1.31 and 1.34 times allow-all's without the VACUUM, 1.24 and 1.31
  // with it).
  await knex.raw(`
    UPDATE store_products SET order_count = c.n
    FROM (SELECT lower(product_ref) AS id, COUNT(*) AS n
          FROM store_orders GROUP BY lower(product_ref)) c
    WHERE store_products.id = c.id`);
  if (knex.client.config.client === 'pg') {
    await knex.raw('VACUUM store_orders');
  }
  await knex.raw('ANALYZE');
}

function percentile(sorted: number[], p: number) {
  return sorted[
    Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))
  ];
}

type Timing = { p50: number; p95: number };

/**
 * Runs the variants in turn, iteration by iteration, so that load from
 * other processes on the machine affects them alike. The variants come in
 * groups, one per catalog, run one group after the other; within a group
 * the order changes from one iteration to the next (seeded, so runs are
 * alike). The first request after the other catalog's finds less of its
 * own catalog in the database's cache: at 100,000 products a search's
 * facets read about 150 MB of product rows, more than PostgreSQL's default
 * cache, and with a fixed order that cost fell on the same variant every
 * time (conditional search facets at 10,000: 35 ms, allow-all 14 ms, where
 * the statement took 12 ms on its own).
 */
async function measure(
  groups: Array<Array<() => Promise<unknown>>>,
): Promise<Timing[][]> {
  let seed = 1;
  const next = () => {
    seed = (seed * 48271) % 2147483647;
    return seed / 2147483647;
  };
  const shuffled = (count: number) => {
    const order = Array.from({ length: count }, (_, i) => i);
    for (let i = count - 1; i > 0; i--) {
      const j = Math.floor(next() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    return order;
  };
  for (let i = 0; i < WARMUP; i++) {
    for (const fn of groups.flat()) await fn();
  }
  const times: number[][][] = groups.map(g => g.map(() => []));
  for (let i = 0; i < ITERATIONS; i++) {
    for (const [group, variants] of groups.entries()) {
      for (const index of shuffled(variants.length)) {
        const start = performance.now();
        await variants[index]();
        times[group][index].push(performance.now() - start);
      }
    }
  }
  return times.map(group =>
    group.map(t => {
      const sorted = [...t].sort((a, b) => a - b);
      return { p50: percentile(sorted, 50), p95: percentile(sorted, 95) };
    }),
  );
}

const COLUMNS = [
  'id',
  'namespace',
  'name',
  'title',
  'title_sort',
  'summary',
  'type',
  'category',
  'owner',
  'lifecycle',
  'audience_all',
  'from_price_minor',
  'from_currency',
  'from_interval',
  'has_free_plan',
  'needs_approval',
  'order_count',
  'search_text',
  'entity_json',
  'content_hash',
  'created_at',
  'updated_at',
]
  .map(c => `p.${c}`)
  .join(', ');

/**
 * The rows of the index, written by hand: the baseline of the index build.
 */
function rawRows(products: IndexedProduct[], now: Date) {
  const children = (column: string, values: (p: IndexedProduct) => string[]) =>
    products.flatMap(p =>
      [...new Set(values(p))].map(value => ({
        product_id: p.id,
        [column]: value,
      })),
    );
  return {
    store_products: products.map(p => ({
      id: p.id,
      namespace: p.namespace,
      name: p.name,
      title: p.title,
      title_sort: p.title.toLocaleLowerCase('en-US'),
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
      order_count: 0,
      search_text: p.searchText,
      entity_json: JSON.stringify(p.entity),
      content_hash: p.contentHash,
      created_at: now,
      updated_at: now,
    })),
    store_product_tags: children('tag', p => p.tags),
    store_product_providers: children('provider', p => p.providers),
    store_product_audience: children('group_ref', p => p.audience),
  };
}

/**
 * A plain multi-row INSERT of the rows, in a transaction, as many rows per
 * statement as the database's bound values allow (65,535 on PostgreSQL;
 * 32,766 and 500 compound terms on SQLite).
 */
async function rawInsert(knex: Knex, rows: ReturnType<typeof rawRows>) {
  const isPg = knex.client.config.client === 'pg';
  await knex.transaction(async trx => {
    for (const [table, tableRows] of Object.entries(rows)) {
      if (!tableRows.length) continue;
      const columns = Object.keys(tableRows[0]).length;
      const size = isPg
        ? Math.floor(65_535 / columns)
        : Math.min(500, Math.floor(32_766 / columns));
      for (let i = 0; i < tableRows.length; i += size) {
        await trx(table).insert(tableRows.slice(i, i + size));
      }
    }
  });
}

/** The conditional visibility as hand-written SQL, for comparison. */
function rawQueries(knex: Knex, isPg: boolean) {
  const yes = isPg ? true : 1;
  const claims = CONSUMER_CLAIMS;
  const marks = claims.map(() => '?').join(', ');
  const offset = isPg ? ' OFFSET 0' : '';
  // A page tests the subscriptions of each product it reads; facets read
  // the consumer's fulfilled orders once.
  const visibleWith = (subscribed: string) =>
    `((p.lifecycle = 'published' AND (p.audience_all = ? OR EXISTS (SELECT 1 FROM store_product_audience a WHERE a.product_id = p.id AND a.group_ref IN (${marks})${offset}))) OR (p.lifecycle = 'deprecated' AND ${subscribed}) OR p.owner IN (${marks}))`;
  const visible = visibleWith(
    `EXISTS (SELECT 1 FROM store_orders s WHERE lower(s.product_ref) = ${
      isPg ? '' : '+'
    }p.id AND s.status = 'fulfilled' AND s.requester IN (${marks})${offset})`,
  );
  const visibleToCount = visibleWith(
    `p.id IN (SELECT lower(product_ref) FROM store_orders WHERE requester IN (${marks}) AND status = 'fulfilled')`,
  );
  const visibleArgs = [yes, ...claims, ...claims, ...claims];
  // A search sorted by name reads the products of the word in name order,
  // testing each, as the store's search does.
  const searched = (q: string) => ({
    sql: `SELECT ${COLUMNS} FROM (
        SELECT w.title_sort, w.product_id FROM store_product_words w
        WHERE w.word = ? AND EXISTS (
          SELECT 1 FROM store_products p
          WHERE p.id = w.product_id AND ${visible}${isPg ? ' OFFSET 0' : ''})
        ORDER BY w.title_sort, w.product_id LIMIT 25) m
      JOIN store_products p ON p.id = m.product_id
      ORDER BY m.title_sort, m.product_id`,
    args: [q, ...visibleArgs],
  });

  // A search in another order reads the products in that order, testing
  // each for a word that the term starts.
  const searchedInOrder = (q: string, order: string) => ({
    sql: `SELECT ${COLUMNS} FROM store_products p
      WHERE ${visible} AND EXISTS (
        SELECT 1 FROM store_product_words w
        WHERE w.product_id = p.id AND w.word >= ? AND w.word < ?)
      ORDER BY ${order} LIMIT 25`,
    args: [...visibleArgs, q, `${q}\uffff`],
  });

  const list = async (
    q?: string,
    sort: 'name' | 'orders' | 'price' = 'name',
  ) => {
    const order = {
      name: 'p.title_sort ASC, p.id ASC',
      orders: 'p.order_count DESC, p.id DESC',
      price: 'p.from_price_minor ASC, p.id ASC',
    }[sort];
    const { sql, args } = q
      ? sort === 'name'
        ? searched(q)
        : searchedInOrder(q, order)
      : {
          sql: `SELECT ${COLUMNS} FROM store_products p WHERE ${visible} ORDER BY ${order} LIMIT 25`,
          args: visibleArgs,
        };
    const rows = await knex.raw(sql, args);
    const ids = (isPg ? rows.rows : rows).map((r: { id: string }) => r.id);
    if (ids.length) {
      const idMarks = ids.map(() => '?').join(', ');
      for (const [table, column] of [
        ['store_product_tags', 'tag'],
        ['store_product_providers', 'provider'],
        ['store_product_audience', 'group_ref'],
      ]) {
        await knex.raw(
          `SELECT product_id, ${column} FROM ${table} WHERE product_id IN (${idMarks}) ORDER BY ${column}`,
          ids,
        );
      }
    }
  };

  // A search's facets count the products that the full-text index finds.
  const matches = (q?: string) =>
    !q
      ? { sql: '', args: [] }
      : isPg
      ? {
          sql: ` AND p.search_vector @@ to_tsquery('simple', ?)`,
          args: [`${q}:*`],
        }
      : {
          sql: ` AND p.rowid IN (SELECT rowid FROM store_products_fts WHERE store_products_fts MATCH ?)`,
          args: [`"${q}"*`],
        };

  const facets = async (q?: string) => {
    const searched = matches(q);
    const branches = [
      ...['category', 'type', 'owner'].map(
        column =>
          `SELECT '${column}' AS facet, v.${column} AS value, COUNT(*) AS count FROM v GROUP BY v.${column}`,
      ),
      ...[
        ['provider', 'store_product_providers'],
        ['tag', 'store_product_tags'],
      ].map(
        ([column, table]) =>
          `SELECT * FROM (SELECT '${column}' AS facet, c.${column} AS value, COUNT(*) AS count FROM ${table} c JOIN v ON v.id = c.product_id GROUP BY c.${column} ORDER BY count DESC, value ASC LIMIT 50) t_${column}`,
      ),
      `SELECT 'freePlan' AS facet, 'true' AS value, COUNT(*) AS count FROM v WHERE v.has_free_plan = ?`,
      `SELECT 'total' AS facet, '' AS value, COUNT(*) AS count FROM v`,
    ];
    await knex.raw(
      `WITH v AS MATERIALIZED (SELECT p.id, p.category, p.type, p.owner, p.has_free_plan FROM store_products p WHERE ${visibleToCount}${
        searched.sql
      }) ${branches.join(' UNION ALL ')}`,
      [...visibleArgs, ...searched.args, yes],
    );
  };
  return { list, facets };
}

type Run = {
  products: number;
  buildMs: number;
  rawMs: number;
  refreshMs: number;
  refreshTouched: number;
  rows: Array<[string, string, Timing]>;
};

const REQUESTS = [
  'list',
  'search',
  'search by price',
  'popular',
  'facets',
  'search facets',
] as const;

/**
 * Requests without the growth target: facets, which have their own below,
 * and the facets of a search, which count every product it matches.
 */
const UNBOUNDED: readonly RequestName[] = ['facets', 'search facets'];

type RequestName = (typeof REQUESTS)[number];

/** How each request runs: conditional, allow-all and raw SQL. */
type Variants = Record<RequestName, Array<() => Promise<unknown>>>;

/** A product index of one size, built and ready to be queried. */
type Catalog = {
  run: Run;
  variants: Variants;
  /** Times the raw INSERT of the same rows, then drops the database. */
  finish(): Promise<void>;
};

/** Indexes `count` products and orders in a fresh database. */
async function buildCatalog(count: number): Promise<Catalog> {
  const pgConnection = process.env.BENCH_PG_CONNECTION;
  const databaseName = `store_bench_${process.pid}_${count}`;
  let admin: Knex | undefined;
  let knex: Knex;
  if (pgConnection) {
    admin = knexFactory({ client: 'pg', connection: pgConnection });
    await admin.raw(`CREATE DATABASE ${databaseName}`);
    // The database goes in the URL: pg lets the connection string's own
    // (absent) database win over a separate `database` option.
    const url = new URL(pgConnection);
    url.pathname = `/${databaseName}`;
    knex = knexFactory({ client: 'pg', connection: url.toString() });
  } else {
    knex = knexFactory({
      client: 'better-sqlite3',
      connection: { filename: ':memory:' },
      useNullAsDefault: true,
      pool: { min: 1, max: 1 },
    });
  }
  const close = async () => {
    await knex.destroy();
    if (admin) {
      await admin.raw(`DROP DATABASE IF EXISTS ${databaseName}`);
      await admin.destroy();
    }
  };

  try {
    const store = await ProductsStore.create({
      database: { getClient: async () => knex },
    });
    const products = generateProducts(count);
    const built = new Date();
    let start = performance.now();
    await store.replaceAll(products, built);
    const buildMs = performance.now() - start;

    // A refresh of the whole catalog in which one product changed.
    const changed = products.map((p, i) =>
      i === 1 ? { ...p, summary: 'changed', contentHash: 'changed' } : p,
    );
    const refreshed = new Date(built.getTime() + 1000);
    start = performance.now();
    await store.replaceAll(changed, refreshed);
    const refreshMs = performance.now() - start;
    const [{ n }] = await knex('store_products')
      .where('updated_at', refreshed)
      .count({ n: '*' });

    await generateOrders(knex, count);
    console.log(
      `Indexed ${count} products (${Math.round(
        buildMs,
      )} ms) and ${ORDERS} orders on ${pgConnection ? 'PostgreSQL' : 'SQLite'}`,
    );

    const serviceFor = (decision: PolicyDecision) =>
      ProductService.create({
        store,
        auth: {} as AuthService,
        catalog: {} as CatalogService,
        // Every provider of the generated products is available.
        cloudProviders: {
          available: async () => new Set(['local', 'kubernetes']),
        } as unknown as CloudProviders,
        permissions: {
          authorize: async () => [],
          authorizeConditional: async () => [decision],
        } as unknown as PermissionsService,
        ruleset: {
          getRuleByName: (name: string) =>
            Object.values(productPermissionRules).find(r => r.name === name)!,
        } as PermissionRuleset<ProductResource, ProductFilter>,
      });
    const services = [
      serviceFor({
        result: AuthorizeResult.CONDITIONAL,
        pluginId: 'store',
        resourceType: STORE_PRODUCT_RESOURCE_TYPE,
        conditions: consumerProductVisibility(CONSUMER_CLAIMS),
      }),
      serviceFor({ result: AuthorizeResult.ALLOW }),
    ];
    const credentials = {} as BackstageCredentials;
    const raw = rawQueries(knex, Boolean(pgConnection));
    const list =
      (query: ProductQuery, sort: ProductSort) =>
      (service: ProductService) =>
      () =>
        service.listProducts({ credentials, query, sort, limit: 24 });
    const facets = (query: ProductQuery) => (service: ProductService) => () =>
      service.getFacets({ credentials, query });
    const through = (
      run: (service: ProductService) => () => Promise<unknown>,
      rawRun: () => Promise<unknown>,
    ) => [...services.map(run), rawRun];
    const variants: Variants = {
      list: through(list({}, 'name'), () => raw.list()),
      search: through(list({ q: 'charlie' }, 'name'), () =>
        raw.list('charlie'),
      ),
      'search by price': through(list({ q: 'charlie' }, 'price'), () =>
        raw.list('charlie', 'price'),
      ),
      popular: through(list({}, 'orders'), () => raw.list(undefined, 'orders')),
      facets: through(facets({}), () => raw.facets()),
      'search facets': through(facets({ q: 'charlie' }), () =>
        raw.facets('charlie'),
      ),
    };

    const run: Run = {
      products: count,
      buildMs,
      rawMs: 0,
      refreshMs,
      refreshTouched: Number(n),
      rows: [],
    };
    return {
      run,
      variants,
      async finish() {
        try {
          // The baseline of the build: the same rows into the same, emptied,
          // tables (with their indexes, and the full-text index on SQLite).
          for (const table of [
            'store_product_tags',
            'store_product_providers',
            'store_product_audience',
            'store_products',
          ]) {
            await knex(table).delete();
          }
          const rowsByTable = rawRows(products, built);
          const rawStart = performance.now();
          await rawInsert(knex, rowsByTable);
          run.rawMs = performance.now() - rawStart;
        } finally {
          await close();
        }
      },
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/**
 * Measures every request on every catalog. The catalogs' variants run in
 * turn, iteration by iteration, as the access variants do: the growth from
 * one size to the other then compares requests measured at the same speed
 * of the machine, which other work changes from minute to minute.
 */
async function measureRequests(catalogs: Catalog[]) {
  const access = ['conditional', 'allow-all', 'raw SQL'];
  for (const name of REQUESTS) {
    const timings = await measure(catalogs.map(c => c.variants[name]));
    catalogs.forEach((catalog, index) =>
      access.forEach((a, i) =>
        catalog.run.rows.push([name, a, timings[index][i]]),
      ),
    );
  }
}

function report(run: Run): boolean {
  const { rows } = run;
  console.log(`\n== ${run.products} products`);
  const ratio = run.rawMs / run.buildMs;
  console.log(
    `index build ${Math.round(
      run.buildMs,
    )} ms, raw multi-row INSERT ${Math.round(
      run.rawMs,
    )} ms: raw/build ${ratio.toFixed(2)} (>= 0.5) ${
      ratio >= 0.5 ? 'ok' : 'MISS'
    }`,
  );
  console.log(
    `refresh with one product changed: ${Math.round(run.refreshMs)} ms, ${
      run.refreshTouched
    } product row(s) written`,
  );
  console.log('\nrequest          access        p50 ms   p95 ms');
  for (const [name, access, t] of rows) {
    console.log(
      `${name.padEnd(16)} ${access.padEnd(12)} ${t.p50
        .toFixed(2)
        .padStart(8)} ${t.p95.toFixed(2).padStart(8)}`,
    );
  }
  console.log(
    '\nrequest          conditional/allow-all (<= 1.3)  conditional/raw SQL (<= 3)',
  );
  let ok = ratio >= 0.5 && run.refreshTouched === 1;
  for (const name of REQUESTS) {
    const vsAllow = p50(run, name, 'conditional') / p50(run, name, 'allow-all');
    const vsRaw = p50(run, name, 'conditional') / p50(run, name, 'raw SQL');
    ok = ok && vsAllow <= 1.3 && vsRaw <= 3;
    console.log(
      `${name.padEnd(16)} ${vsAllow.toFixed(2).padStart(10)} ${
        vsAllow <= 1.3 ? 'ok  ' : 'MISS'
      }                ${vsRaw.toFixed(2).padStart(10)} ${
        vsRaw <= 3 ? 'ok' : 'MISS'
      }`,
    );
  }
  return ok;
}

function p50(run: Run, name: string, access: string) {
  return run.rows.find(r => r[0] === name && r[1] === access)![2].p50;
}

async function main() {
  const load = () =>
    loadavg()
      .map(l => l.toFixed(2))
      .join(' ');
  console.log(`load average at start: ${load()}`);
  const sizes =
    TARGET_PRODUCTS > BASE_PRODUCTS
      ? [BASE_PRODUCTS, TARGET_PRODUCTS]
      : [TARGET_PRODUCTS];
  const catalogs: Catalog[] = [];
  try {
    for (const size of sizes) {
      catalogs.push(await buildCatalog(size));
    }
    await measureRequests(catalogs);
  } finally {
    for (const catalog of catalogs) {
      await catalog.finish();
    }
  }
  const runs = catalogs.map(c => c.run);
  let ok = runs.map(report).every(Boolean);
  if (runs.length === 2) {
    const [base, large] = runs;
    console.log(
      `\nrequest          p50 growth ${base.products} -> ${large.products} (conditional; <= 1.5 but facets)`,
    );
    for (const name of REQUESTS) {
      const growth =
        p50(large, name, 'conditional') / p50(base, name, 'conditional');
      const unbounded = UNBOUNDED.includes(name);
      const within = unbounded || growth <= 1.5;
      ok = ok && within;
      let note = within ? 'ok' : 'MISS';
      if (unbounded) {
        note = name === 'search facets' ? '(counts its matches)' : '';
      }
      console.log(
        `${name.padEnd(16)} ${growth.toFixed(2).padStart(10)} ${note}`,
      );
    }
    // Facets are summed from counts kept per visibility class; the raw
    // GROUP BY of every visible product grows with the catalog.
    console.log(
      `\nfacets   p50 growth ${base.products} -> ${large.products}, and / raw GROUP BY at ${large.products} (<= 3)`,
    );
    for (const access of ['conditional', 'allow-all', 'raw SQL']) {
      const growth = p50(large, 'facets', access) / p50(base, 'facets', access);
      const vsRaw =
        p50(large, 'facets', access) / p50(large, 'facets', 'raw SQL');
      console.log(
        `${access.padEnd(12)} growth ${growth
          .toFixed(2)
          .padStart(7)}   / raw ${vsRaw.toFixed(2).padStart(6)} ${
          access === 'raw SQL' ? '' : vsRaw <= 3 ? 'ok' : 'MISS'
        }`,
      );
      ok = ok && (access === 'raw SQL' || vsRaw <= 3);
    }
  }
  console.log(`\nload average at end: ${load()}`);
  console.log(ok ? '\nAll targets met (p50).' : '\nSome targets missed (p50).');
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
