// @ts-check

/**
 * Several backend instances on one database: each stack records the host it
 * lives on (for providers whose stacks live on one host, as the local
 * provider's do), a stack that an instance is changing at its provider is
 * leased to that instance until the lease expires, and each instance
 * registers the hosts it serves so that the others can forward operations.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('stacks', table => {
    table
      .string('host_id')
      .nullable()
      .comment('The host the stack lives on; null for providers without hosts');
    table
      .string('lease_owner')
      .nullable()
      .comment('The backend instance changing the stack at its provider');
    table
      .string('lease_expires_at')
      .nullable()
      .comment('When the lease ends unless its owner renews it');
    table.index(['provider', 'host_id'], 'stacks_provider_host_idx');
  });

  await knex.schema.createTable('hosts', table => {
    table.comment('Hosts of stacks and the backend instance that serves each');
    table.string('host_id').primary().notNullable();
    table
      .string('base_url')
      .notNullable()
      .comment("The serving instance's cloud API, for forwarded operations");
    table.string('instance_id').notNullable();
    table.string('heartbeat_at').notNullable();
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('hosts');
  await knex.schema.alterTable('stacks', table => {
    table.dropIndex(['provider', 'host_id'], 'stacks_provider_host_idx');
    table.dropColumn('lease_expires_at');
    table.dropColumn('lease_owner');
    table.dropColumn('host_id');
  });
};
