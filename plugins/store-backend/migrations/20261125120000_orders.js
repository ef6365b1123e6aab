// @ts-check

/**
 * Orders, their timeline and approvals, and the idempotency keys of the
 * store's mutating requests. Money is kept as decimal strings, as in the
 * product descriptors.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('store_orders', table => {
    table.comment('Orders of store products');
    table.string('id').primary().notNullable();
    table.string('product_ref').notNullable().index();
    table.string('product_title').notNullable();
    table.string('template_ref').notNullable();
    table.string('plan_id').notNullable();
    table.string('provider').notNullable();
    table.string('region').nullable();
    table.text('parameters_json').notNullable();
    table.string('price_amount').notNullable();
    table.string('price_currency').notNullable();
    table.string('price_interval').notNullable();
    table.string('requester').notNullable().index();
    table.string('status').notNullable().index();
    table
      .integer('version')
      .notNullable()
      .comment('Increases with every change; decisions are conditional on it');
    table.integer('approvals_required').notNullable();
    table.integer('approvals').notNullable().defaultTo(0);
    table.text('approval_reason').nullable();
    table.timestamp('expires_at', { useTz: true }).nullable().index();
    table.string('task_id').nullable();
    table.text('output_json').nullable();
    table.text('error').nullable();
    table.timestamp('created_at', { useTz: true }).notNullable().index();
    table.timestamp('updated_at', { useTz: true }).notNullable();
  });
  await knex.schema.createTable('store_order_approver_groups', table => {
    table
      .string('order_id')
      .notNullable()
      .references('id')
      .inTable('store_orders')
      .onDelete('CASCADE');
    table.string('group_ref').notNullable();
    table.primary(['order_id', 'group_ref']);
    table.index(['group_ref', 'order_id']);
  });
  await knex.schema.createTable('store_order_decisions', table => {
    table.comment('One row per approver and order, so nobody approves twice');
    table
      .string('order_id')
      .notNullable()
      .references('id')
      .inTable('store_orders')
      .onDelete('CASCADE');
    table.string('approver').notNullable();
    table.primary(['order_id', 'approver']);
  });
  await knex.schema.createTable('store_order_events', table => {
    table.comment('The timeline of each order');
    table.increments('id');
    table
      .string('order_id')
      .notNullable()
      .references('id')
      .inTable('store_orders')
      .onDelete('CASCADE');
    table.string('action').notNullable();
    table.string('from_status').nullable();
    table.string('to_status').notNullable();
    table.string('actor').notNullable();
    table.text('comment').nullable();
    table.text('data_json').nullable();
    table.timestamp('created_at', { useTz: true }).notNullable();
    table.index(['order_id', 'id']);
  });
  await knex.schema.createTable('store_idempotency_keys', table => {
    table.comment('Idempotency-Key of mutating requests, per principal');
    table.string('principal').notNullable();
    table.string('route').notNullable();
    table.string('key').notNullable();
    table.string('body_hash').notNullable();
    table.integer('response_status').nullable();
    table.text('response_json').nullable();
    table.timestamp('created_at', { useTz: true }).notNullable().index();
    table.primary(['principal', 'route', 'key']);
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('store_idempotency_keys');
  await knex.schema.dropTable('store_order_events');
  await knex.schema.dropTable('store_order_decisions');
  await knex.schema.dropTable('store_order_approver_groups');
  await knex.schema.dropTable('store_orders');
};
