// @ts-check

/**
 * The limits of the plan a stack was ordered on, which deploys and scales
 * of the stack must keep within.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('stacks', table => {
    table
      .text('limits')
      .nullable()
      .comment(
        'JSON limits of the stack\'s plan, e.g. {"instances":2}; null for none',
      );
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('stacks', table => {
    table.dropColumn('limits');
  });
};
