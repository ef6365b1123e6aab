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
  options: { cursor?: NewestFirstCursor; limit: number; offset?: number },
): Promise<{ rows: TRow[]; more: boolean }> {
  const { cursor, limit } = options;
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
  const rows: TRow[] = await query
    .select('*')
    .orderBy([
      { column: 'created_at', order: 'desc' },
      { column: 'id', order: 'desc' },
    ])
    .limit(limit + 1)
    .offset(options.offset ?? 0);
  return { rows: rows.slice(0, limit), more: rows.length > limit };
}

/** The cursor of the page after `items`, if there is one. */
export function nextNewestFirst(
  items: Array<{ createdAt: string; id: string }>,
  more: boolean,
): NewestFirstCursor | undefined {
  const last = items.at(-1);
  return more && last ? { createdAt: last.createdAt, id: last.id } : undefined;
}
