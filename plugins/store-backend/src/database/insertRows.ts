import { Knex } from 'knex';

// Knex writes a multi-row insert for SQLite as a compound SELECT, of which
// SQLite takes at most 500 terms; and at most 32766 bound values.
const SQLITE_MAX_ROWS = 500;
const SQLITE_MAX_VALUES = 32766;
// A PostgreSQL statement carries its rows as one JSON value; chunks only
// bound the size of a statement.
const PG_ROWS_PER_INSERT = 5000;

/**
 * Inserts rows, whose keys are the table's columns, in as few statements as
 * the database takes. On PostgreSQL the rows go as one JSON array per
 * statement, turned into rows of the table's type by
 * `json_populate_recordset`: one bound value instead of one per column and
 * row, which both the driver and the server handle in a fraction of the
 * time. Elsewhere a multi-row INSERT.
 *
 * With `skipConflictsOn`, rows whose value of that unique column is stored
 * already are skipped, and the values of the rows that were inserted are
 * returned. With `updateOnConflict`, a row whose key is stored already
 * overwrites the given columns of the stored row instead.
 */
export async function insertRows<Row extends Record<string, unknown>>(
  db: Knex | Knex.Transaction,
  table: string,
  rows: Row[],
  options: {
    skipConflictsOn?: keyof Row & string;
    updateOnConflict?: {
      key: keyof Row & string;
      columns: Array<keyof Row & string>;
    };
  } = {},
): Promise<string[]> {
  const key = options.skipConflictsOn;
  const update = options.updateOnConflict;
  const inserted: string[] = [];
  if (!rows.length) {
    return inserted;
  }
  const columns = Object.keys(rows[0]);
  if (db.client.config.client === 'pg') {
    const list = columns.map(() => '??').join(', ');
    for (let i = 0; i < rows.length; i += PG_ROWS_PER_INSERT) {
      const chunk = rows.slice(i, i + PG_ROWS_PER_INSERT);
      const result = await db.raw(
        `INSERT INTO ?? (${list})
         SELECT ${list} FROM json_populate_recordset(NULL::??, ?)${
          key ? ' ON CONFLICT (??) DO NOTHING RETURNING ??' : ''
        }${
          update
            ? ` ON CONFLICT (??) DO UPDATE SET ${update.columns
                .map(() => '?? = EXCLUDED.??')
                .join(', ')}`
            : ''
        }`,
        [
          table,
          ...columns,
          ...columns,
          table,
          JSON.stringify(chunk),
          ...(key ? [key, key] : []),
          ...(update
            ? [update.key, ...update.columns.flatMap(c => [c, c])]
            : []),
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
    if (update) {
      await db(table)
        .insert(chunk)
        .onConflict(update.key)
        .merge(update.columns);
      continue;
    }
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
