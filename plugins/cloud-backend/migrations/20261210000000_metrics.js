// @ts-check

/**
 * Monitoring: raw samples of each node's metrics, their rollups per minute,
 * hour and day (count, sum, min and max per bucket, added to as samples
 * arrive), the latest counters of each node, and alerts.
 *
 * Times are milliseconds since the epoch; an id on every table lets
 * retention delete in small batches, oldest first, by the time index.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('metric_samples', table => {
    table.comment('Raw metric samples of nodes');
    table.bigIncrements('id').primary();
    table.string('stack_id').notNullable();
    table.string('node_name').notNullable();
    table.string('metric').notNullable();
    table.bigInteger('ts').notNullable();
    table.double('value').notNullable();
    table.index(
      ['stack_id', 'node_name', 'metric', 'ts'],
      'metric_samples_node_idx',
    );
    table.index(['ts'], 'metric_samples_ts_idx');
  });

  for (const resolution of ['1m', '1h', '1d']) {
    const name = `metric_rollups_${resolution}`;
    await knex.schema.createTable(name, table => {
      table.comment(`Metric samples of nodes rolled up per ${resolution}`);
      table.bigIncrements('id').primary();
      table.string('stack_id').notNullable();
      table.string('node_name').notNullable();
      table.string('metric').notNullable();
      /** The start of the bucket. */
      table.bigInteger('bucket').notNullable();
      table.integer('count').notNullable();
      table.double('sum').notNullable();
      table.double('min').notNullable();
      table.double('max').notNullable();
      table.unique(['stack_id', 'node_name', 'metric', 'bucket'], {
        indexName: `${name}_key`,
      });
      table.index(['bucket'], `${name}_bucket_idx`);
    });
  }

  await knex.schema.createTable('metric_counters', table => {
    table.comment(
      'The latest reading of each node, from which rates are computed',
    );
    table.string('stack_id').notNullable();
    table.string('node_name').notNullable();
    table.bigInteger('ts').notNullable();
    table.double('cpu_seconds').notNullable();
    table.double('memory_bytes').notNullable();
    table.double('disk_bytes').notNullable();
    table.double('network_in_bytes').notNullable();
    table.double('network_out_bytes').notNullable();
    table.primary(['stack_id', 'node_name']);
  });

  await knex.schema.createTable('metric_alerts', table => {
    table.comment(
      'Alerts on nodes: pending while their condition has not held long enough, then firing, then resolved',
    );
    table.bigIncrements('id').primary();
    table.string('stack_id').notNullable();
    table.string('node_name').notNullable();
    table.string('rule').notNullable();
    table.string('state').notNullable();
    table.text('message').notNullable();
    /** When the condition began. */
    table.bigInteger('since').notNullable();
    table.bigInteger('fired_at').nullable();
    table.bigInteger('resolved_at').nullable();
    /** The last state the owner was told of; one notification per state. */
    table.string('notified').nullable();
    table.index(['stack_id', 'since'], 'metric_alerts_stack_idx');
  });
  // One open alert per node and rule, of however many runs evaluate it.
  await knex.raw(
    "CREATE UNIQUE INDEX metric_alerts_open_idx ON metric_alerts (stack_id, node_name, rule) WHERE state IN ('pending', 'firing')",
  );
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('metric_alerts');
  await knex.schema.dropTable('metric_counters');
  for (const resolution of ['1d', '1h', '1m']) {
    await knex.schema.dropTable(`metric_rollups_${resolution}`);
  }
  await knex.schema.dropTable('metric_samples');
};
