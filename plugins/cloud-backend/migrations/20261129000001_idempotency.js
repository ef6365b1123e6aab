// @ts-check

/**
 * Idempotency keys of the cloud API's mutating requests, per principal and
 * route, with the first response so that a repeated request gets it again.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('cloud_idempotency_keys', table => {
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
  await knex.schema.dropTable('cloud_idempotency_keys');
};
