import { Knex } from 'knex';

/** The PostgreSQL type of each column of rows to insert. */
export type ColumnTypes<Row> = {
  [K in keyof Row]: 'text' | 'integer' | 'bigint' | 'timestamptz';
};

// Knex writes a multi-row insert for SQLite as a compound SELECT, of which
// SQLite takes at most 500 terms; and at most 32766 bound values.
const SQLITE_MAX_ROWS = 500;
const SQLITE_MAX_VALUES = 32766;
// Each PostgreSQL statement carries one array per column, whatever the rows;
// chunks only bound the size of a statement.
const PG_ROWS_PER_INSERT = 5000;

/**
 * Inserts rows in as few statements as the database takes. On PostgreSQL
 * each column is bound as one array and the arrays are unnested: a dozen
 * bound values instead of one per value, which the server parses and plans
 * in a fraction of the time. Elsewhere a multi-row INSERT.
 *
 * With `skipConflictsOn`, rows whose value of that unique column is stored
 * already are skipped, and the values of the rows that were inserted are
 * returned.
 */
export async function insertRows<Row extends Record<string, unknown>>(
  db: Knex | Knex.Transaction,
  table: string,
  types: ColumnTypes<Row>,
  rows: Row[],
  options: { skipConflictsOn?: keyof Row & string } = {},
): Promise<string[]> {
  const key = options.skipConflictsOn;
  const inserted: string[] = [];
  const columns = Object.keys(types) as Array<keyof Row & string>;
  if (db.client.config.client === 'pg') {
    for (let i = 0; i < rows.length; i += PG_ROWS_PER_INSERT) {
      const chunk = rows.slice(i, i + PG_ROWS_PER_INSERT);
      const result = await db.raw(
        `INSERT INTO ?? (${columns.map(() => '??').join(', ')})
         SELECT * FROM unnest(${columns
           .map(c => `?::${types[c]}[]`)
           .join(', ')})${
          key ? ' ON CONFLICT (??) DO NOTHING RETURNING ??' : ''
        }`,
        [
          table,
          ...columns,
          ...columns.map(
            c => chunk.map(row => row[c] ?? null) as unknown as Knex.Value,
          ),
          ...(key ? [key, key] : []),
        ],
      );
      if (key) {
        for (const row of result.rows as Array<Record<string, string>>) {
          inserted.push(row[key]);
        }
      }
    }
    return inserted;
  }
  const size = Math.min(
    SQLITE_MAX_ROWS,
    Math.floor(SQLITE_MAX_VALUES / columns.length),
  );
  for (let i = 0; i < rows.length; i += size) {
    const chunk = rows.slice(i, i + size);
    if (!key) {
      await db(table).insert(chunk);
      continue;
    }
    const returned = (await db(table)
      .insert(chunk)
      .onConflict(key)
      .ignore()
      .returning(key)) as Array<Record<string, string> | string>;
    for (const row of returned) {
      inserted.push(typeof row === 'string' ? row : row[key]);
    }
  }
  return inserted;
}
