// @ts-check

/**
 * Room on each page of the rollups and the counters for the next version of
 * their rows. Every collection round updates one row per node and metric
 * in each rollup, and one per node in the counters; with free space on the
 * row's page PostgreSQL writes the new version there and leaves the indexes
 * alone (a heap-only update), which makes these updates about twice as fast
 * as when every update adds an entry to each index. It applies to pages
 * written from now on. SQLite has no such setting.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  if (knex.client.config.client !== 'pg') {
    return;
  }
  for (const table of [
    'metric_rollups_1m',
    'metric_rollups_1h',
    'metric_rollups_1d',
    'metric_counters',
  ]) {
    await knex.raw('ALTER TABLE ?? SET (fillfactor = 50)', [table]);
  }
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  if (knex.client.config.client !== 'pg') {
    return;
  }
  for (const table of [
    'metric_rollups_1m',
    'metric_rollups_1h',
    'metric_rollups_1d',
    'metric_counters',
  ]) {
    await knex.raw('ALTER TABLE ?? RESET (fillfactor)', [table]);
  }
};
