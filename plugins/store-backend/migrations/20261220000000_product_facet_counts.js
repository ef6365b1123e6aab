// @ts-check

const { createHash } = require('node:crypto');

/**
 * Facet counts of the product index kept per visibility class (a lifecycle
 * and an audience set), and per class and owner, so that the facets of a
 * caller are sums over the classes they may see and the products they own,
 * rather than a count over every product they may see.
 * The counts of the products indexed before are computed here.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('store_product_classes', table => {
    table.comment(
      'Visibility classes of products: whoever may see one product of a class may see all',
    );
    table
      .string('id')
      .primary()
      .notNullable()
      .comment('Digest of the lifecycle and the sorted audience');
    table.string('lifecycle').notNullable();
    table
      .boolean('audience_all')
      .notNullable()
      .comment('True when the class has no audience: everyone may see it');
  });
  await knex.schema.createTable('store_product_class_audience', table => {
    table
      .string('class_id')
      .notNullable()
      .references('id')
      .inTable('store_product_classes')
      .onDelete('CASCADE');
    table.string('group_ref').notNullable();
    table.primary(['class_id', 'group_ref']);
    table.index(['group_ref', 'class_id']);
  });
  await knex.schema.createTable('store_product_facet_counts', table => {
    table.comment('How many products of a visibility class have a facet value');
    table
      .string('class_id')
      .notNullable()
      .references('id')
      .inTable('store_product_classes')
      .onDelete('CASCADE');
    table
      .string('facet')
      .notNullable()
      .comment('A facet, or "total" and "freePlan"');
    table.string('value').notNullable();
    table.integer('count').notNullable();
    table.primary(['class_id', 'facet', 'value']);
  });
  await knex.schema.createTable('store_product_owner_facet_counts', table => {
    table.comment(
      'How many products of a visibility class and an owner have a facet value',
    );
    table.string('owner').notNullable();
    table
      .string('class_id')
      .notNullable()
      .references('id')
      .inTable('store_product_classes')
      .onDelete('CASCADE');
    table.string('facet').notNullable();
    table.string('value').notNullable();
    table.integer('count').notNullable();
    table.primary(['owner', 'class_id', 'facet', 'value']);
  });
  await backfill(knex);
};

/**
 * Counts the products stored now, as `ProductFacetCounts` of the store
 * would have counted them one by one; the class id is the same digest as
 * its `visibilityClassId`.
 *
 * @param {import('knex').Knex} knex
 */
async function backfill(knex) {
  /** @type {Map<string, {lifecycle: string, category: string, type: string, owner: string, free: boolean, audience: string[], tags: string[], providers: string[]}>} */
  const products = new Map();
  const rows = await knex('store_products').select(
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
      category: row.category,
      type: row.type,
      owner: row.owner,
      free: Boolean(row.has_free_plan),
      audience: [],
      tags: [],
      providers: [],
    });
  }
  for (const [table, column, field] of /** @type {const} */ ([
    ['store_product_audience', 'group_ref', 'audience'],
    ['store_product_tags', 'tag', 'tags'],
    ['store_product_providers', 'provider', 'providers'],
  ])) {
    const children = await knex(table).select('product_id', column);
    for (const child of children) {
      products.get(child.product_id)?.[field].push(child[column]);
    }
  }

  /** @type {Map<string, {id: string, lifecycle: string, audience: string[]}>} */
  const classes = new Map();
  /** @type {Map<string, {class_id: string, facet: string, value: string, count: number}>} */
  const counts = new Map();
  /** @type {Map<string, {owner: string, class_id: string, facet: string, value: string, count: number}>} */
  const ownerCounts = new Map();
  for (const product of products.values()) {
    const audience = [...new Set(product.audience)].sort();
    const id = createHash('sha256')
      .update([product.lifecycle, ...audience].join('\n'))
      .digest('hex');
    classes.set(id, { id, lifecycle: product.lifecycle, audience });
    /** @type {Array<[string, string]>} */
    const values = [
      ['total', ''],
      ['category', product.category],
      ['type', product.type],
      ['owner', product.owner],
      ...[...new Set(product.providers)].map(
        v => /** @type {[string, string]} */ (['provider', v]),
      ),
      ...[...new Set(product.tags)].map(
        v => /** @type {[string, string]} */ (['tag', v]),
      ),
    ];
    if (product.free) {
      values.push(['freePlan', 'true']);
    }
    for (const [facet, value] of values) {
      const key = `${id}\u0000${facet}\u0000${value}`;
      const row = counts.get(key);
      if (row) {
        row.count += 1;
      } else {
        counts.set(key, { class_id: id, facet, value, count: 1 });
      }
      const ownerKey = `${product.owner}\u0000${key}`;
      const ownerRow = ownerCounts.get(ownerKey);
      if (ownerRow) {
        ownerRow.count += 1;
      } else {
        ownerCounts.set(ownerKey, {
          owner: product.owner,
          class_id: id,
          facet,
          value,
          count: 1,
        });
      }
    }
  }

  // SQLite takes at most 500 rows per multi-row insert.
  const insert = async (
    /** @type {string} */ table,
    /** @type {object[]} */ all,
  ) => {
    for (let i = 0; i < all.length; i += 500) {
      await knex(table).insert(all.slice(i, i + 500));
    }
  };
  await insert(
    'store_product_classes',
    [...classes.values()].map(c => ({
      id: c.id,
      lifecycle: c.lifecycle,
      audience_all: c.audience.length === 0,
    })),
  );
  await insert(
    'store_product_class_audience',
    [...classes.values()].flatMap(c =>
      c.audience.map(group_ref => ({ class_id: c.id, group_ref })),
    ),
  );
  await insert('store_product_facet_counts', [...counts.values()]);
  await insert('store_product_owner_facet_counts', [...ownerCounts.values()]);
}

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('store_product_owner_facet_counts');
  await knex.schema.dropTable('store_product_facet_counts');
  await knex.schema.dropTable('store_product_class_audience');
  await knex.schema.dropTable('store_product_classes');
};
