// @ts-check

/**
 * The group an order is placed for (the template's `owner` parameter), so
 * that order lists filter by group in the database.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('store_orders', table => {
    table.string('owner_group').nullable().index();
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('store_orders', table => {
    table.dropIndex(['owner_group']);
    table.dropColumn('owner_group');
  });
};
