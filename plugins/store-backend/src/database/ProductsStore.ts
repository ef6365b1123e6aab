import {
  DatabaseService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import {
  fromMinorUnits,
  PriceInterval,
  ProductFacets,
  ProductSort,
} from '@internal/plugin-store-common';
import { InputError } from '@backstage/errors';
import { Knex } from 'knex';
import { insertRows } from './insertRows';
import { jsonList, jsonListColumn } from './jsonLists';
import { isFiltered, ProductFacetCounter } from './ProductFacetCounter';
import { KeptRows } from './KeptRows';
import { selectPrepared, StatementsByDecision } from './selectPrepared';
import {
  CLASS_AUDIENCE,
  CLASSES,
  FACET_COUNTS,
  FacetCountChanges,
  OWNER_FACET_COUNTS,
  ProductFacetCounts,
} from './ProductFacetCounts';
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

/** The PostgreSQL advisory lock that writers of the index take in turn. */
const INDEX_WRITE_LOCK = 0x53544f5245;

/**
 * How many words a search term may start for a search sorted by name to
 * read each word's products in order; a term that starts more (a letter or
 * two) goes through the full-text index.
 */
const PREFIX_WORDS = 16;

/**
 * How many rows of the table of words a one-term search must start for a
 * search in another order than by name (or by a term that starts many
 * words) to read the products in the sort's order, testing each through the
 * key of the table of words, rather than every match through the full-text
 * index. At 100,000 products that many matches are one product in a
 * hundred or more, so a page of 24 takes a few thousand tests at most, and
 * common terms, which cost the full-text index the most, take a few dozen.
 */
const MANY_MATCHES = 1000;

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
/**
 * The columns that a read selects of every product: what a product's content
 * hash does not determine. A product's content hash (the catalog's etag)
 * changes whenever its entity does, and everything else of its row, its
 * tags, providers and audience included, is made from the entity; the store
 * keeps what it has made of a row by that hash (see `ProductsStore.contents`).
 */
const KEY_COLUMNS = ['p.id', 'p.content_hash', 'p.order_count', 'p.created_at'];
/**
 * The columns that a read of content selects: not the search text (the
 * search indexes hold it), nor what the content hash does not determine.
 */
const CONTENT_COLUMNS: string[] = COLUMNS.filter(
  c =>
    c !== 'search_text' &&
    c !== 'order_count' &&
    c !== 'created_at' &&
    c !== 'updated_at',
).map(c => `p.${c}`);
/**
 * A product row as reads select it: the columns that its content hash does
 * not determine, and a page's sort column.
 */
type KeyRow = Pick<
  ProductRow,
  'id' | 'content_hash' | 'order_count' | 'created_at'
> &
  Partial<ProductRow> & { subscribed?: boolean | number };
/** A product's content as a read of it selects: with its tags, providers and audience. */
type ContentRow = Omit<
  ProductRow,
  'search_text' | 'order_count' | 'created_at' | 'updated_at'
> & {
  /** JSON arrays (PostgreSQL's driver parses them, SQLite's does not). */
  tags: string[] | string | null;
  providers: string[] | string | null;
  audience: string[] | string | null;
};
/** What a product's content hash determines: all of it but its history. */
type ProductContent = Omit<StoredProduct, 'orderCount' | 'createdAt'>;

/** The child tables of a product, as the lists that reads return. */
const CHILDREN: Array<{
  table: string;
  column: string;
  as: keyof ContentRow;
}> = [
  { table: TAGS, column: 'tag', as: 'tags' },
  { table: PROVIDERS, column: 'provider', as: 'providers' },
  { table: AUDIENCE, column: 'group_ref', as: 'audience' },
];

/** Of how many products the content is kept for reuse. */
const MAX_CONTENTS = 5000;

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

/** The columns of a page of products: the key columns and the sort's. */
function pageColumns(sort: ProductSort): string[] {
  const column = `p.${SORTS[sort].column}`;
  return KEY_COLUMNS.includes(column) ? KEY_COLUMNS : [...KEY_COLUMNS, column];
}

/** What the store makes of a product's content as a read selects it. */
function toContent(row: ContentRow): ProductContent {
  const minor =
    row.from_price_minor === null ? undefined : Number(row.from_price_minor);
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
    audience: jsonList(row.audience),
    providers: jsonList(row.providers),
    tags: jsonList(row.tags),
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
    entity: JSON.parse(row.entity_json),
    contentHash: row.content_hash,
  };
}

/**
 * The store's index of products; the only place that speaks SQL about them.
 */
export class ProductsStore {
  private readonly filters: ProductFilters;
  private readonly facets: ProductFacetCounter;
  /**
   * What the store has made of product rows (their parsed entity, tags,
   * providers, audience and the rest), by product id, with the content hash
   * of the row it was made of. A product's hash changes whenever its entity
   * does (the refresh writes nothing otherwise), so reads select the hash
   * and the few columns that change without it, and read the rest only of
   * products whose current hash is not kept: a page of products that users
   * browse moves a few dozen bytes a row, not the whole product.
   */
  private readonly contents = new KeptRows<ProductContent>(MAX_CONTENTS);

  private readonly statements = new StatementsByDecision();

  private constructor(
    private readonly db: Knex,
    private readonly prepare: boolean,
  ) {
    this.filters = new ProductFilters(db);
    this.facets = new ProductFacetCounter(db, prepare);
  }

  static async create(options: {
    database: DatabaseService;
    skipMigrations?: boolean;
    /**
     * Whether the hot reads are prepared statements on PostgreSQL (see
     * `selectPrepared`); true by default.
     */
    preparedStatements?: boolean;
  }): Promise<ProductsStore> {
    const db = await options.database.getClient();
    if (!options.database.migrations?.skip && !options.skipMigrations) {
      await db.migrate.latest({ directory: migrationsDir });
    }
    return new ProductsStore(db, options.preparedStatements ?? true);
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
   * The kept facet counts change in the same transaction.
   */
  async applyChanges(
    changes: { upsert: IndexedProduct[]; remove: string[] },
    now: Date = new Date(),
  ): Promise<{ added: number; updated: number; removed: number }> {
    const result = await this.db.transaction(async trx => {
      if (trx.client.config.client === 'pg') {
        // Writers take turns, so that each reads the facets that the kept
        // counts hold for the products it rewrites. SQLite has one writer.
        await trx.raw('SELECT pg_advisory_xact_lock(?)', [INDEX_WRITE_LOCK]);
      }
      const upsertIds = changes.upsert.map(p => p.id);
      // What the products to rewrite or remove count for now.
      const before = await ProductFacetCounts.read(trx, [
        ...new Set([...upsertIds, ...changes.remove]),
      ]);
      const existing = new Set(upsertIds.filter(id => before.has(id)));
      const added = upsertIds.filter(id => !existing.has(id));
      const counts = new FacetCountChanges();
      before.forEach(product => counts.remove(product));
      changes.upsert.forEach(product => counts.add(product));

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

      // New products go as plain inserts, which cost less than upserts:
      // writers take turns, so no other writer adds them meanwhile.
      const productRows = changes.upsert.map(p => this.toRow(p, now));
      await insertRows(
        trx,
        PRODUCTS,
        productRows.filter(r => !existing.has(r.id)),
      );
      await insertRows(
        trx,
        PRODUCTS,
        productRows.filter(r => existing.has(r.id)),
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
      await ProductFacetCounts.write(trx, counts);
      return { added: added.length, updated: existing.size, removed };
    });
    // After a bulk change the planner's statistics are stale, and with
    // permission filters a stale plan can scan every product.
    if (result.added + result.updated + result.removed > BULK_CHANGE) {
      await this.db.raw(
        this.db.client.config.client === 'pg'
          ? `ANALYZE ${[
              PRODUCTS,
              TAGS,
              PROVIDERS,
              AUDIENCE,
              WORDS,
              CLASSES,
              CLASS_AUDIENCE,
              FACET_COUNTS,
              OWNER_FACET_COUNTS,
            ].join(', ')}`
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
    const { column, direction } = SORTS[sort];
    const search = filters.q?.trim() ? await this.planSearch(options) : {};
    if (search === 'none') {
      return { items: [] };
    }
    const order = [
      { column: `p.${column}`, order: direction },
      { column: 'p.id', order: direction },
    ];
    // The page, read in the sort's order or from the table of words, as a
    // subquery: both kinds of page are selected and ordered alike.
    const query = () =>
      this.db
        .select(pageColumns(sort))
        .from(
          (search.page ?? this.listInOrder(options, search.eachWord)).as('p'),
        )
        .orderBy(order);
    let rows: KeyRow[];
    if (isFiltered(filters)) {
      // Searches and filtered pages: their text varies with what the user
      // asks for, so they run unnamed on PostgreSQL, which would keep each
      // named statement for the life of its connection. SQLite's bounded
      // cache keeps them: compiling a search's statement cost about half
      // as much as running it.
      rows = await selectPrepared(this.db, query(), { prepare: false });
    } else {
      // The pages that users browse without a search or filter of their own
      // are prepared: their text depends on the sort and the decision
      // alone. The first page, the most asked for, is also built once per
      // decision.
      const statement = options.cursor
        ? query()
        : this.statements.get(
            options.permissionFilter,
            `first page by ${sort} of ${limit}`,
            () => query().toSQL(),
          )!;
      rows = await selectPrepared(this.db, statement, {
        prepare: this.prepare,
      });
    }
    const page = rows.slice(0, limit);
    const items = await this.toStored(page);
    const last = page[page.length - 1];
    let nextCursor: ProductCursor | undefined;
    if (rows.length > limit && last) {
      const raw = last[column] as ProductRow[typeof column];
      const value =
        column === 'created_at'
          ? new Date(raw as Date).getTime()
          : (raw as string | number);
      nextCursor = { sort, value, id: last.id };
    }
    return { items, nextCursor };
  }

  /**
   * The query of the first `limit + 1` products after the cursor: read in
   * the order of the sort's index, or, with a search, from the full-text
   * index and then sorted.
   */
  private listInOrder(
    options: {
      filters: ProductQueryFilters;
      permissionFilter: ProductPermissionFilter;
      sort: ProductSort;
      cursor?: ProductCursor;
      limit: number;
    },
    /** Search terms tested product by product instead of the search. */
    eachWord?: string[],
  ): Knex.QueryBuilder {
    const { filters, permissionFilter, sort, cursor, limit } = options;
    const { column, direction } = SORTS[sort];

    const query = this.db({ p: PRODUCTS });
    this.filters.apply(
      query,
      eachWord ? { ...filters, q: undefined } : filters,
      permissionFilter,
    );
    for (const term of eachWord ?? []) {
      this.filters.applyWordPrefixToEach(query, term);
    }

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
    if (!Number.isSafeInteger(limit) || limit < 1) {
      throw new InputError(`Invalid page size ${limit}`);
    }
    return (
      query
        .select(pageColumns(sort))
        .orderBy([
          { column: `p.${column}`, order: direction },
          { column: 'p.id', order: direction },
        ])
        // In the SQL text, as PostgreSQL's plan of a prepared page needs it
        // (see ProductFilters): a bound limit is costed as a tenth of the
        // table, and the page then planned anew on each request.
        .limit(limit + 1, { skipBinding: true })
    );
  }

  /**
   * How a search reads its page: from the table of words in name order
   * (`page`); in the sort's order, testing each product for the term
   * (`eachWord`), when the search is one term that starts many words; or,
   * when neither is set, through the full-text index, reading every match.
   * 'none' when no product can match.
   */
  private async planSearch(options: {
    filters: ProductQueryFilters;
    permissionFilter: ProductPermissionFilter;
    sort: ProductSort;
    cursor?: ProductCursor;
    limit: number;
  }): Promise<{ page?: Knex.QueryBuilder; eachWord?: string[] } | 'none'> {
    if (options.sort === 'name') {
      const byWords = await this.searchByWords(options);
      if (byWords) {
        return byWords;
      }
    }
    const terms = plainSearchTerms(options.filters.q ?? '');
    // Of two words that many products have each, few may have both: the
    // full-text index finds those without reading the products in order.
    if (!terms || terms.others.length > 0) {
      return {};
    }
    // In the order of the words' index, so that the count reads that index
    // up to the limit: PostgreSQL otherwise may scan the whole table.
    const [{ n }] = await selectPrepared<{ n: number | string }>(
      this.db,
      this.db
        .from(
          this.db(WORDS)
            .select('word')
            .where('word', '>=', terms.driver)
            .where('word', '<', prefixEnd(terms.driver))
            .orderBy('word')
            .limit(MANY_MATCHES)
            .as('m'),
        )
        .count({ n: '*' }),
      { prepare: this.prepare },
    );
    if (Number(n) === 0) {
      return 'none';
    }
    return Number(n) < MANY_MATCHES ? {} : { eachWord: [terms.driver] };
  }

  /**
   * The query of the first `limit + 1` products of a search sorted by name, after the
   * cursor, read from the table of words: the products of each word that
   * the longest search term starts, in name order, each tested against the
   * other terms, the filters and the permission decision until the page is
   * full. A page costs about its size, however many products match; a rare
   * word has few products to read. Undefined when the full-text index
   * answers instead: terms that are not plain words, or a term that starts
   * more than a few words; 'none' when no product has a word that the
   * term starts. (The query is wrapped: a promise would run it.)
   */
  private async searchByWords(options: {
    filters: ProductQueryFilters;
    permissionFilter: ProductPermissionFilter;
    cursor?: ProductCursor;
    limit: number;
  }): Promise<{ page: Knex.QueryBuilder } | 'none' | undefined> {
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
      return 'none';
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
    return {
      page: this.db
        .from(page.as('m'))
        .join({ p: PRODUCTS }, 'p.id', 'm.product_id')
        .select(pageColumns('name'))
        .orderBy(order('m.')),
    };
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
    // One text for every search: a statement kept prepared.
    const rows = await selectPrepared<{ word: string }>(
      this.db,
      this.db
        .raw(
          `WITH RECURSIVE found (word, n) AS (
            SELECT (SELECT min(word) FROM ${WORDS} WHERE word >= ? AND word < ?), 1
            UNION ALL
            SELECT (SELECT min(w.word) FROM ${WORDS} w WHERE w.word > found.word AND w.word < ?), n + 1
            FROM found WHERE found.word IS NOT NULL AND n < ?
          )
          SELECT word FROM found WHERE word IS NOT NULL`,
          [prefix, end, end, max],
        )
        .toSQL(),
      { prepare: this.prepare },
    );
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

  /**
   * One product, if the permission filter lets it through; with
   * `subscriber`, also whether that user has a fulfilled order of it. One
   * statement.
   */
  async getProduct(options: {
    id: string;
    permissionFilter: ProductPermissionFilter;
    subscriber?: string;
  }): Promise<(StoredProduct & { subscribed?: boolean }) | undefined> {
    const query = this.db<ProductRow>({ p: PRODUCTS }).where(
      'p.id',
      options.id.toLocaleLowerCase('en-US'),
    );
    this.filters.applyPermission(query, options.permissionFilter);
    const columns: Array<string | Knex.Raw> = [...KEY_COLUMNS];
    if (options.subscriber !== undefined) {
      const subscribed = this.filters.subscription([options.subscriber]);
      columns.push(
        this.db.raw(
          `(CASE WHEN ${subscribed.sql} THEN 1 ELSE 0 END) AS subscribed`,
          subscribed.bindings,
        ),
      );
    }
    const [row] = await selectPrepared<KeyRow>(this.db, query.select(columns), {
      prepare: this.prepare,
    });
    const [product] = row ? await this.toStored([row]) : [];
    if (!product) {
      return undefined;
    }
    return options.subscriber === undefined
      ? product
      : { ...product, subscribed: Boolean(Number(row.subscribed)) };
  }

  /** Products with their subscribers, for permission rules applied in memory. */
  async getProductResources(
    ids: string[],
  ): Promise<Array<ProductResource | undefined>> {
    const keys = ids.map(id => id.toLocaleLowerCase('en-US'));
    const rows: KeyRow[] = await this.db<ProductRow>({ p: PRODUCTS })
      .whereIn('p.id', keys)
      .select(KEY_COLUMNS);
    const products = new Map((await this.toStored(rows)).map(p => [p.id, p]));
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

  /**
   * The tags, providers and audience of the product `p` as columns of JSON
   * arrays, each in the order of its values, by subqueries on the child
   * tables' primary keys.
   */
  private childLists(): Knex.Raw[] {
    return CHILDREN.map(({ table, column, as }) =>
      jsonListColumn(this.db, {
        table,
        column,
        parentColumn: 'product_id',
        parentKey: 'p.id',
        as,
      }),
    );
  }

  /**
   * The products of read rows, in their order, with their content: that
   * kept for the row's content hash, the others read in one statement. A
   * product removed since its row was read is left out; one changed since
   * then gets its newer content.
   */
  private async toStored(rows: KeyRow[]): Promise<StoredProduct[]> {
    const { found: contents, missing } = this.contents.take(
      rows.map(row => ({ id: row.id, version: row.content_hash })),
    );
    for (let i = 0; i < missing.length; i += ID_CHUNK) {
      const read: ContentRow[] = await this.db<ProductRow>({ p: PRODUCTS })
        .whereIn('p.id', missing.slice(i, i + ID_CHUNK))
        .select([...CONTENT_COLUMNS, ...this.childLists()]);
      for (const row of read) {
        contents.set(
          row.id,
          this.contents.keep(row.id, row.content_hash, toContent(row)),
        );
      }
    }
    return rows.flatMap(row => {
      const content = contents.get(row.id);
      return content
        ? [
            {
              ...content,
              orderCount: Number(row.order_count),
              createdAt: new Date(row.created_at as Date),
            },
          ]
        : [];
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
