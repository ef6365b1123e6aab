import { FacetCount, ProductFacets } from '@internal/plugin-store-common';
import { Knex } from 'knex';
import { PRODUCTS, PROVIDERS, TAGS, ProductFilters } from './ProductFilters';
import { ProductPermissionFilter, ProductQueryFilters } from './types';

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

/** The facet counts of the store page, in as few scans as the filters allow. */
export class ProductFacetCounter {
  constructor(
    private readonly db: Knex,
    private readonly filters: ProductFilters,
  ) {}

  /**
   * Counts of each facet value, and how many products match in all. A
   * facet's own filter is left out of its counts, so that the user sees what
   * choosing another value would give.
   */
  async count(options: {
    filters: ProductQueryFilters;
    permissionFilter: ProductPermissionFilter;
  }): Promise<{ facets: ProductFacets; totalItems: number }> {
    const { filters, permissionFilter } = options;
    const isFiltered = (facet: FacetName) =>
      facet === 'freePlan'
        ? Boolean(filters.freePlan)
        : Boolean(filters[facet]?.length);

    // The facets that have no filter of their own share one scan of the
    // matching products; each filtered facet needs a scan without its filter.
    const scans = [
      {
        filters,
        facets: FACETS.filter(f => !isFiltered(f.name)),
        withTotal: true,
      },
      ...FACETS.filter(f => isFiltered(f.name)).map(f => ({
        filters: { ...filters, [f.name]: undefined },
        facets: [f],
        withTotal: false,
      })),
    ];
    const rows = (
      await Promise.all(
        scans.map(scan =>
          this.countFacets(
            scan.filters,
            permissionFilter,
            scan.facets,
            scan.withTotal,
          ),
        ),
      )
    ).flat();

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
      if (row.facet === 'total') {
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

  /** Counts facet values over one scan of the matching products. */
  private async countFacets(
    filters: ProductQueryFilters,
    permissionFilter: ProductPermissionFilter,
    facets: FacetDefinition[],
    withTotal: boolean,
  ): Promise<Array<{ facet: string; value: unknown; count: unknown }>> {
    const visible = this.db({ p: PRODUCTS }).select(
      'p.id',
      'p.category',
      'p.type',
      'p.owner',
      'p.has_free_plan',
    );
    this.filters.apply(visible, filters, permissionFilter);

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
          return this.db({ c: facet.table })
            .join('v', 'v.id', 'c.product_id')
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
          .select({ facet: label('total'), value: label('') })
          .count({ count: '*' }),
      );
    }
    const [first, ...rest] = branches.map((branch, i) =>
      this.db.select('*').from(branch.as(`b${i}`)),
    );
    // Materialized, so that the permission and search filters are evaluated
    // once for all facets of the scan.
    return this.db
      .withMaterialized('v', visible)
      .select('*')
      .from(first.as('b'))
      .unionAll(rest.map(r => this.db.select('*').from(r.as('r'))));
  }
}
