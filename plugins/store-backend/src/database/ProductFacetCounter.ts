import { PermissionCriteria } from '@backstage/plugin-permission-common';
import { FacetCount, ProductFacets } from '@internal/plugin-store-common';
import { Knex } from 'knex';
import { applyCriteria } from './applyCriteria';
import {
  CLASS_AUDIENCE,
  CLASSES,
  FACET_COUNTS,
  FREE_PLAN,
  OWNER_FACET_COUNTS,
  TOTAL,
} from './ProductFacetCounts';
import { PRODUCTS, PROVIDERS, TAGS, ProductFilters } from './ProductFilters';
import { selectPrepared, StatementsByDecision } from './selectPrepared';
import {
  ProductFilter,
  ProductPermissionFilter,
  ProductQueryFilters,
} from './types';

type FacetName = keyof ProductFacets;

type FacetDefinition =
  | { name: FacetName; kind: 'column'; column: string }
  | { name: FacetName; kind: 'child'; table: string; column: string }
  | { name: FacetName; kind: 'flag' };

const FACETS: FacetDefinition[] = [
  { name: 'category', kind: 'column', column: 'category' },
  { name: 'type', kind: 'column', column: 'type' },
  { name: 'owner', kind: 'column', column: 'owner' },
  { name: 'provider', kind: 'child', table: PROVIDERS, column: 'provider' },
  { name: 'tag', kind: 'child', table: TAGS, column: 'tag' },
  { name: 'freePlan', kind: 'flag' },
];

/** How many values of a many-valued facet are counted at most. */
const FACET_LIMIT = 50;

type FacetRow = { facet: string; value: unknown; count: unknown };

type Criteria = PermissionCriteria<ProductFilter>;

/**
 * Whether criteria depend on nothing but a product's visibility class (its
 * lifecycle and audience), so that all products of a class pass or none.
 */
function isClassCriteria(criteria: Criteria): boolean {
  if ('allOf' in criteria) {
    return criteria.allOf.every(isClassCriteria);
  }
  if ('anyOf' in criteria) {
    return criteria.anyOf.every(isClassCriteria);
  }
  if ('not' in criteria) {
    return isClassCriteria(criteria.not);
  }
  return criteria.key === 'lifecycle' || criteria.key === 'audience';
}

function anyOf(parts: Criteria[]): Criteria {
  const [first, ...rest] = parts;
  return rest.length === 0 ? first : { anyOf: [first, ...rest] };
}

/** What of a caller's facets the kept counts give. */
export type KeptCounts =
  /** Every product: the counts of all classes. */
  | { all: true }
  | {
      /** Criteria that classes pass or fail whole. */
      classes: Criteria[];
      /** Owners whose products the caller sees, whatever their class. */
      owners: string[];
      /** Conditions that single products pass, counted over the products. */
      rest: Criteria[];
    };

/**
 * A permission decision split into what the kept counts give and the rest:
 * the alternatives of an `anyOf` that depend on nothing but the class, an
 * owner, or neither. Undefined when the kept counts give no part of it.
 */
export function splitForKeptCounts(
  filter: ProductPermissionFilter,
): KeptCounts | undefined {
  if (!filter) {
    return { all: true };
  }
  const classes: Criteria[] = [];
  const owners = new Set<string>();
  const rest: Criteria[] = [];
  for (const part of 'anyOf' in filter ? filter.anyOf : [filter]) {
    if (isClassCriteria(part)) {
      classes.push(part);
    } else if ('key' in part && part.key === 'owner') {
      part.values.forEach(owner => owners.add(owner));
    } else {
      rest.push(part);
    }
  }
  if (classes.length === 0 && owners.size === 0) {
    return undefined;
  }
  return { classes, owners: [...owners], rest };
}

/**
 * Whether a query has a search or facet filter that the facets must apply:
 * any filter with a value but a blank search, so that a filter added to
 * queries later is counted over the products until the kept counts know it.
 */
export function isFiltered(filters: ProductQueryFilters): boolean {
  return Object.entries(filters).some(([key, value]) => {
    if (key === 'q') {
      return Boolean((value as string | undefined)?.trim());
    }
    if (Array.isArray(value)) {
      return value.length > 0;
    }
    return value !== undefined && value !== false;
  });
}

/**
 * The facet counts of the store page. Without search or facet filters they
 * are sums of the counts that the index keeps per visibility class, over
 * the classes the caller may see, and per class and owner, over the
 * products they own in other classes, plus a count of the few products that
 * they see otherwise (their subscriptions); else a count over the matching
 * products, in as few scans as the filters allow. Both give the same answer.
 */
export class ProductFacetCounter {
  private readonly statements = new StatementsByDecision();
  private readonly isPg: boolean;
  /**
   * Facets count every product the caller subscribes to, so they read the
   * caller's fulfilled orders once per statement, not once per product.
   */
  private readonly filters: ProductFilters;

  constructor(private readonly db: Knex, private readonly prepare = true) {
    this.isPg = db.client.config.client === 'pg';
    this.filters = new ProductFilters(db, { subscriptionReads: 'once' });
  }

  /**
   * Counts of each facet value, and how many products match in all. A
   * facet's own filter is left out of its counts, so that the user sees what
   * choosing another value would give.
   */
  async count(options: {
    filters: ProductQueryFilters;
    permissionFilter: ProductPermissionFilter;
  }): Promise<{ facets: ProductFacets; totalItems: number }> {
    if (isFiltered(options.filters)) {
      return this.countByScan(options);
    }
    const query = this.keptQuery(options.permissionFilter);
    if (!query) {
      return this.countByScan(options);
    }
    return this.toFacets(
      await selectPrepared<FacetRow>(this.db, query, {
        prepare: this.prepare,
      }),
    );
  }

  /**
   * The statement of the kept counts that a permission decision sees, built
   * once per decision: the decision cache hands each request of a user the
   * same filter object while it keeps the decision. Undefined when the kept
   * counts give no part of it.
   */
  private keptQuery(
    permissionFilter: ProductPermissionFilter,
  ): Knex.Sql | undefined {
    return this.statements.get(permissionFilter, 'kept', () => {
      const kept = splitForKeptCounts(permissionFilter);
      return kept && this.countKept(kept).toSQL();
    });
  }

  /** The facet counts, counted over every matching product. */
  async countByScan(options: {
    filters: ProductQueryFilters;
    permissionFilter: ProductPermissionFilter;
  }): Promise<{ facets: ProductFacets; totalItems: number }> {
    const { filters, permissionFilter } = options;
    const isFacetFiltered = (facet: FacetName) =>
      facet === 'freePlan'
        ? Boolean(filters.freePlan)
        : Boolean(filters[facet]?.length);

    // The facets that have no filter of their own share one scan of the
    // matching products; each filtered facet needs a scan without its filter.
    const scans = [
      {
        filters,
        facets: FACETS.filter(f => !isFacetFiltered(f.name)),
        withTotal: true,
      },
      ...FACETS.filter(f => isFacetFiltered(f.name)).map(f => ({
        filters: { ...filters, [f.name]: undefined },
        facets: [f],
        withTotal: false,
      })),
    ];
    const rows = (
      await Promise.all(
        scans.map(scan => {
          const visible = this.visible();
          this.filters.apply(visible, scan.filters, permissionFilter);
          const [first, ...rest] = this.branches(scan.facets, scan.withTotal);
          // Materialized, so that the permission and search filters are
          // evaluated once for all facets of the scan.
          return this.db
            .withMaterialized('v', visible)
            .select('*')
            .from(first.as('b'))
            .unionAll(rest.map(r => this.db.select('*').from(r.as('r'))));
        }),
      )
    ).flat();
    return this.toFacets(rows);
  }

  /**
   * The kept counts of the classes the caller may see, of the products they
   * own in other classes, and the counts of the products they see otherwise
   * and that are in none of those, added up; then the top values of the
   * many-valued facets, as a scan would choose them.
   */
  private countKept(kept: KeptCounts): Knex.QueryBuilder {
    const parts: Knex.QueryBuilder[] = [];
    let merged: Knex.QueryBuilder = this.db.queryBuilder();
    if ('all' in kept) {
      parts.push(
        this.db({ k: FACET_COUNTS }).select('k.facet', 'k.value', 'k.count'),
      );
    } else {
      const { classes, owners, rest } = kept;
      const seenClasses = classes.length ? anyOf(classes) : undefined;
      // The ids of the classes the caller sees, read once for both parts
      // that need them.
      const seenIds = () => this.db('cls').select('cls.id');
      if (seenClasses) {
        merged = merged.withMaterialized(
          'cls',
          this.db({ c: CLASSES })
            .select('c.id')
            .where(inner =>
              applyCriteria(inner, seenClasses, (q, leaf) =>
                this.applyClassCondition(q, leaf),
              ),
            ),
        );
        parts.push(this.countsOfSeenClasses(seenIds));
      }
      if (owners.length) {
        const owned = this.db({ o: OWNER_FACET_COUNTS })
          .select('o.facet', 'o.value', 'o.count')
          .whereIn('o.owner', owners);
        if (seenClasses) {
          owned.whereNotIn('o.class_id', seenIds());
        }
        parts.push(owned);
      }
      if (rest.length) {
        // One query per condition, each read from its own index, of the
        // products that the kept counts have not counted.
        const counted: Criteria[] = [];
        if (seenClasses) {
          counted.push(seenClasses);
        }
        if (owners.length) {
          counted.push({ key: 'owner', values: owners });
        }
        const [first, ...others] = rest.map(part => {
          const visible = this.visible();
          this.filters.applyPermission(
            visible,
            counted.length ? { allOf: [part, { not: anyOf(counted) }] } : part,
          );
          return visible;
        });
        merged = merged.withMaterialized(
          'v',
          others.length ? first.union(others) : first,
        );
        parts.push(...this.valuesOfProducts());
      }
    }

    const [head, ...tail] = parts.map(part =>
      this.db.select('*').from(part.as('u')),
    );
    const sums = this.db
      .select('s.facet', 's.value')
      .sum({ count: 's.count' })
      .from(head.unionAll(tail).as('s'))
      .groupBy('s.facet', 's.value');

    const many = FACETS.filter(f => f.kind === 'child').map(f => f.name);
    const top = many.map(name =>
      this.db.select('*').from(
        this.db('m')
          .select('m.facet', 'm.value', 'm.count')
          .where('m.facet', name)
          .orderBy([
            { column: 'm.count', order: 'desc' },
            { column: 'm.value', order: 'asc' },
          ])
          .limit(FACET_LIMIT)
          .as(`t_${name}`),
      ),
    );
    return merged
      .withMaterialized('m', sums)
      .select('m.facet', 'm.value', 'm.count')
      .from('m')
      .whereNotIn('m.facet', many)
      .unionAll(top);
  }

  /**
   * The kept counts of the classes in `cls`. PostgreSQL, left to choose,
   * hashes the few seen classes and reads every class's counts to probe
   * them; a subquery per class that it may not pull up (OFFSET 0) reads
   * only theirs, by the table's key: at 10,000 products, timed alone, a
   * consumer's facets statement went from 1.35 times allow-all's to 1.2
   * times. On SQLite the statement is as it was.
   */
  private countsOfSeenClasses(
    seenIds: () => Knex.QueryBuilder,
  ): Knex.QueryBuilder {
    if (this.isPg) {
      // The table is a constant of this file, never user input.
      return this.db('cls')
        .joinRaw(
          `CROSS JOIN LATERAL (SELECT facet, value, count FROM ${FACET_COUNTS} WHERE class_id = cls.id OFFSET 0) k`,
        )
        .select('k.facet', 'k.value', 'k.count');
    }
    return this.db({ k: FACET_COUNTS })
      .select('k.facet', 'k.value', 'k.count')
      .whereIn('k.class_id', seenIds());
  }

  private applyClassCondition(query: Knex.QueryBuilder, leaf: ProductFilter) {
    // The same conditions as ProductFilters writes for a product's
    // lifecycle and audience, of the class's.
    if (leaf.key === 'lifecycle') {
      query.whereIn('c.lifecycle', leaf.values);
    } else if (leaf.key === 'audience') {
      const values = leaf.values;
      query.whereRaw(
        values.length === 0
          ? 'c.audience_all = ?'
          : `(c.audience_all = ? OR c.id IN (SELECT class_id FROM ${CLASS_AUDIENCE} WHERE group_ref IN (${values
              .map(() => '?')
              .join(', ')})))`,
        [true, ...values],
      );
    } else {
      throw new Error(`No visibility class has a ${leaf.key}`);
    }
  }

  /**
   * A row with a count of one for each value of each product `v`, of every
   * facet and of the total, for the sum with the kept counts. Three reads of
   * `v` rather than a grouped count per facet: each read of a CTE is a pass
   * of its own, and on SQLite the seven passes and their sorts, over even
   * no product, cost more than the rest of the statement's added work (at
   * 10,000 products, timed alone, the consumer's statement went from 1.72
   * times allow-all's to 1.1 to 1.2 times).
   */
  private valuesOfProducts(): Knex.QueryBuilder[] {
    // Facet names and columns are constants of this file, never user input.
    const single = FACETS.filter(f => f.kind !== 'child');
    const names = [...single.map(f => f.name), TOTAL]
      .map(name => `SELECT '${name}' AS facet`)
      .join(' UNION ALL ');
    const value = single
      .map(f =>
        f.kind === 'column'
          ? `WHEN '${f.name}' THEN v.${f.column}`
          : `WHEN '${f.name}' THEN 'true'`,
      )
      .join(' ');
    const ofColumns = this.db('v')
      .joinRaw(`CROSS JOIN (${names}) x`)
      .select(
        'x.facet',
        this.db.raw(`CASE x.facet ${value} ELSE '' END AS value`),
        this.db.raw('1 AS count'),
      )
      .where(q =>
        q.whereNot('x.facet', FREE_PLAN).orWhere('v.has_free_plan', true),
      );
    const ofChildren = FACETS.flatMap(f =>
      f.kind === 'child'
        ? [
            this.db('v')
              .joinRaw(this.valuesOfEach(f.table))
              .select(
                this.db.raw(`'${f.name}' AS facet`),
                `c.${f.column} AS value`,
                this.db.raw('1 AS count'),
              ),
          ]
        : [],
    );
    return [ofColumns, ...ofChildren];
  }

  /** The columns of the products `p` that facets count, as a query. */
  private visible(): Knex.QueryBuilder {
    return this.db({ p: PRODUCTS }).select(
      'p.id',
      'p.category',
      'p.type',
      'p.owner',
      'p.has_free_plan',
    );
  }

  /**
   * One query per facet of counts of its values over the products `v`;
   * many-valued facets limited to their top values.
   */
  private branches(
    facets: FacetDefinition[],
    withTotal: boolean,
  ): Knex.QueryBuilder[] {
    // Facet names are constants of this file, never user input.
    const label = (name: string) => this.db.raw(`'${name}'`);
    const branches: Knex.QueryBuilder[] = facets.map(facet => {
      switch (facet.kind) {
        case 'column':
          return this.db('v')
            .select({ facet: label(facet.name), value: `v.${facet.column}` })
            .count({ count: '*' })
            .groupBy(`v.${facet.column}`);
        case 'child':
          return this.db('v')
            .joinRaw(this.valuesOfEach(facet.table))
            .select({ facet: label(facet.name), value: `c.${facet.column}` })
            .count({ count: '*' })
            .groupBy(`c.${facet.column}`)
            .orderBy([
              { column: 'count', order: 'desc' },
              { column: 'value', order: 'asc' },
            ])
            .limit(FACET_LIMIT);
        default:
          return this.db('v')
            .select({ facet: label(facet.name), value: label('true') })
            .count({ count: '*' })
            .where('v.has_free_plan', true);
      }
    });
    if (withTotal) {
      branches.push(
        this.db('v')
          .select({ facet: label(TOTAL), value: label('') })
          .count({ count: '*' }),
      );
    }
    return branches.map((branch, i) =>
      this.db.select('*').from(branch.as(`b${i}`)),
    );
  }

  /**
   * A join of each counted product `v` to its values `c` in a child table.
   * SQLite, left to choose, reads the whole child table and looks each row
   * up in the counted products: a cost in proportion to the catalog, which
   * a search's facets would pay on every request. Its CROSS JOIN keeps the
   * order as written, so that each product's values are read through the
   * table's key. PostgreSQL chooses between that and a hash of the whole
   * table by its statistics; forced to read by the key (a LATERAL subquery
   * with OFFSET 0), a search's facets at 100,000 products took as long as
   * the same count written by hand with a plain join (241 and 232 ms, most
   * of it reading the matching product rows), so its choice is kept.
   */
  private valuesOfEach(table: string): string {
    // The table is a constant of this file, never user input.
    return `${
      this.isPg ? 'JOIN' : 'CROSS JOIN'
    } ${table} c ON c.product_id = v.id`;
  }

  private toFacets(rows: FacetRow[]): {
    facets: ProductFacets;
    totalItems: number;
  } {
    const facets: ProductFacets = {
      category: [],
      type: [],
      provider: [],
      tag: [],
      owner: [],
      freePlan: [],
    };
    let totalItems = 0;
    for (const row of rows) {
      const count = Number(row.count);
      if (row.facet === TOTAL) {
        totalItems = count;
      } else if (count > 0) {
        facets[row.facet as FacetName].push({
          value: String(row.value),
          count,
        });
      }
    }
    for (const counts of Object.values(facets)) {
      counts.sort(
        (a: FacetCount, b: FacetCount) =>
          b.count - a.count || a.value.localeCompare(b.value),
      );
    }
    return { facets, totalItems };
  }
}
