// @ts-check

/**
 * An index for "has one of these users a fulfilled order of this product",
 * tested for each product that a page reads: the orders of a product by
 * status and requester. Product refs are kept as orders name them, and
 * product ids are lower case, so the index is of the lower-cased ref. The
 * (requester, status, product_ref) index stays for reading a user's
 * fulfilled orders at once, as facets do.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.raw(
    'CREATE INDEX store_orders_product_subscriber_idx ON store_orders (lower(product_ref), status, requester)',
  );
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.raw('DROP INDEX store_orders_product_subscriber_idx');
};
