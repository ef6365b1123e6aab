// @ts-check

/**
 * Secrets of orders waiting for approval, encrypted with a key from the
 * configuration (AES-256-GCM, the order id as associated data), so that any
 * backend instance can hand them to the order's task after a restart. A row
 * lives from the order's placement until its task has the secrets, or the
 * order is rejected or cancelled.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('store_order_secrets', table => {
    table.comment('Encrypted secrets of orders waiting for approval');
    table
      .string('order_id')
      .primary()
      .notNullable()
      .references('id')
      .inTable('store_orders')
      .onDelete('CASCADE');
    table
      .string('key_id')
      .notNullable()
      .comment('The configured key that encrypted the secrets');
    table.string('iv').notNullable().comment('Base64, 96 random bits');
    table.text('ciphertext').notNullable().comment('Base64');
    table.string('auth_tag').notNullable().comment('Base64 GCM tag');
    table.timestamp('created_at', { useTz: true }).notNullable();
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('store_order_secrets');
};
