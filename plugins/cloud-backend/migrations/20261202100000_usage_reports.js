// @ts-check

/**
 * How far usage has been reported to the store: node-hours up to
 * `reported_until` (an ISO time on the hour) have been posted.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('usage_reports', table => {
    table.comment('Progress of the usage reports to the store');
    table.string('name').primary().notNullable();
    table.string('reported_until').notNullable();
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('usage_reports');
};
