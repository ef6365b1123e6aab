import { Knex } from 'knex';

/**
 * A column of the values of a child table's rows that belong to the row of
 * the outer query, as a JSON array in the order of the values: one subquery
 * on the child's key instead of a second statement for the children.
 */
export function jsonListColumn(
  db: Knex,
  options: {
    /** The child table. */
    table: string;
    /** The child's column listed. */
    column: string;
    /** The child's column that refers to the parent. */
    parentColumn: string;
    /** The parent's key, as the outer query names it. */
    parentKey: string;
    /** The name of the column. */
    as: string;
  },
): Knex.Raw {
  const { table, column, parentColumn, parentKey, as } = options;
  const aggregate =
    db.client.config.client === 'pg' ? 'json_agg' : 'json_group_array';
  return db.raw(
    `(SELECT ${aggregate}(c.${column} ORDER BY c.${column}) FROM ${table} c WHERE c.${parentColumn} = ${parentKey}) AS ${as}`,
  );
}

/** A list that a read selected as JSON: parsed by PostgreSQL's driver or not. */
export function jsonList(
  value: string[] | string | null | undefined,
): string[] {
  if (value === null || value === undefined) {
    return [];
  }
  return typeof value === 'string' ? JSON.parse(value) : value;
}
