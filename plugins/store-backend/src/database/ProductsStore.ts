import {
  DatabaseService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import {
  fromMinorUnits,
  PriceInterval,
  ProductEntity,
  ProductFacets,
  ProductSort,
} from '@internal/plugin-store-common';
import { Knex } from 'knex';
import { insertRows } from './insertRows';
import { ProductFacetCounter } from './ProductFacetCounter';
import {
  AUDIENCE,
  FULFILLED,
  ORDERS,
  PRODUCTS,
  PROVIDERS,
  ProductFilters,
  TAGS,
  WORDS,
  plainSearchTerms,
  prefixEnd,
} from './ProductFilters';
import {
  IndexedProduct,
  ProductCursor,
  ProductPermissionFilter,
  ProductQueryFilters,
  ProductResource,
  StoredProduct,
} from './types';

const migrationsDir = resolvePackagePath(
  '@internal/plugin-store-backend',
  'migrations',
);

/** How many changed products make the index refresh its statistics. */
const BULK_CHANGE = 500;

/** Keys per `IN (...)` list, well within either database's bound values. */
const ID_CHUNK = 1000;

/**
 * How many words a search term may start for a search sorted by name to
 * read each word's products in order; a term that starts more (a letter or
 * two) goes through the full-text index.
 */
const PREFIX_WORDS = 16;

type ProductRow = {
  id: string;
  namespace: string;
  name: string;
  title: string;
  title_sort: string;
  summary: string;
  type: string;
  category: string;
  owner: string;
  lifecycle: string;
  audience_all: boolean | number;
  from_price_minor: number | string | null;
  from_currency: string | null;
  from_interval: string | null;
  has_free_plan: boolean | number;
  needs_approval: boolean | number;
  order_count: number | string;
  search_text: string;
  entity_json: string;
  content_hash: string;
  created_at: Date | string | number;
  updated_at: Date | string | number;
};

/** The columns of a product row, selected by name: not PostgreSQL's search vector. */
const COLUMNS: Array<keyof ProductRow> = [
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
];
const P_COLUMNS: string[] = COLUMNS.map(c => `p.${c}`);
/** What a changed product overwrites: all but its history. */
const REWRITTEN = COLUMNS.filter(
  c => c !== 'created_at' && c !== 'order_count',
);

const SORTS: Record<
  ProductSort,
  { column: keyof ProductRow; direction: 'asc' | 'desc' }
> = {
  name: { column: 'title_sort', direction: 'asc' },
  price: { column: 'from_price_minor', direction: 'asc' },
  orders: { column: 'order_count', direction: 'desc' },
  newest: { column: 'created_at', direction: 'desc' },
};

/**
 * The store's index of products; the only place that speaks SQL about them.
 */
export class ProductsStore {
  private readonly filters: ProductFilters;
  private readonly facets: ProductFacetCounter;

  private constructor(private readonly db: Knex) {
    this.filters = new ProductFilters(db);
    this.facets = new ProductFacetCounter(db, this.filters);
  }

  static async create(options: {
    database: DatabaseService;
    skipMigrations?: boolean;
  }): Promise<ProductsStore> {
    const db = await options.database.getClient();
    if (!options.database.migrations?.skip && !options.skipMigrations) {
      await db.migrate.latest({ directory: migrationsDir });
    }
    return new ProductsStore(db);
  }

  /**
   * The content hash (the catalog's etag) of the given indexed products, or
   * of all of them.
   */
  async getContentHashes(ids?: string[]): Promise<Map<string, string>> {
    const rows: Array<Pick<ProductRow, 'id' | 'content_hash'>> = [];
    if (!ids) {
      rows.push(
        ...(await this.db<ProductRow>(PRODUCTS).select('id', 'content_hash')),
      );
    }
    for (let i = 0; ids && i < ids.length; i += ID_CHUNK) {
      rows.push(
        ...(await this.db<ProductRow>(PRODUCTS)
          .whereIn('id', ids.slice(i, i + ID_CHUNK))
          .select('id', 'content_hash')),
      );
    }
    return new Map(rows.map(r => [r.id, r.content_hash]));
  }

  /**
   * Makes the index hold exactly the given products: inserts new ones,
   * rewrites changed ones and removes the ones that are gone.
   */
  async replaceAll(
    products: IndexedProduct[],
    now: Date = new Date(),
  ): Promise<{ added: number; updated: number; removed: number }> {
    const existing = await this.getContentHashes();
    const wanted = new Set(products.map(p => p.id));
    return this.applyChanges(
      {
        upsert: products.filter(p => existing.get(p.id) !== p.contentHash),
        remove: [...existing.keys()].filter(id => !wanted.has(id)),
      },
      now,
    );
  }

  /**
   * Writes new and changed products, and removes products that are gone, in
   * one transaction and in as few statements as the database takes: product
   * rows and their tags, providers and audience go as multi-row inserts, and
   * a changed product overwrites its row in the same statement
   * (`ON CONFLICT ... DO UPDATE`), keeping its creation time and order count.
   */
  async applyChanges(
    changes: { upsert: IndexedProduct[]; remove: string[] },
    now: Date = new Date(),
  ): Promise<{ added: number; updated: number; removed: number }> {
    const result = await this.db.transaction(async trx => {
      const upsertIds = changes.upsert.map(p => p.id);
      const existing = new Set<string>();
      for (let i = 0; i < upsertIds.length; i += ID_CHUNK) {
        const rows = await trx<ProductRow>(PRODUCTS)
          .whereIn('id', upsertIds.slice(i, i + ID_CHUNK))
          .select('id');
        rows.forEach(r => existing.add(r.id));
      }
      const added = upsertIds.filter(id => !existing.has(id));

      // The children of changed products are written again from scratch.
      const stale = [...changes.remove, ...existing];
      let removed = 0;
      for (let i = 0; i < stale.length; i += ID_CHUNK) {
        const chunk = stale.slice(i, i + ID_CHUNK);
        for (const table of [TAGS, PROVIDERS, AUDIENCE]) {
          await trx(table).whereIn('product_id', chunk).delete();
        }
      }
      for (let i = 0; i < changes.remove.length; i += ID_CHUNK) {
        removed += Number(
          await trx(PRODUCTS)
            .whereIn('id', changes.remove.slice(i, i + ID_CHUNK))
            .delete(),
        );
      }

      await insertRows(
        trx,
        PRODUCTS,
        changes.upsert.map(p => this.toRow(p, now)),
        { updateOnConflict: { key: 'id', columns: REWRITTEN } },
      );
      if (added.length > 0) {
        await this.recountOrders(trx, added);
      }

      const children: Array<[string, string, (p: IndexedProduct) => string[]]> =
        [
          [TAGS, 'tag', p => p.tags],
          [PROVIDERS, 'provider', p => p.providers],
          [AUDIENCE, 'group_ref', p => p.audience],
        ];
      for (const [table, column, values] of children) {
        const rows = changes.upsert.flatMap(p =>
          [...new Set(values(p))].map(value => ({
            product_id: p.id,
            [column]: value,
          })),
        );
        await insertRows(trx, table, rows);
      }
      return { added: added.length, updated: existing.size, removed };
    });
    // After a bulk change the planner's statistics are stale, and with
    // permission filters a stale plan can scan every product.
    if (result.added + result.updated + result.removed > BULK_CHANGE) {
      await this.db.raw(
        this.db.client.config.client === 'pg'
          ? `ANALYZE ${[PRODUCTS, TAGS, PROVIDERS, AUDIENCE].join(', ')}`
          : 'ANALYZE',
      );
    }
    return result;
  }

  /**
   * Counts the orders of products that (re-)enter the index; from then on
   * each new order counts itself, in the transaction that creates it.
   */
  private async recountOrders(trx: Knex.Transaction, ids: string[]) {
    const [{ count }] = await trx(ORDERS).count({ count: '*' });
    if (Number(count) === 0) {
      return;
    }
    const wanted = new Set(ids);
    const counts: Array<{ id: string; count: number | string }> = await trx(
      ORDERS,
    )
      .select({ id: trx.raw('lower(product_ref)') })
      .count({ count: '*' })
      .groupByRaw('lower(product_ref)');
    // Few distinct counts: one update for each, of all products that have it.
    const byCount = new Map<number, string[]>();
    for (const row of counts) {
      if (wanted.has(row.id)) {
        const n = Number(row.count);
        const list = byCount.get(n) ?? [];
        list.push(row.id);
        byCount.set(n, list);
      }
    }
    for (const [n, productIds] of byCount) {
      for (let i = 0; i < productIds.length; i += ID_CHUNK) {
        await trx(PRODUCTS)
          .whereIn('id', productIds.slice(i, i + ID_CHUNK))
          .update({ order_count: n });
      }
    }
  }

  /** One page of products matching the filters, in the requested order. */
  async listProducts(options: {
    filters: ProductQueryFilters;
    permissionFilter: ProductPermissionFilter;
    sort: ProductSort;
    cursor?: ProductCursor;
    limit: number;
  }): Promise<{ items: StoredProduct[]; nextCursor?: ProductCursor }> {
    const { filters, sort, limit } = options;
    const { column } = SORTS[sort];
    const rows =
      (sort === 'name' && filters.q?.trim()
        ? await this.searchByWords(options)
        : undefined) ?? (await this.listInOrder(options));

    const page = rows.slice(0, limit);
    const items = await this.withChildren(page);
    const last = page[page.length - 1];
    let nextCursor: ProductCursor | undefined;
    if (rows.length > limit && last) {
      const raw = last[column];
      const value =
        column === 'created_at'
          ? new Date(raw as Date).getTime()
          : (raw as string | number);
      nextCursor = { sort, value, id: last.id };
    }
    return { items, nextCursor };
  }

  /**
   * The first `limit + 1` products after the cursor: read in the order of
   * the sort's index, or, with a search, from the full-text index and then
   * sorted.
   */
  private async listInOrder(options: {
    filters: ProductQueryFilters;
    permissionFilter: ProductPermissionFilter;
    sort: ProductSort;
    cursor?: ProductCursor;
    limit: number;
  }): Promise<ProductRow[]> {
    const { filters, permissionFilter, sort, cursor, limit } = options;
    const { column, direction } = SORTS[sort];

    const query = this.db({ p: PRODUCTS });
    this.filters.apply(query, filters, permissionFilter);

    // Ties are broken by the id in the direction of the sort, so that a
    // page is one scan of the sort's index, forwards or backwards.
    if (cursor) {
      const value =
        column === 'created_at' ? new Date(Number(cursor.value)) : cursor.value;
      const op = direction === 'asc' ? '>' : '<';
      query.where(inner =>
        inner
          .where(`p.${column}`, op, value)
          .orWhere(tie =>
            tie.where(`p.${column}`, value).andWhere('p.id', op, cursor.id),
          ),
      );
    }
    return query
      .select(P_COLUMNS)
      .orderBy([
        { column: `p.${column}`, order: direction },
        { column: 'p.id', order: direction },
      ])
      .limit(limit + 1);
  }

  /**
   * The first `limit + 1` products of a search sorted by name, after the
   * cursor, read from the table of words: the products of each word that
   * the longest search term starts, in name order, each tested against the
   * other terms, the filters and the permission decision until the page is
   * full. A page costs about its size, however many products match; a rare
   * word has few products to read. Undefined when the full-text index
   * answers instead: terms that are not plain words, or a term that starts
   * more than a few words.
   */
  private async searchByWords(options: {
    filters: ProductQueryFilters;
    permissionFilter: ProductPermissionFilter;
    cursor?: ProductCursor;
    limit: number;
  }): Promise<ProductRow[] | undefined> {
    const { filters, permissionFilter, cursor, limit } = options;
    const terms = plainSearchTerms(filters.q ?? '');
    if (!terms) {
      return undefined;
    }
    const words = await this.wordsStartingWith(terms.driver, PREFIX_WORDS + 1);
    if (words.length > PREFIX_WORDS) {
      return undefined;
    }
    if (words.length === 0) {
      return [];
    }
    const order = (prefix: string) => [
      { column: `${prefix}title_sort` },
      { column: `${prefix}product_id` },
    ];
    // The first page of each word's products; a product with two of the
    // words is in two of them, so they are merged without duplicates.
    const pages = words.map(word => {
      const page = this.db({ w: WORDS })
        .select('w.title_sort', 'w.product_id')
        .where('w.word', word);
      if (cursor) {
        page.whereRaw('(w.title_sort, w.product_id) > (?, ?)', [
          cursor.value,
          cursor.id,
        ]);
      }
      for (const term of terms.others) {
        this.filters.applyWordPrefix(page, term);
      }
      this.filters.applyToWords(page, filters, permissionFilter);
      return page.orderBy(order('w.')).limit(limit + 1);
    });
    const [first, ...rest] = pages;
    const page =
      rest.length === 0
        ? first
        : this.db
            .select('*')
            .from(first.as('w0'))
            .union(
              rest.map((p, i) => this.db.select('*').from(p.as(`w${i + 1}`))),
            )
            .orderBy(order(''))
            .limit(limit + 1);
    return this.db
      .from(page.as('m'))
      .join({ p: PRODUCTS }, 'p.id', 'm.product_id')
      .select(P_COLUMNS)
      .orderBy(order('m.'));
  }

  /**
   * Up to `max` distinct words of the products that start with `prefix`, in
   * byte order: one step through the words' index for each.
   */
  private async wordsStartingWith(
    prefix: string,
    max: number,
  ): Promise<string[]> {
    const end = prefixEnd(prefix);
    const result = await this.db.raw(
      `WITH RECURSIVE found (word, n) AS (
        SELECT (SELECT min(word) FROM ${WORDS} WHERE word >= ? AND word < ?), 1
        UNION ALL
        SELECT (SELECT min(w.word) FROM ${WORDS} w WHERE w.word > found.word AND w.word < ?), n + 1
        FROM found WHERE found.word IS NOT NULL AND n < ?
      )
      SELECT word FROM found WHERE word IS NOT NULL`,
      [prefix, end, end, max],
    );
    const rows: Array<{ word: string }> =
      this.db.client.config.client === 'pg' ? result.rows : result;
    return rows.map(r => r.word);
  }

  /**
   * Counts of each facet value, and how many products match in all. A
   * facet's own filter is left out of its counts, so that the user sees what
   * choosing another value would give.
   */
  async getFacets(options: {
    filters: ProductQueryFilters;
    permissionFilter: ProductPermissionFilter;
  }): Promise<{ facets: ProductFacets; totalItems: number }> {
    return this.facets.count(options);
  }

  /** One product, if the permission filter lets it through. */
  async getProduct(options: {
    id: string;
    permissionFilter: ProductPermissionFilter;
  }): Promise<StoredProduct | undefined> {
    const query = this.db<ProductRow>({ p: PRODUCTS }).where(
      'p.id',
      options.id.toLocaleLowerCase('en-US'),
    );
    this.filters.applyPermission(query, options.permissionFilter);
    const rows: ProductRow[] = await query.select(P_COLUMNS);
    const [product] = await this.withChildren(rows);
    return product;
  }

  /** Whether one of the users has a fulfilled order of the product. */
  async isSubscribed(options: { id: string; users: string[] }) {
    const subscribed = this.filters.subscription(options.users);
    const row = await this.db({ p: PRODUCTS })
      .where('p.id', options.id.toLocaleLowerCase('en-US'))
      .whereRaw(subscribed.sql, subscribed.bindings)
      .first('p.id');
    return Boolean(row);
  }

  /** Products with their subscribers, for permission rules applied in memory. */
  async getProductResources(
    ids: string[],
  ): Promise<Array<ProductResource | undefined>> {
    const keys = ids.map(id => id.toLocaleLowerCase('en-US'));
    const rows: ProductRow[] = await this.db<ProductRow>({ p: PRODUCTS })
      .whereIn('p.id', keys)
      .select(P_COLUMNS);
    const products = new Map(
      (await this.withChildren(rows)).map(p => [p.id, p]),
    );
    const subscribers = new Map<string, Set<string>>();
    if (products.size > 0) {
      const orders: Array<{ id: string; requester: string }> = await this.db(
        ORDERS,
      )
        .select({
          id: this.db.raw('lower(product_ref)'),
          requester: 'requester',
        })
        .whereRaw(
          `lower(product_ref) IN (${[...products.keys()]
            .map(() => '?')
            .join(', ')})`,
          [...products.keys()],
        )
        .andWhere('status', FULFILLED);
      for (const order of orders) {
        const set = subscribers.get(order.id) ?? new Set<string>();
        set.add(order.requester.toLocaleLowerCase('en-US'));
        subscribers.set(order.id, set);
      }
    }
    return keys.map(key => {
      const product = products.get(key);
      return (
        product && {
          ...product,
          subscribers: [...(subscribers.get(key) ?? [])],
        }
      );
    });
  }

  private async withChildren(rows: ProductRow[]): Promise<StoredProduct[]> {
    if (rows.length === 0) {
      return [];
    }
    const ids = rows.map(r => r.id);
    // Tags, providers and audience in one round trip to the database.
    const child = (
      table: string,
      kind: 'tag' | 'provider' | 'audience',
      column: string,
    ) =>
      this.db(table)
        .whereIn('product_id', ids)
        .select({
          kind: this.db.raw(`'${kind}'`),
          product_id: 'product_id',
          value: column,
        });
    const children: Array<{ kind: string; product_id: string; value: string }> =
      await child(TAGS, 'tag', 'tag')
        .unionAll([
          child(PROVIDERS, 'provider', 'provider'),
          child(AUDIENCE, 'audience', 'group_ref'),
        ])
        .orderBy('value');
    const tags = new Map<string, string[]>();
    const providers = new Map<string, string[]>();
    const audience = new Map<string, string[]>();
    const byKind: Record<string, Map<string, string[]>> = {
      tag: tags,
      provider: providers,
      audience,
    };
    for (const { kind, product_id: id, value } of children) {
      const map = byKind[kind];
      const list = map.get(id) ?? [];
      list.push(value);
      map.set(id, list);
    }
    return rows.map(row => {
      const minor =
        row.from_price_minor === null
          ? undefined
          : Number(row.from_price_minor);
      return {
        id: row.id,
        namespace: row.namespace,
        name: row.name,
        title: row.title,
        summary: row.summary,
        type: row.type,
        category: row.category,
        owner: row.owner,
        lifecycle: row.lifecycle as StoredProduct['lifecycle'],
        audience: audience.get(row.id) ?? [],
        providers: providers.get(row.id) ?? [],
        tags: tags.get(row.id) ?? [],
        fromPriceMinor: minor,
        fromPrice:
          minor === undefined || !row.from_currency
            ? undefined
            : {
                amount: fromMinorUnits(minor, row.from_currency),
                currency: row.from_currency,
                interval: row.from_interval as PriceInterval,
              },
        hasFreePlan: Boolean(row.has_free_plan),
        needsApproval: Boolean(row.needs_approval),
        searchText: row.search_text,
        entity: JSON.parse(row.entity_json) as ProductEntity,
        contentHash: row.content_hash,
        orderCount: Number(row.order_count),
        createdAt: new Date(row.created_at as Date),
      };
    });
  }

  private toRow(product: IndexedProduct, now: Date): ProductRow {
    return {
      id: product.id,
      namespace: product.namespace,
      name: product.name,
      title: product.title,
      title_sort: product.title.toLocaleLowerCase('en-US'),
      summary: product.summary,
      type: product.type,
      category: product.category,
      owner: product.owner,
      lifecycle: product.lifecycle,
      audience_all: product.audience.length === 0,
      from_price_minor: product.fromPriceMinor ?? null,
      from_currency: product.fromPrice?.currency ?? null,
      from_interval: product.fromPrice?.interval ?? null,
      has_free_plan: product.hasFreePlan,
      needs_approval: product.needsApproval,
      order_count: 0,
      search_text: product.searchText,
      entity_json: JSON.stringify(product.entity),
      content_hash: product.contentHash,
      created_at: now,
      updated_at: now,
    };
  }
}
