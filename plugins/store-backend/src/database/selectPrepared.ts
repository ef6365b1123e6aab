import { createHash } from 'node:crypto';
import { Knex } from 'knex';

/** How many statement names are kept for the SQL texts they stand for. */
const MAX_NAMES = 1000;
const names = new Map<string, string>();

/**
 * The name of the prepared statement of a SQL text, a hash of the text
 * (an identifier of PostgreSQL has at most 63 bytes), kept so that a text
 * asked for on every request is not hashed again each time.
 */
function statementName(sql: string): string {
  let name = names.get(sql);
  if (name === undefined) {
    if (names.size >= MAX_NAMES) {
      names.clear();
    }
    name = `store_${createHash('sha256').update(sql).digest('base64url')}`;
    names.set(sql, name);
  }
  return name;
}

/** A prepared statement of the `better-sqlite3` driver. */
type SqliteStatement = {
  all(...bindings: unknown[][]): unknown[];
  bind(bindings: unknown[]): SqliteStatement;
};

/** What a connection of the `better-sqlite3` driver answers. */
type SqliteConnection = {
  prepare(sql: string): SqliteStatement;
};

/**
 * The prepared statements of each SQLite connection: by SQL text, at most
 * MAX_NAMES of them, as for the names on PostgreSQL; and those of the
 * compiled forms that StatementsByDecision keeps, with their values bound
 * once, for as long as it keeps the form.
 */
const sqliteStatements = new WeakMap<
  SqliteConnection,
  {
    byText: Map<string, SqliteStatement>;
    bound: WeakMap<Knex.Sql, SqliteStatement>;
  }
>();

/**
 * The compiled forms that StatementsByDecision keeps, whose values are
 * fixed for as long as it keeps them.
 */
const keptForms = new WeakSet<Knex.Sql>();

/** A value bound to a SQLite statement, as knex binds it. */
function sqliteValue(value: unknown): unknown {
  if (value instanceof Date) {
    return value.valueOf();
  }
  return typeof value === 'boolean' ? Number(value) : value;
}

/** What a pool connection of the `pg` driver answers. */
type PgConnection = {
  query(config: {
    name?: string;
    text: string;
    values: unknown[];
  }): Promise<{ rows: unknown[] }>;
};

/**
 * Runs a select of the store's hot read paths. On PostgreSQL it is a named
 * prepared statement of its connection, named after its SQL text: a page
 * that many users ask for is parsed once per connection, and planned once
 * when PostgreSQL keeps a plan for any values (planning the facet counts
 * cost several times their execution). It keeps one only if that plan
 * looks no dearer than the plans for the values it was run with, and it
 * costs bound values blindly: write into the SQL text what the plan
 * depends on and callers do not vary (a policy's constants, the page
 * size), as ProductFilters does. On SQLite it is a statement that its
 * connection keeps prepared: knex prepares each query anew, and compiling
 * a conditional page's long filter cost more than running it; one that
 * StatementsByDecision keeps is also bound to its values once (see
 * `runOnSqlite`). The values stay bound parameters. Within a transaction,
 * and on other databases, the query runs as it is.
 *
 * Each distinct SQL text is one statement per pooled connection, until the
 * pool closes the connection (SQLite keeps at most 1,000 a connection): use
 * it for queries whose text varies with the shape of the caller's
 * permission decision alone, not with what a user types, or with `prepare:
 * false` for those (searches), which PostgreSQL then runs unnamed. The
 * query is a builder or a compiled form; one that its caller keeps, to run
 * it often, is put in PostgreSQL's form once.
 */
export async function selectPrepared<T>(
  db: Knex,
  query: Knex.QueryBuilder | Knex.Sql,
  options?: {
    /**
     * False to run unprepared on PostgreSQL: for a text that varies with
     * what a user types, or behind a pooler that hands each transaction
     * another server connection (PgBouncer in transaction mode before 1.21).
     */
    prepare?: boolean;
  },
): Promise<T[]> {
  const client = db.client.config.client;
  const isPostgres = client === 'pg';
  if (db.isTransaction || (!isPostgres && client !== 'better-sqlite3')) {
    if ('toSQL' in query) {
      return query;
    }
    const result = await db.raw(query.sql, query.bindings as Knex.RawBinding[]);
    // A raw select answers pg's result, or the rows on SQLite.
    return (isPostgres ? result.rows : result) as T[];
  }
  const kept = !('toSQL' in query);
  const compiled = kept ? query : query.toSQL();
  // As knex's runner does, for those who watch the queries.
  db.client.emit('query', compiled);
  const connection = await db.client.acquireConnection();
  try {
    return (
      isPostgres
        ? await runOnPostgres(
            connection,
            kept ? nativeOf(compiled) : toNative(compiled),
            options?.prepare !== false,
          )
        : runOnSqlite(connection, compiled, keptForms.has(compiled))
    ) as T[];
  } finally {
    await db.client.releaseConnection(connection);
  }
}

/**
 * A statement in PostgreSQL's form, numbered parameters, and the name of its
 * prepared statement once it has been asked for.
 */
type NativeStatement = { sql: string; bindings: unknown[]; name?: string };

function toNative(compiled: Knex.Sql): NativeStatement {
  const { sql, bindings } = compiled.toNative();
  return { sql, bindings: bindings as unknown[] };
}

/**
 * The native form of the compiled statements that callers keep (a page's
 * or the facets' statement of a permission decision), made once: numbering
 * the parameters of a facets statement copied its several kilobytes of text
 * on every request, and naming it hashed the copy again.
 */
const nativeForms = new WeakMap<Knex.Sql, NativeStatement>();

function nativeOf(compiled: Knex.Sql): NativeStatement {
  let native = nativeForms.get(compiled);
  if (!native) {
    native = toNative(compiled);
    nativeForms.set(compiled, native);
  }
  return native;
}

async function runOnPostgres(
  connection: PgConnection,
  statement: NativeStatement,
  prepare: boolean,
): Promise<unknown[]> {
  const result = await connection.query({
    name: prepare
      ? (statement.name ??= statementName(statement.sql))
      : undefined,
    text: statement.sql,
    values: statement.bindings,
  });
  return result.rows;
}

/**
 * Runs a statement of a SQLite connection. One that StatementsByDecision
 * keeps is bound to its values once: SQLite, as better-sqlite3 builds it
 * (with STAT4), plans with the values of parameters that it compares to
 * indexed columns, and compiles such a statement again whenever one of
 * them is bound again, even to the same value. At 10,000 products the
 * facets of a consumer (whose claims are such values) took 2.1 ms a run
 * bound anew each time, most of it compiling, and 0.72 ms bound once.
 */
function runOnSqlite(
  connection: SqliteConnection,
  compiled: Knex.Sql,
  kept: boolean,
): unknown[] {
  let statements = sqliteStatements.get(connection);
  if (!statements) {
    statements = { byText: new Map(), bound: new WeakMap() };
    sqliteStatements.set(connection, statements);
  }
  if (kept) {
    let statement = statements.bound.get(compiled);
    if (!statement) {
      statement = connection.prepare(compiled.sql);
      if (compiled.bindings.length > 0) {
        statement.bind(compiled.bindings.map(sqliteValue));
      }
      statements.bound.set(compiled, statement);
    }
    return statement.all();
  }
  const { byText } = statements;
  let statement = byText.get(compiled.sql);
  if (!statement) {
    if (byText.size >= MAX_NAMES) {
      byText.clear();
    }
    statement = connection.prepare(compiled.sql);
    byText.set(compiled.sql, statement);
  }
  return statement.all(compiled.bindings.map(sqliteValue));
}

/** The key of the statements of those who see every product. */
const ALL = {};

/**
 * Compiled statements kept per permission decision: the decision cache
 * hands each request of a user the same filter object while it keeps the
 * decision, so a statement that depends on the decision alone (and on a
 * few named choices, such as the sort) is built once per decision rather
 * than per request. Kept by the identity of the filter, so that a statement
 * never outlives its decision; undefined (allow-all) has one set.
 */
export class StatementsByDecision {
  private readonly byDecision = new WeakMap<
    object,
    Map<string, Knex.Sql | undefined>
  >();

  get(
    decision: object | undefined,
    key: string,
    build: () => Knex.Sql | undefined,
  ): Knex.Sql | undefined {
    let statements = this.byDecision.get(decision ?? ALL);
    if (!statements) {
      statements = new Map();
      this.byDecision.set(decision ?? ALL, statements);
    }
    if (!statements.has(key)) {
      const built = build();
      if (built) {
        keptForms.add(built);
      }
      statements.set(key, built);
    }
    return statements.get(key);
  }
}
