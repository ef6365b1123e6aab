// @ts-check

/**
 * Subscriptions: what a fulfilled order turns into, its timeline and its
 * charges. Days of the billing calendar (anchor, periods, trial end) are ISO
 * dates (`YYYY-MM-DD`); money is integer minor units, signed (credits are
 * negative). Charges are only ever inserted: a correction is a new charge.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('store_subscriptions', table => {
    table.comment('Subscriptions of fulfilled orders');
    table.string('id').primary().notNullable();
    table
      .string('order_id')
      .notNullable()
      .unique()
      .comment('One subscription per order, however often it is created');
    table.string('product_ref').notNullable();
    table.string('product_title').notNullable();
    table
      .text('plan_json')
      .notNullable()
      .comment('The plan as it was subscribed: id, title, price, limits');
    table.string('status').notNullable().index();
    table
      .string('owner')
      .notNullable()
      .index()
      .comment('Lower-case ref of the owning group, the billing account');
    table.string('cost_center').nullable();
    table.string('requester').notNullable();
    table.text('stacks_json').notNullable();
    table
      .string('anchor', 10)
      .notNullable()
      .comment('The first day of the first paid period');
    table.timestamp('started_at', { useTz: true }).notNullable();
    table.string('trial_ends_at', 10).nullable();
    table.string('current_period_start', 10).notNullable();
    table.string('current_period_end', 10).notNullable().index();
    table.boolean('auto_renew').notNullable();
    table.boolean('cancel_at_period_end').notNullable();
    table.timestamp('ended_at', { useTz: true }).nullable();
    table
      .integer('version')
      .notNullable()
      .comment('Increases with every change; actions are conditional on it');
    table.timestamp('created_at', { useTz: true }).notNullable().index();
    table.timestamp('updated_at', { useTz: true }).notNullable();
  });
  await knex.schema.createTable('store_subscription_events', table => {
    table.comment('The timeline of each subscription');
    table.increments('id');
    table
      .string('subscription_id')
      .notNullable()
      .references('id')
      .inTable('store_subscriptions')
      .onDelete('CASCADE');
    table.string('action').notNullable();
    table.string('from_status').nullable();
    table.string('to_status').notNullable();
    table.string('actor').notNullable();
    table.text('comment').nullable();
    table.text('data_json').nullable();
    table.timestamp('created_at', { useTz: true }).notNullable();
    table.index(['subscription_id', 'id']);
  });
  await knex.schema.createTable('store_subscription_charges', table => {
    table.comment('Charges and credits of subscriptions; append-only');
    table.string('id').primary().notNullable();
    table
      .string('subscription_id')
      .notNullable()
      .references('id')
      .inTable('store_subscriptions')
      .onDelete('CASCADE');
    table
      .string('kind')
      .notNullable()
      .comment('recurring|proration|usage|credit');
    table.text('description').notNullable();
    table
      .bigInteger('amount_minor')
      .notNullable()
      .comment('Minor units; negative for credits');
    table.string('currency', 3).notNullable();
    table.string('period_start', 10).notNullable();
    table.string('period_end', 10).notNullable();
    table.string('payment_method').notNullable();
    table.string('payment_reference').nullable();
    table.string('payment_status').nullable();
    table.string('invoice_id').nullable().index();
    table.timestamp('created_at', { useTz: true }).notNullable();
    table.index(['subscription_id', 'created_at']);
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('store_subscription_charges');
  await knex.schema.dropTable('store_subscription_events');
  await knex.schema.dropTable('store_subscriptions');
};
