// @ts-check

/**
 * Rollups folded from closed periods instead of added to by every write.
 *
 * `metric_folds` holds one row, `rollups`: `folded_to`, the end of the last
 * minute folded into the per-minute rollup (null: none yet). Writers read
 * it to know which of their samples arrived late, folders move it; both
 * lock the row, so that a fold never misses a write in flight.
 *
 * What the old write path left is taken as folded: everything up to the
 * end of the newest per-minute bucket. Samples of that last minute still to
 * come count as late and are added to it as before; the hour and the day it
 * belongs to are folded again, whole, from the finer rollup when they close.
 *
 * Rollups are no longer updated in place, so their pages need no room for
 * new row versions: back to the default fill factor on PostgreSQL.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('metric_folds', table => {
    table.comment('How far the raw samples are folded into the rollups');
    table.string('name').primary();
    table.bigInteger('folded_to').nullable();
  });
  const [{ newest }] = await knex('metric_rollups_1m').max({
    newest: 'bucket',
  });
  await knex('metric_folds').insert({
    name: 'rollups',
    folded_to: newest === null ? null : Number(newest) + 60_000,
  });
  if (knex.client.config.client === 'pg') {
    for (const table of [
      'metric_rollups_1m',
      'metric_rollups_1h',
      'metric_rollups_1d',
    ]) {
      await knex.raw('ALTER TABLE ?? RESET (fillfactor)', [table]);
    }
  }
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  if (knex.client.config.client === 'pg') {
    for (const table of [
      'metric_rollups_1m',
      'metric_rollups_1h',
      'metric_rollups_1d',
    ]) {
      await knex.raw('ALTER TABLE ?? SET (fillfactor = 50)', [table]);
    }
  }
  await knex.schema.dropTable('metric_folds');
};
