// @ts-check

/**
 * The store's index of products, refreshed from the catalog. Many-valued
 * fields (tags, providers, audience) have their own tables so that filters
 * and facet counts are plain indexed lookups on SQLite and PostgreSQL alike.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('store_products', table => {
    table.comment('Products of the store, indexed from the catalog');
    table.string('id').primary().notNullable().comment('Lower-case entity ref');
    table.string('namespace').notNullable();
    table.string('name').notNullable();
    table.string('title').notNullable();
    table.string('title_sort').notNullable();
    table.text('summary').notNullable();
    // Few distinct values: an index would only mislead the planner.
    table.string('type').notNullable();
    table.string('category').notNullable().index();
    table.string('owner').notNullable().index();
    table.string('lifecycle').notNullable();
    table
      .boolean('audience_all')
      .notNullable()
      .comment('True when the product has no audience: everyone may see it');
    table.bigInteger('from_price_minor').nullable();
    table.string('from_currency').nullable();
    table.string('from_interval').nullable();
    table.boolean('has_free_plan').notNullable();
    table.boolean('needs_approval').notNullable();
    table.integer('order_count').notNullable().defaultTo(0);
    table.text('search_text').notNullable();
    table.text('entity_json').notNullable();
    table.string('content_hash').notNullable();
    table.timestamp('created_at', { useTz: true }).notNullable();
    table.timestamp('updated_at', { useTz: true }).notNullable();
    // One index per sort order, ending in the id that breaks ties, so that
    // a page is read in index order and stops at the page size.
    for (const column of [
      'title_sort',
      'from_price_minor',
      'order_count',
      'created_at',
    ]) {
      table.index([column, 'id']);
    }
  });
  for (const [tableName, column] of [
    ['store_product_tags', 'tag'],
    ['store_product_providers', 'provider'],
    ['store_product_audience', 'group_ref'],
  ]) {
    await knex.schema.createTable(tableName, table => {
      table
        .string('product_id')
        .notNullable()
        .references('id')
        .inTable('store_products')
        .onDelete('CASCADE');
      table.string(column).notNullable();
      table.primary(['product_id', column]);
      table.index([column, 'product_id']);
    });
  }
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('store_product_audience');
  await knex.schema.dropTable('store_product_providers');
  await knex.schema.dropTable('store_product_tags');
  await knex.schema.dropTable('store_products');
};
