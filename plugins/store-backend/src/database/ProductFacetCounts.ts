import { Knex } from 'knex';
import { createHash } from 'node:crypto';
import { AUDIENCE, PRODUCTS, PROVIDERS, TAGS } from './ProductFilters';

/** Products that whoever may see one of them may see all: a lifecycle and an audience set. */
export const CLASSES = 'store_product_classes';
/** The groups of each class's audience; none when everyone is. */
export const CLASS_AUDIENCE = 'store_product_class_audience';
/** How many products of a class have each facet value. */
export const FACET_COUNTS = 'store_product_facet_counts';
/** How many products of a class and an owner have each facet value. */
export const OWNER_FACET_COUNTS = 'store_product_owner_facet_counts';

/** The pseudo-facets of the kept counts: all products, and those with a free plan. */
export const TOTAL = 'total';
export const FREE_PLAN = 'freePlan';

/** Keys per `IN (...)` list, well within either database's bound values. */
const ID_CHUNK = 1000;
/** Rows per multi-row upsert of counts: SQLite takes 500 compound terms. */
const COUNT_ROWS_PER_UPSERT = 500;

/** What a product adds to the kept counts. */
export interface FacetedProduct {
  lifecycle: string;
  /** Lower-case group refs; empty when everyone may see the product. */
  audience: string[];
  category: string;
  type: string;
  owner: string;
  hasFreePlan: boolean;
  tags: string[];
  providers: string[];
}

/**
 * The id of a visibility class: a digest of the lifecycle and the sorted,
 * distinct audience. `migrations/20261220000000_product_facet_counts.js`
 * computes the same digest for its backfill.
 */
export function visibilityClassId(lifecycle: string, audience: string[]) {
  const groups = [...new Set(audience)].sort();
  return createHash('sha256')
    .update([lifecycle, ...groups].join('\n'))
    .digest('hex');
}

type CountRow = {
  class_id: string;
  facet: string;
  value: string;
  count: number;
};

type OwnerCountRow = CountRow & { owner: string };

/** The counts of the products of one class and owner, by facet and value. */
type Bucket = {
  classId: string;
  owner: string;
  counts: Map<string, { facet: string; value: string; count: number }>;
};

/**
 * The changes of the kept counts that a batch of index writes makes: each
 * product leaving the index (or its old version) takes one off the values
 * it had, each product entering it adds one. A product rewritten without a
 * change to its facets nets out and writes nothing.
 */
export class FacetCountChanges {
  private readonly classes = new Map<
    string,
    { id: string; lifecycle: string; audience: string[] }
  >();
  /** By owner and class, the finest grain; classes are sums of owners. */
  private readonly buckets = new Map<string, Bucket>();

  add(product: FacetedProduct) {
    this.apply(product, 1);
  }

  remove(product: FacetedProduct) {
    this.apply(product, -1);
  }

  private apply(product: FacetedProduct, delta: number) {
    // A whole index goes through here: products of a class share its
    // digest, and products of a class and owner share a bucket.
    const audienceKey = product.audience.join('\n');
    const classKey = `${product.lifecycle}\n${audienceKey}`;
    let visibility = this.classes.get(classKey);
    if (!visibility) {
      const audience = [...new Set(product.audience)];
      visibility = {
        id: visibilityClassId(product.lifecycle, audience),
        lifecycle: product.lifecycle,
        audience,
      };
      this.classes.set(classKey, visibility);
    }
    const bucketKey = `${product.owner}\u0000${visibility.id}`;
    let bucket = this.buckets.get(bucketKey);
    if (!bucket) {
      bucket = {
        classId: visibility.id,
        owner: product.owner,
        counts: new Map(),
      };
      this.buckets.set(bucketKey, bucket);
    }
    const { counts } = bucket;
    const count = (facet: string, value: string) => {
      const key = `${facet}\u0000${value}`;
      const row = counts.get(key);
      if (row) {
        row.count += delta;
      } else {
        counts.set(key, { facet, value, count: delta });
      }
    };
    count(TOTAL, '');
    count('category', product.category);
    count('type', product.type);
    count('owner', product.owner);
    // As the index stores them: each distinct value once per product.
    for (const provider of new Set(product.providers)) {
      count('provider', provider);
    }
    for (const tag of new Set(product.tags)) {
      count('tag', tag);
    }
    if (product.hasFreePlan) {
      count(FREE_PLAN, 'true');
    }
  }

  /** The net changes, and the classes that they count in. */
  net(): {
    rows: CountRow[];
    ownerRows: OwnerCountRow[];
    classes: Array<{ id: string; lifecycle: string; audience: string[] }>;
  } {
    const ownerRows: OwnerCountRow[] = [];
    const byClass = new Map<string, CountRow>();
    for (const { classId, owner, counts } of this.buckets.values()) {
      for (const { facet, value, count } of counts.values()) {
        if (count === 0) {
          continue;
        }
        ownerRows.push({ owner, class_id: classId, facet, value, count });
        const key = `${classId}\u0000${facet}\u0000${value}`;
        const row = byClass.get(key);
        if (row) {
          row.count += count;
        } else {
          byClass.set(key, { class_id: classId, facet, value, count });
        }
      }
    }
    // Audiences in another order, or with a group twice, are one class.
    const used = new Set(ownerRows.map(r => r.class_id));
    const classes = new Map(
      [...this.classes.values()]
        .filter(c => used.has(c.id))
        .map(c => [c.id, c]),
    );
    return {
      rows: [...byClass.values()].filter(r => r.count !== 0),
      ownerRows,
      classes: [...classes.values()],
    };
  }
}

/**
 * The facet counts of the product index, kept in the transaction that
 * changes the index, per visibility class and per class and owner: the
 * facets of a caller are sums over the classes they may see and over the
 * products they own in other classes, instead of a count over every product
 * they may see. Classes (and classes and owners) partition the products, so
 * that a sum counts each product once.
 */
export class ProductFacetCounts {
  /**
   * The facets of the stored products with the given ids, as they count
   * now: read before the products are rewritten or removed.
   */
  static async read(
    trx: Knex.Transaction,
    ids: string[],
  ): Promise<Map<string, FacetedProduct>> {
    const products = new Map<string, FacetedProduct>();
    for (let i = 0; i < ids.length; i += ID_CHUNK) {
      const chunk = ids.slice(i, i + ID_CHUNK);
      const rows: Array<{
        id: string;
        lifecycle: string;
        category: string;
        type: string;
        owner: string;
        has_free_plan: boolean | number;
      }> = await trx(PRODUCTS)
        .whereIn('id', chunk)
        .select(
          'id',
          'lifecycle',
          'category',
          'type',
          'owner',
          'has_free_plan',
        );
      for (const row of rows) {
        products.set(row.id, {
          lifecycle: row.lifecycle,
          audience: [],
          category: row.category,
          type: row.type,
          owner: row.owner,
          hasFreePlan: Boolean(row.has_free_plan),
          tags: [],
          providers: [],
        });
      }
    }
    const found = [...products.keys()];
    const children: Array<[string, string, 'audience' | 'tags' | 'providers']> =
      [
        [AUDIENCE, 'group_ref', 'audience'],
        [TAGS, 'tag', 'tags'],
        [PROVIDERS, 'provider', 'providers'],
      ];
    for (let i = 0; i < found.length; i += ID_CHUNK) {
      const chunk = found.slice(i, i + ID_CHUNK);
      for (const [table, column, field] of children) {
        const rows: Array<{ product_id: string; value: string }> = await trx(
          table,
        )
          .whereIn('product_id', chunk)
          .select({ product_id: 'product_id', value: column });
        for (const row of rows) {
          products.get(row.product_id)![field].push(row.value);
        }
      }
    }
    return products;
  }

  /** Writes the net changes of the counts, in the index's transaction. */
  static async write(trx: Knex.Transaction, changes: FacetCountChanges) {
    const { rows, ownerRows, classes } = changes.net();
    // Classes stay when their counts reach zero: there are as many as
    // distinct lifecycles and audiences ever indexed, an empty one costs a
    // row, and a product that comes back finds its class.
    for (let i = 0; i < classes.length; i += COUNT_ROWS_PER_UPSERT) {
      const chunk = classes.slice(i, i + COUNT_ROWS_PER_UPSERT);
      await trx(CLASSES)
        .insert(
          chunk.map(c => ({
            id: c.id,
            lifecycle: c.lifecycle,
            audience_all: c.audience.length === 0,
          })),
        )
        .onConflict('id')
        .ignore();
      const audience = chunk.flatMap(c =>
        c.audience.map(group_ref => ({ class_id: c.id, group_ref })),
      );
      for (let j = 0; j < audience.length; j += COUNT_ROWS_PER_UPSERT) {
        await trx(CLASS_AUDIENCE)
          .insert(audience.slice(j, j + COUNT_ROWS_PER_UPSERT))
          .onConflict(['class_id', 'group_ref'])
          .ignore();
      }
    }
    await ProductFacetCounts.add(trx, FACET_COUNTS, rows, [
      'class_id',
      'facet',
      'value',
    ]);
    await ProductFacetCounts.add(trx, OWNER_FACET_COUNTS, ownerRows, [
      'owner',
      'class_id',
      'facet',
      'value',
    ]);
  }

  /** Adds to counts, and drops those that reach zero. */
  private static async add<Row extends CountRow>(
    trx: Knex.Transaction,
    table: string,
    rows: Row[],
    key: Array<keyof Row & string>,
  ) {
    for (let i = 0; i < rows.length; i += COUNT_ROWS_PER_UPSERT) {
      await trx(table)
        .insert(rows.slice(i, i + COUNT_ROWS_PER_UPSERT))
        .onConflict(key)
        .merge({
          count: trx.raw('??.?? + excluded.??', [table, 'count', 'count']),
        });
    }
    // A value that no product of a class has any more is not counted at
    // all, as a scan would not find it.
    const fallen = rows.filter(r => r.count < 0);
    const perDelete = Math.floor(ID_CHUNK / key.length);
    for (let i = 0; i < fallen.length; i += perDelete) {
      await trx(table)
        .whereIn(
          key,
          fallen.slice(i, i + perDelete).map(r => key.map(k => r[k] as string)),
        )
        .andWhere('count', '<=', 0)
        .delete();
    }
  }
}
