// @ts-check

/**
 * The audit log: one row per finished audited operation, append-only and
 * chained by hashes, and the head of the chain.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('audit_events', table => {
    table.comment('Audited operations, chained: each row hashes the previous');
    table
      .bigInteger('seq')
      .primary()
      .notNullable()
      .comment('Position in the chain, from 1, assigned under the head lock');
    table
      .string('occurred_at')
      .notNullable()
      .comment('ISO time of the event, UTC with milliseconds');
    table.string('plugin').notNullable();
    table.string('event_id').notNullable();
    table.string('action').notNullable();
    table.string('severity_level').notNullable();
    table.string('actor').nullable();
    table.string('target').nullable();
    table.string('ip').nullable();
    table.text('user_agent').nullable();
    table.string('request_method').nullable();
    table.text('request_url').nullable();
    table.string('status').notNullable();
    table.text('error').nullable();
    table.text('meta').nullable().comment('JSON, hashed as stored');
    table.string('previous_hash', 64).notNullable();
    table.string('hash', 64).notNullable();
    table.index(['occurred_at'], 'audit_events_occurred_at_idx');
    table.index(['actor'], 'audit_events_actor_idx');
    table.index(['action'], 'audit_events_action_idx');
    table.index(['target'], 'audit_events_target_idx');
  });

  // One row: the last record of the chain, and the last one removed by
  // retention, so that the oldest kept record can still be checked.
  await knex.schema.createTable('audit_chain_head', table => {
    table.comment('The head of the audit chain; appends lock this row');
    table.integer('id').primary().notNullable();
    table.bigInteger('seq').notNullable();
    table.string('hash', 64).notNullable();
    table.bigInteger('purged_seq').notNullable();
    table.string('purged_hash', 64).notNullable();
  });
  const genesis = '0'.repeat(64);
  await knex('audit_chain_head').insert({
    id: 1,
    seq: 0,
    hash: genesis,
    purged_seq: 0,
    purged_hash: genesis,
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('audit_chain_head');
  await knex.schema.dropTable('audit_events');
};
