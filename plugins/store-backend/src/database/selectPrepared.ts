import { createHash } from 'node:crypto';
import { Knex } from 'knex';

/** What a pool connection of the `pg` driver answers. */
type PgConnection = {
  query(config: {
    name: string;
    text: string;
    values: unknown[];
  }): Promise<{ rows: unknown[] }>;
};

/**
 * Runs a select of the store's hot read paths. On PostgreSQL it is a named
 * prepared statement of its connection, named after its SQL text: a page
 * that many users ask for is parsed and planned once per connection rather
 * than on each request (planning the facet counts cost several times their
 * execution). The values stay bound parameters. Elsewhere, and within a
 * transaction, the query runs as it is.
 *
 * Each distinct SQL text is one statement per pooled connection, until the
 * pool closes the connection: use it for queries whose text varies with the
 * shape of the caller's permission decision alone, not with what a user
 * types (searches and facet filters run unprepared). The query is a builder,
 * or its compiled native form, kept by a caller that runs it often.
 */
export async function selectPrepared<T>(
  db: Knex,
  query: Knex.QueryBuilder | Knex.SqlNative,
): Promise<T[]> {
  const isBuilder = 'toSQL' in query;
  if (db.client.config.client !== 'pg' || db.isTransaction) {
    if (isBuilder) {
      return query;
    }
    // Without a driver of its own, a raw select answers its rows.
    return (await db.raw(
      query.sql,
      query.bindings as Knex.RawBinding[],
    )) as T[];
  }
  let native: Knex.SqlNative;
  if (isBuilder) {
    const compiled = query.toSQL();
    native = compiled.toNative();
    // As knex's runner does, for those who watch the queries.
    db.client.emit('query', compiled);
  } else {
    native = query;
    db.client.emit('query', query);
  }
  const { sql, bindings } = native;
  // An identifier of PostgreSQL has at most 63 bytes.
  const name = `store_${createHash('sha256').update(sql).digest('base64url')}`;
  const connection: PgConnection = await db.client.acquireConnection();
  try {
    const result = await connection.query({
      name,
      text: sql,
      values: bindings as unknown[],
    });
    return result.rows as T[];
  } finally {
    await db.client.releaseConnection(connection);
  }
}
