// @ts-check

/**
 * Indexes for the paged lists, newest first: stacks and the usage records
 * (stacks and nodes) are read by `created_at` then `id`, a page at a time
 * after a cursor; a stack's alerts by `since` then `id`.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('stacks', table => {
    table.index(['created_at', 'id'], 'stacks_created_idx');
  });
  await knex.schema.alterTable('nodes', table => {
    table.index(['created_at', 'id'], 'nodes_created_idx');
  });
  await knex.schema.alterTable('metric_alerts', table => {
    table.dropIndex(['stack_id', 'since'], 'metric_alerts_stack_idx');
    table.index(['stack_id', 'since', 'id'], 'metric_alerts_stack_idx');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('metric_alerts', table => {
    table.dropIndex(['stack_id', 'since', 'id'], 'metric_alerts_stack_idx');
    table.index(['stack_id', 'since'], 'metric_alerts_stack_idx');
  });
  await knex.schema.alterTable('nodes', table => {
    table.dropIndex(['created_at', 'id'], 'nodes_created_idx');
  });
  await knex.schema.alterTable('stacks', table => {
    table.dropIndex(['created_at', 'id'], 'stacks_created_idx');
  });
};
