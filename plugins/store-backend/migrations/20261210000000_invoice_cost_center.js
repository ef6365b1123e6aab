// @ts-check

/**
 * The cost centre an invoice was issued to, frozen with the invoice.
 * Invoices issued before keep none: their rows cannot change, and what the
 * cost centre was when they were issued is not known.
 *
 * Plain ALTER TABLE statements on both databases: knex rebuilds a SQLite
 * table to drop a column, which would drop the triggers that keep issued
 * invoices from changing.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.raw(
    'ALTER TABLE store_invoices ADD COLUMN cost_center varchar(255) NULL',
  );
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.raw('ALTER TABLE store_invoices DROP COLUMN cost_center');
};
