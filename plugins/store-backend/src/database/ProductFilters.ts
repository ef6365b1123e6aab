import { ProductLifecycle } from '@internal/plugin-store-common';
import { Knex } from 'knex';
import { criteriaSql, SqlCondition } from './applyCriteria';
import {
  ProductFilter,
  ProductPermissionFilter,
  ProductQueryFilters,
} from './types';

export const PRODUCTS = 'store_products';
export const TAGS = 'store_product_tags';
export const PROVIDERS = 'store_product_providers';
export const AUDIENCE = 'store_product_audience';
export const ORDERS = 'store_orders';
/** SQLite's full-text index of the products' search text. */
export const PRODUCTS_FTS = 'store_products_fts';
/** The words of each product's search text, ordered for the name sort. */
export const WORDS = 'store_product_words';
/** The order status of an active subscription. */
export const FULFILLED = 'fulfilled';

/** Placeholders for a list of bindings. */
function marks(values: unknown[]) {
  return values.map(() => '?').join(', ');
}

/** The lifecycles of products, which permission conditions name. */
const LIFECYCLES: ReadonlySet<string> = new Set<ProductLifecycle>([
  'draft',
  'published',
  'deprecated',
]);

/**
 * The words of a search, as the full-text indexes see text: runs of letters
 * and digits. Everything else separates words, so no character of the user's
 * input reaches the query syntax of either database.
 */
export function searchTerms(q: string): string[] {
  return q.toLocaleLowerCase('en-US').match(/[\p{L}\p{N}]+/gu) ?? [];
}

/**
 * Search words that both full-text indexes keep whole and as they are:
 * ASCII letters and digits, lower-case (as `searchTerms` makes them), short
 * enough to be indexed. Others are searched through the full-text index.
 */
const PLAIN_WORD = /^[a-z0-9]{1,100}$/;

/**
 * The search terms, if each can be found through the table of words, with
 * the one to read in order first (the longest, as likely the rarest).
 */
export function plainSearchTerms(
  q: string,
): { driver: string; others: string[] } | undefined {
  const terms = [...new Set(searchTerms(q))];
  if (terms.length === 0 || !terms.every(t => PLAIN_WORD.test(t))) {
    return undefined;
  }
  const driver = terms.reduce((a, b) => (b.length > a.length ? b : a));
  return { driver, others: terms.filter(t => t !== driver) };
}

/**
 * The first string after every string that starts with `prefix`, in byte
 * order: the prefix with its last character one higher. The prefix is a
 * plain word, so its last character is ASCII and never the highest.
 */
export function prefixEnd(prefix: string): string {
  return (
    prefix.slice(0, -1) +
    String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1)
  );
}

/**
 * How a test of subscriptions reads the orders: `each` product read through
 * the orders' index of products, for pages, which read a few products
 * whatever the caller's number of orders; or the caller's fulfilled orders
 * `once` per statement, for facets, which count every product the caller
 * subscribes to.
 */
export type SubscriptionReads = 'each' | 'once';

/**
 * The WHERE clauses of product queries: the search and facet filters of a
 * query, and the permission decision turned into conditions. Applies to
 * queries of the products table aliased `p`.
 */
export class ProductFilters {
  private readonly isPg: boolean;
  /** True as the database writes it, for constants in the SQL text. */
  private readonly yes: string;
  private readonly subscriptionReads: SubscriptionReads;
  private readonly permissionConditions = new WeakMap<object, SqlCondition>();

  constructor(
    private readonly db: Knex,
    options?: { subscriptionReads?: SubscriptionReads },
  ) {
    this.isPg = db.client.config.client === 'pg';
    this.yes = this.isPg ? 'true' : '1';
    this.subscriptionReads = options?.subscriptionReads ?? 'each';
  }

  apply(
    query: Knex.QueryBuilder,
    filters: ProductQueryFilters,
    permissionFilter: ProductPermissionFilter,
  ) {
    this.applyPermission(query, permissionFilter);

    if (filters.q?.trim()) {
      this.applySearch(query, filters.q);
    }
    const columns: Array<[keyof ProductQueryFilters, string]> = [
      ['category', 'category'],
      ['type', 'type'],
      ['owner', 'owner'],
      ['lifecycle', 'lifecycle'],
    ];
    for (const [key, column] of columns) {
      const values = filters[key] as string[] | undefined;
      if (values?.length) {
        query.whereIn(
          `p.${column}`,
          key === 'owner'
            ? values.map(v => v.toLocaleLowerCase('en-US'))
            : values,
        );
      }
    }
    const children: Array<[keyof ProductQueryFilters, string, string]> = [
      ['tag', TAGS, 'tag'],
      ['provider', PROVIDERS, 'provider'],
    ];
    for (const [key, table, column] of children) {
      const values = filters[key] as string[] | undefined;
      if (values?.length) {
        query.whereIn(
          'p.id',
          this.db(table).select('product_id').whereIn(column, values),
        );
      }
    }
    if (filters.minPriceMinor !== undefined) {
      query.where('p.from_price_minor', '>=', filters.minPriceMinor);
    }
    if (filters.maxPriceMinor !== undefined) {
      query.where('p.from_price_minor', '<=', filters.maxPriceMinor);
    }
    if (filters.freePlan) {
      query.where('p.has_free_plan', true);
    }
  }

  /**
   * Products whose text has a word starting with each word of the search,
   * so that a word still being typed matches; through the full-text index.
   */
  private applySearch(query: Knex.QueryBuilder, q: string) {
    const terms = searchTerms(q);
    if (terms.length === 0) {
      // Only punctuation: no product has a word that matches.
      query.whereRaw('1 = 0');
    } else if (this.isPg) {
      query.whereRaw(`p.search_vector @@ to_tsquery('simple', ?)`, [
        terms.map(t => `${t}:*`).join(' & '),
      ]);
    } else {
      query.whereRaw(
        `p.rowid IN (SELECT rowid FROM ${PRODUCTS_FTS} WHERE ${PRODUCTS_FTS} MATCH ?)`,
        [terms.map(t => `"${t}"*`).join(' ')],
      );
    }
  }

  /**
   * Rows `w` of the table of words whose product has a word starting with
   * `term`: a range of the product's own words, read through its key.
   */
  applyWordPrefix(query: Knex.QueryBuilder, term: string) {
    query.whereExists(this.wordPrefix('w.product_id', term));
  }

  /**
   * Products `p` that have a word starting with `term`, for a read of the
   * products in the order of a sort's index: each product is tested as the
   * read reaches it, so a term that many products match fills a page after
   * a few of them, however many match in all.
   */
  applyWordPrefixToEach(query: Knex.QueryBuilder, term: string) {
    const { sql, bindings } = this.wordPrefix('p.id', term).toSQL();
    // PostgreSQL would otherwise make the test a join that reads every
    // product the term matches.
    query.whereRaw(this.eachExists(sql), bindings);
  }

  private wordPrefix(product: string, term: string) {
    return this.db({ o: WORDS })
      .select(this.db.raw('1'))
      .whereRaw(`o.product_id = ${product}`)
      .where('o.word', '>=', term)
      .where('o.word', '<', prefixEnd(term));
  }

  /**
   * Rows `w` of the table of words whose product passes the filters (but
   * the search) and the permission decision, tested product by product as
   * the words are read in order.
   */
  applyToWords(
    query: Knex.QueryBuilder,
    filters: ProductQueryFilters,
    permissionFilter: ProductPermissionFilter,
  ) {
    const product = this.db({ p: PRODUCTS })
      .select(this.db.raw('1'))
      .whereRaw('p.id = w.product_id');
    this.apply(product, { ...filters, q: undefined }, permissionFilter);
    const { sql, bindings } = product.toSQL();
    // PostgreSQL would make the test a join, and with the permission's
    // subqueries costed once per product it then prefers to read every
    // product first.
    query.whereRaw(this.eachExists(sql), bindings);
  }

  /**
   * `EXISTS (sql)` as a test of each row as the read reaches it. PostgreSQL
   * turns an `EXISTS` into a join, or into a hash of every row of the
   * subquery built before the read starts, whenever it can; it can do
   * neither with an `OFFSET`, so `OFFSET 0` keeps the test per row, whose
   * cost then follows the rows read rather than the size of the tables.
   */
  private eachExists(sql: string): string {
    return `EXISTS (${sql}${this.isPg ? ' OFFSET 0' : ''})`;
  }

  applyPermission(query: Knex.QueryBuilder, filter: ProductPermissionFilter) {
    if (filter) {
      const { sql, bindings } = this.permissionCondition(filter);
      query.whereRaw(sql, bindings);
    }
  }

  /**
   * A permission decision as one SQL condition, written once per decision:
   * the decision cache hands each request of a user the same filter object
   * while it keeps the decision, and building the condition through knex's
   * query builder cost a search more than running its statement. Kept by
   * the identity of the filter, so that a condition goes with its decision.
   */
  private permissionCondition(
    filter: NonNullable<ProductPermissionFilter>,
  ): SqlCondition {
    let condition = this.permissionConditions.get(filter);
    if (!condition) {
      condition = criteriaSql(filter, leaf => this.productCondition(leaf));
      this.permissionConditions.set(filter, condition);
    }
    return condition;
  }

  /**
   * The conditions of a permission decision. What a policy holds constant
   * (lifecycles, the audience's "everyone", the status of a subscription)
   * is written into the SQL text, and only the caller's refs are bound:
   * PostgreSQL estimates a prepared statement's bound values blindly, and a
   * page whose lifecycle was bound looked dearer that way than planned for
   * its values, so it was planned anew on every request (planning cost as
   * much as running it). The text still depends on the decision's shape
   * and policy alone, not on who asks.
   */
  private productCondition(condition: ProductFilter): SqlCondition {
    const { key, values } = condition;
    if (key === 'audience') {
      // A test of each product through the audience's key, rather than
      // `p.id IN (...)`, which both databases answer by first reading every
      // product of the groups: a page would cost in proportion to the
      // catalog.
      const everyone = `p.audience_all = ${this.yes}`;
      return {
        sql:
          values.length === 0
            ? everyone
            : `(${everyone} OR ${this.eachExists(
                `SELECT 1 FROM ${AUDIENCE} a WHERE a.product_id = p.id AND ${this.unindexed(
                  'a.group_ref',
                )} IN (${marks(values)})`,
              )})`,
        bindings: values,
      };
    }
    if (key === 'subscriber') {
      return this.subscription(values);
    }
    if (values.length === 0) {
      return { sql: '1 = 0', bindings: [] };
    }
    if (key === 'lifecycle' && values.every(v => LIFECYCLES.has(v))) {
      // Known names only, so no text of the condition reaches the SQL.
      return {
        sql: `p.lifecycle IN (${values.map(v => `'${v}'`).join(', ')})`,
        bindings: [],
      };
    }
    // The key is one of the filter's own, never a caller's text.
    return { sql: `p.${key} IN (${marks(values)})`, bindings: values };
  }

  /**
   * A column of a subquery run for each product, as the test of a list of
   * the caller's refs reads it. SQLite seeks an index for each value of
   * such a list, building the list's lookup table anew each time the
   * subquery runs: about 4 us a product tested, more than a page's other
   * tests together. The unary plus keeps it off the column's index, so that
   * it reads the product's own rows through their key (its audience's
   * groups; its fulfilled orders) and compares each with the list: a read
   * that follows the product's subscribers rather than the caller's refs,
   * and the policies test subscriptions of the few deprecated products
   * only.
   */
  private unindexed(column: string): string {
    return this.isPg ? column : `+${column}`;
  }

  /**
   * Whether one of the users has a fulfilled order of the product `p`. As
   * `subscriptionReads` says: for each product, through the orders'
   * (lower(product_ref), status, requester) index (on SQLite its first two
   * columns, see `unindexed`); or the users' fulfilled
   * orders once per statement, from the (requester, status, product_ref)
   * index, which a page would pay for in proportion to the users' orders.
   */
  subscription(users: string[]): { sql: string; bindings: string[] } {
    const refs = [
      ...new Set([...users, ...users.map(u => u.toLocaleLowerCase('en-US'))]),
    ];
    if (refs.length === 0) {
      return { sql: '1 = 0', bindings: [] };
    }
    if (this.subscriptionReads === 'once') {
      return {
        sql: `p.id IN (SELECT lower(product_ref) FROM ${ORDERS} WHERE requester IN (${marks(
          refs,
        )}) AND status = '${FULFILLED}')`,
        bindings: refs,
      };
    }
    // SQLite compares a column and an expression with the column's text
    // affinity, and then cannot seek the index of the expression, which
    // has none: the unary plus takes the affinity off the product's id.
    const id = this.isPg ? 'p.id' : '+p.id';
    return {
      sql: this.eachExists(
        `SELECT 1 FROM ${ORDERS} s WHERE lower(s.product_ref) = ${id} AND s.status = '${FULFILLED}' AND ${this.unindexed(
          's.requester',
        )} IN (${marks(refs)})`,
      ),
      bindings: refs,
    };
  }
}
