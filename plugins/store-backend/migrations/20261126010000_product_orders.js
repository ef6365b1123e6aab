// @ts-check

/**
 * What the product index needs from orders: the order count of each product
 * (kept by the transaction that creates an order, counted here once for the
 * orders that came before), and an index for "has this user a fulfilled
 * order of the product", which decides who still sees deprecated products.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex('store_products').update({
    order_count: knex('store_orders')
      .count('*')
      .whereRaw('lower(store_orders.product_ref) = store_products.id'),
  });
  await knex.schema.alterTable('store_orders', table => {
    table.index(
      ['requester', 'status', 'product_ref'],
      'store_orders_subscriber_idx',
    );
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('store_orders', table => {
    table.dropIndex([], 'store_orders_subscriber_idx');
  });
};
