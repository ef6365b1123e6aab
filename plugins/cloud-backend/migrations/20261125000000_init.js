// @ts-check

/**
 * The inventory: stacks and their nodes. Rows are never removed; a deleted
 * stack or node keeps who deleted it and when, which makes the usage records.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('stacks', table => {
    table.comment('Deployed stacks, live and deleted');
    table.string('id').primary().notNullable();
    table.string('name').notNullable();
    table.string('owner').notNullable();
    table.string('template').nullable();
    table.string('provider').notNullable();
    table.string('region').notNullable();
    table.string('status').notNullable();
    table.string('url').nullable();
    table.text('error').nullable();
    table.text('spec').notNullable();
    table.string('idempotency_key').nullable().unique();
    table.string('request_hash').nullable();
    table.string('created_by').notNullable();
    table.string('created_at').notNullable();
    table.string('updated_at').notNullable();
    table.string('deleted_by').nullable();
    table.string('deleted_at').nullable();
    table.index(['owner'], 'stacks_owner_idx');
    table.index(['provider', 'status'], 'stacks_provider_status_idx');
  });
  // A name answers `<name>.localhost`: unique among stacks not yet deleted.
  await knex.raw(
    'CREATE UNIQUE INDEX stacks_live_name_idx ON stacks (name) WHERE deleted_at IS NULL',
  );

  await knex.schema.createTable('nodes', table => {
    table.comment('Nodes of stacks, live and deleted');
    table.string('id').primary().notNullable();
    table
      .string('stack_id')
      .notNullable()
      .references('id')
      .inTable('stacks')
      .onDelete('CASCADE');
    table.string('name').notNullable();
    table.string('role').notNullable();
    table.string('provider').notNullable();
    table.string('region').notNullable();
    table.string('provider_resource_id').nullable();
    table.string('private_address').nullable();
    table.string('public_address').nullable();
    table.string('status').notNullable();
    table.string('created_by').notNullable();
    table.string('created_at').notNullable();
    table.string('deleted_by').nullable();
    table.string('deleted_at').nullable();
    table.index(['stack_id'], 'nodes_stack_id_idx');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('nodes');
  await knex.schema.dropTable('stacks');
};
