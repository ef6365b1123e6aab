// @ts-check

/**
 * The chargeback ledger: one row per settled charge or credit of a
 * subscription, booked to a cost centre. Rows are never updated or deleted;
 * a correction is a credit of its own.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('chargeback_entries', table => {
    table.comment('Charges and credits booked to cost centres');
    table.bigIncrements('id').comment('Shown as the reference CB-<id>');
    table
      .string('charge_id')
      .notNullable()
      .unique()
      .comment("The store's charge id; a charge is booked once");
    table.string('subscription_id').notNullable();
    table
      .string('billing_account')
      .notNullable()
      .comment('The entity ref of the owning group');
    table.string('cost_center').notNullable();
    table
      .bigInteger('amount_minor')
      .notNullable()
      .comment('Minor units of the currency; negative is a credit');
    table.string('currency', 3).notNullable();
    table.text('description').notNullable();
    table.timestamp('created_at', { useTz: true }).notNullable();
    table.index(['cost_center', 'created_at'], 'chargeback_entries_cc_idx');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('chargeback_entries');
};
