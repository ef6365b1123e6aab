import { Knex } from 'knex';

/** Where a newest-first list goes on: after this row. */
export type NewestFirstCursor = { createdAt: string; id: string };

/**
 * Reads one page of a list ordered newest first (by `created_at`, then by
 * `id` for rows created at the same time), after `cursor`. Reads one row
 * more than `limit` to know whether another page follows.
 */
export async function readNewestFirst<TRow>(
  query: Knex.QueryBuilder,
  options: {
    cursor?: NewestFirstCursor;
    limit: number;
    offset?: number;
    /**
     * Also count every row the query matches, in the same statement; only
     * without a cursor, which would narrow the count.
     */
    count?: boolean;
    /** The columns selected; all of the table's by default. */
    columns?: Array<string | Knex.Raw>;
    /** Runs the select; by default as it is. */
    select?: (query: Knex.QueryBuilder) => Promise<unknown[]>;
  },
): Promise<{ rows: TRow[]; more: boolean; count?: number }> {
  const { cursor, limit } = options;
  if (options.count && cursor) {
    throw new Error('readNewestFirst counts only lists without a cursor');
  }
  if (cursor) {
    const after = new Date(cursor.createdAt);
    query.where(inner =>
      inner
        .where('created_at', '<', after)
        .orWhere(same =>
          same.where('created_at', '=', after).andWhere('id', '<', cursor.id),
        ),
    );
  }
  const select = options.select ?? (q => q);
  const rows = (await select(
    query
      .select([
        ...(options.columns ?? ['*']),
        ...(options.count
          ? [query.client.raw('count(*) over () AS newest_first_count')]
          : []),
      ])
      .orderBy([
        { column: 'created_at', order: 'desc' },
        { column: 'id', order: 'desc' },
      ])
      .limit(limit + 1)
      .offset(options.offset ?? 0),
  )) as Array<TRow & { newest_first_count?: number | string }>;
  const page = rows.slice(0, limit);
  if (!options.count) {
    return { rows: page, more: rows.length > limit };
  }
  // An offset past the end reads no row to carry the count.
  let count = 0;
  if (rows.length > 0) {
    count = Number(rows[0].newest_first_count);
  } else if (options.offset) {
    count = Number(
      (
        await query
          .clone()
          .clearSelect()
          .clearOrder()
          .clear('limit')
          .clear('offset')
          .count({ n: '*' })
      )[0].n,
    );
  }
  return {
    rows: page.map(({ newest_first_count, ...row }) => row as TRow),
    more: rows.length > limit,
    count,
  };
}

/** The cursor of the page after `items`, if there is one. */
export function nextNewestFirst(
  items: Array<{ createdAt: string; id: string }>,
  more: boolean,
): NewestFirstCursor | undefined {
  const last = items.at(-1);
  return more && last ? { createdAt: last.createdAt, id: last.id } : undefined;
}
