import { MetricName } from '@internal/plugin-cloud-common';
import { Knex } from 'knex';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  CopyStreamQuery,
  CopyToStreamQuery,
  from as copyFrom,
  to as copyTo,
} from 'pg-copy-streams';

/** The rollup resolutions and the length of their buckets in ms. */
export const ROLLUPS = {
  '1m': 60_000,
  '1h': 3_600_000,
  '1d': 86_400_000,
} as const;

/** A rollup resolution. */
export type Rollup = keyof typeof ROLLUPS;

/** What is kept: raw samples, or one of the rollups. */
export type StoredResolution = 'raw' | Rollup;

/** One sample of one metric of a node. */
export interface MetricSampleInput {
  stackId: string;
  nodeName: string;
  metric: MetricName;
  /** Milliseconds since the epoch. */
  ts: number;
  value: number;
}

/** The latest reading of a node, from which the next rates are computed. */
export interface NodeCounters {
  stackId: string;
  nodeName: string;
  ts: number;
  cpuSeconds: number;
  memoryBytes: number;
  diskBytes: number;
  networkInBytes: number;
  networkOutBytes: number;
}

/** One bucket of a metric as read; a raw sample is a bucket of one. */
export interface StoredBucket {
  nodeName: string;
  metric: MetricName;
  ts: number;
  count: number;
  sum: number;
  min: number;
  max: number;
}

type CountersRow = {
  stack_id: string;
  node_name: string;
  ts: string | number;
  cpu_seconds: number;
  memory_bytes: number;
  disk_bytes: number;
  network_in_bytes: number;
  network_out_bytes: number;
};

/** Rows per statement, well below SQLite's limit of bound variables. */
const CHUNK = 500;

/** What each rollup is folded from: minutes from raw samples, and so on. */
const FOLDED_FROM: Record<Rollup, StoredResolution> = {
  '1m': 'raw',
  '1h': '1m',
  '1d': '1h',
};

/**
 * Where a rollup's periods not yet folded are read from, each finer source
 * with the coarser resolution whose open period it fills: a day still open
 * is its closed hours plus the closed minutes of its open hour.
 */
const OPEN_FROM: Record<Rollup, Array<{ source: Rollup; opens: Rollup }>> = {
  '1m': [],
  '1h': [{ source: '1m', opens: '1h' }],
  '1d': [
    { source: '1h', opens: '1d' },
    { source: '1m', opens: '1h' },
  ],
};

/**
 * The most one fold takes in one transaction: an hour's minutes, so that a
 * fold after downtime is a series of short transactions, not one long one.
 */
const FOLD_STEP = ROLLUPS['1h'];

/** The row of `metric_folds` that says how far the rollups are folded. */
const FOLDS = { name: 'rollups' };

function chunks<T>(items: T[], size = CHUNK): T[][] {
  const result: T[][] = [];
  for (let i = 0; i < items.length; i += size) {
    result.push(items.slice(i, i + size));
  }
  return result;
}

function tableOf(resolution: StoredResolution) {
  return resolution === 'raw'
    ? 'metric_samples'
    : `metric_rollups_${resolution}`;
}

function floorTo(ts: number, size: number) {
  return Math.floor(ts / size) * size;
}

function ceilTo(ts: number, size: number) {
  return Math.ceil(ts / size) * size;
}

/**
 * Metrics of nodes: raw samples, rollups per minute, hour and day, and the
 * latest reading of each node.
 *
 * A collection round replaces the counters (one statement that returns
 * the previous readings) and writes raw samples only (on PostgreSQL by
 * COPY, the cheapest way in); the rollups are folded from closed periods:
 * once a minute has closed, `fold` aggregates its raw samples into the
 * per-minute rollup; once an hour has closed, its minutes into the
 * per-hour rollup; once a day has, its hours into the per-day one. So a
 * value is written about 1.3 times rather than 4 (raw plus an upsert into
 * each rollup), and each rollup row once, in a batch. This was chosen over
 * upserting every round's samples into the three rollups, which made the
 * write path take up to 14 times as long as COPY of the raw rows.
 *
 * `metric_folds` records how far minutes are folded (`folded_to`); state
 * in the database, so that any instance may run the next round. A fold
 * locks that row, folds what closed since, moves it, and commits: a second
 * instance or a retry finds nothing left to fold, and a fold after downtime
 * takes every minute since, from the raw samples still kept. A write holds
 * the same row shared until it commits, so a fold never misses a write in
 * flight; samples of a minute already folded (a reading delayed past its
 * minute, or another host's round) are added to the folded rollups as they
 * arrive. A fold replaces the buckets of its range with those it computed
 * (idempotent; it repairs the open buckets the former write path left
 * partial), rather than inserting around existing ones.
 *
 * Reads never aggregate raw samples: a per-minute chart ends at the last
 * closed minute (at most a minute and a round behind), and a period not yet
 * folded into a coarser rollup is read from the finer rollups (the open
 * hour from its minutes; the open day from its hours and minutes).
 *
 * Retention purges each table in short batches, but never what a fold still
 * needs: raw samples of minutes not folded, minutes of the open hour, hours
 * of the open day.
 */
export class MetricsStore {
  private constructor(private readonly db: Knex | Knex.Transaction) {}

  /** Over a database that CloudStore has migrated. */
  static create(db: Knex | Knex.Transaction): MetricsStore {
    return new MetricsStore(db);
  }

  /** The latest readings of these nodes, of those that have one. */
  async getCounters(
    nodes: Array<{ stackId: string; nodeName: string }>,
  ): Promise<NodeCounters[]> {
    if (this.onPostgres()) {
      // every node of a collection round in one statement
      const rows = await this.db<CountersRow>('metric_counters').whereRaw(
        '(stack_id, node_name) IN (SELECT * FROM json_to_recordset(?::json) AS n(stack_id text, node_name text))',
        [
          JSON.stringify(
            nodes.map(n => ({ stack_id: n.stackId, node_name: n.nodeName })),
          ),
        ],
      );
      return rows.map(toCounters);
    }
    const result: NodeCounters[] = [];
    for (const chunk of chunks(nodes)) {
      const rows = await this.db<CountersRow>('metric_counters').whereIn(
        ['stack_id', 'node_name'],
        chunk.map(n => [n.stackId, n.nodeName]),
      );
      result.push(...rows.map(toCounters));
    }
    return result;
  }

  /** The latest reading of every node of a stack, or of every node. */
  async listCounters(stackId?: string): Promise<NodeCounters[]> {
    const query = this.db<CountersRow>('metric_counters').orderBy([
      'stack_id',
      'node_name',
    ]);
    if (stackId) {
      query.where({ stack_id: stackId });
    }
    return (await query).map(toCounters);
  }

  /**
   * Stores the nodes' latest readings and returns those they replace, from
   * which the collector computes rates: on PostgreSQL one statement, where
   * reading first and writing after were two passes over the same rows.
   */
  async replaceCounters(counters: NodeCounters[]): Promise<NodeCounters[]> {
    if (counters.length === 0) {
      return [];
    }
    if (!this.onPostgres()) {
      return this.db.transaction(async tx => {
        const previous = await MetricsStore.create(tx).getCounters(counters);
        for (const chunk of chunks(counters)) {
          await tx<CountersRow>('metric_counters')
            .insert(chunk.map(toCountersRow))
            .onConflict(['stack_id', 'node_name'])
            .merge();
        }
        return previous;
      });
    }
    // every part of one statement sees the rows as they were before it
    const result = await this.db.raw(
      `WITH n AS (
        SELECT * FROM json_to_recordset(?::json) AS n(stack_id text,
          node_name text, ts bigint, cpu_seconds double precision,
          memory_bytes double precision, disk_bytes double precision,
          network_in_bytes double precision, network_out_bytes double precision)
      ), previous AS (
        SELECT c.* FROM metric_counters c JOIN n USING (stack_id, node_name)
      ), stored AS (
        INSERT INTO metric_counters (stack_id, node_name, ts, cpu_seconds,
          memory_bytes, disk_bytes, network_in_bytes, network_out_bytes)
        SELECT * FROM n
        ON CONFLICT (stack_id, node_name) DO UPDATE SET
          ts = excluded.ts,
          cpu_seconds = excluded.cpu_seconds,
          memory_bytes = excluded.memory_bytes,
          disk_bytes = excluded.disk_bytes,
          network_in_bytes = excluded.network_in_bytes,
          network_out_bytes = excluded.network_out_bytes
      )
      SELECT * FROM previous`,
      [JSON.stringify(counters.map(toCountersRow))],
    );
    return (result.rows as CountersRow[]).map(toCounters);
  }

  /**
   * Stores raw samples; those of minutes already folded go into the
   * rollups too, in the same transaction.
   */
  async write(samples: MetricSampleInput[]) {
    if (samples.length === 0) {
      return;
    }
    await this.db.transaction(async tx => {
      const foldedTo = await this.readFoldedTo(tx, 'share');
      if (this.onPostgres()) {
        await copySamples(tx, samples);
      } else {
        for (const chunk of chunks(samples)) {
          await tx('metric_samples').insert(chunk.map(toSampleRow));
        }
      }
      if (foldedTo !== undefined) {
        for (const rollup of Object.keys(ROLLUPS) as Rollup[]) {
          const closed = floorTo(foldedTo, ROLLUPS[rollup]);
          const late = samples.filter(s => s.ts < closed);
          if (late.length > 0) {
            await this.addToRollup(tx, rollup, late);
          }
        }
      }
    });
  }

  /**
   * Folds what closed before `now` into the rollups: the minutes since the
   * last fold, and the hours and days they close. Idempotent, and safe to
   * run on several instances at once.
   */
  async fold(now: number): Promise<void> {
    const until = floorTo(now, ROLLUPS['1m']);
    // most rounds close no minute: no lock, no transaction for them
    const foldedTo = await this.readFoldedTo(this.db);
    if (foldedTo !== undefined && foldedTo >= until) {
      return;
    }
    while (await this.foldStep(until)) {
      // each step commits an hour at most; on to the next
    }
  }

  /**
   * The buckets of a stack's nodes that start in `[from, to)`: each series
   * together, oldest first.
   */
  async readBuckets(options: {
    stackId: string;
    nodeNames?: string[];
    metrics?: MetricName[];
    resolution: StoredResolution;
    from: number;
    to: number;
  }): Promise<StoredBucket[]> {
    const { stackId, nodeNames, metrics, resolution, from, to } = options;
    const ofSeries = (query: Knex.QueryBuilder) => {
      query.where('stack_id', stackId);
      if (nodeNames) {
        query.whereIn('node_name', nodeNames);
      }
      if (metrics) {
        query.whereIn('metric', metrics);
      }
      return query;
    };
    if (resolution === 'raw') {
      const rows = await ofSeries(this.db('metric_samples'))
        .andWhere('ts', '>=', from)
        .andWhere('ts', '<', to)
        .orderBy(['node_name', 'metric', 'ts'])
        .select('node_name', 'metric', 'ts', 'value');
      return rows.map((row: Record<string, string | number>) => ({
        nodeName: String(row.node_name),
        metric: row.metric as MetricName,
        ts: Number(row.ts),
        count: 1,
        sum: Number(row.value),
        min: Number(row.value),
        max: Number(row.value),
      }));
    }
    const columns = ['node_name', 'metric', 'bucket'];
    const aggregates = ['count', 'sum', 'min', 'max'];
    const size = ROLLUPS[resolution];
    const open = OPEN_FROM[resolution];
    // Where each source's buckets begin: the folded rollup's own end there,
    // each finer one's where the next takes over, by one reading of how far
    // folds went, so that a fold in between counts nothing twice.
    const foldedTo =
      open.length > 0 ? await this.readFoldedTo(this.db) : undefined;
    const starts = open.map(({ opens }) =>
      foldedTo === undefined ? Infinity : floorTo(foldedTo, ROLLUPS[opens]),
    );
    const folded = ofSeries(this.db(tableOf(resolution)))
      .andWhere('bucket', '>=', from)
      .andWhere('bucket', '<', Math.min(to, starts[0] ?? Infinity))
      .orderBy(columns)
      .select(...columns, ...aggregates);
    // the buckets that start in [from, to) and are not folded yet, of the
    // finer rows they are made of
    const sources = open.flatMap(({ source }, i) => {
      const lower = Math.max(ceilTo(from, size), starts[i]);
      const upper = Math.min(ceilTo(to, size), starts[i + 1] ?? Infinity);
      return lower < upper
        ? [
            ofSeries(this.db(tableOf(source)))
              .andWhere('bucket', '>=', lower)
              .andWhere('bucket', '<', upper)
              .select(...columns, ...aggregates),
          ]
        : [];
    });
    if (sources.length === 0) {
      return (await folded).map(toBucket);
    }
    const union = sources[0];
    if (sources.length > 1) {
      union.unionAll(sources.slice(1));
    }
    const unfolded = this.db
      .from(union.as('o'))
      .select(
        'node_name',
        'metric',
        this.db.raw('bucket - bucket % ? AS bucket', [size]),
        this.db.raw(
          'sum("count") AS "count", sum("sum") AS "sum", min("min") AS "min", max("max") AS "max"',
        ),
      )
      .groupByRaw('1, 2, 3')
      .orderByRaw('1, 2, 3');
    // Two queries side by side rather than one sorting their union: each
    // comes ordered, the folded one by its index, and every open bucket
    // follows every folded one of its series.
    const [closedRows, openRows] = await Promise.all([folded, unfolded]);
    const openBySeries = new Map<string, StoredBucket[]>();
    for (const row of openRows) {
      const bucket = toBucket(row);
      const key = `${bucket.nodeName}\n${bucket.metric}`;
      openBySeries.set(key, [...(openBySeries.get(key) ?? []), bucket]);
    }
    const result: StoredBucket[] = [];
    let series: string | undefined;
    const endSeries = () => {
      if (series !== undefined) {
        result.push(...(openBySeries.get(series) ?? []));
        openBySeries.delete(series);
      }
    };
    for (const row of closedRows) {
      const bucket = toBucket(row);
      const key = `${bucket.nodeName}\n${bucket.metric}`;
      if (key !== series) {
        endSeries();
        series = key;
      }
      result.push(bucket);
    }
    endSeries();
    // series that have no folded bucket in the range yet
    for (const buckets of openBySeries.values()) {
      result.push(...buckets);
    }
    return result;
  }

  /**
   * The average of a metric of every node over the minutes from `since`,
   * from the per-minute rollup: closed minutes only, so it lags the latest
   * samples by at most a minute and a collection round.
   */
  async averagesSince(
    metric: MetricName,
    since: number,
  ): Promise<Array<{ stackId: string; nodeName: string; avg: number }>> {
    const rows = await this.db('metric_rollups_1m')
      .where({ metric })
      .andWhere('bucket', '>=', floorTo(since, ROLLUPS['1m']))
      .groupBy(['stack_id', 'node_name'])
      .select('stack_id', 'node_name')
      .sum({ sum: 'sum' })
      .sum({ count: 'count' });
    return rows.map((row: Record<string, string | number>) => ({
      stackId: String(row.stack_id),
      nodeName: String(row.node_name),
      avg: Number(row.sum) / Number(row.count),
    }));
  }

  /**
   * Deletes what is older than `before`, in batches of `batchSize` rows,
   * each its own short statement; returns how many rows went. What a fold
   * still needs stays, whatever `before` says.
   */
  async purge(
    resolution: StoredResolution,
    before: number,
    batchSize = 5000,
  ): Promise<number> {
    const foldedTo = await this.readFoldedTo(this.db);
    let cut = before;
    if (resolution !== '1d') {
      if (foldedTo === undefined) {
        return 0;
      }
      // raw: the minutes folded; 1m: the hours folded; 1h: the days folded
      const needs: Record<StoredResolution, number> = {
        raw: ROLLUPS['1m'],
        '1m': ROLLUPS['1h'],
        '1h': ROLLUPS['1d'],
        '1d': ROLLUPS['1d'],
      };
      cut = Math.min(before, floorTo(foldedTo, needs[resolution]));
    }
    const table = tableOf(resolution);
    const column = resolution === 'raw' ? 'ts' : 'bucket';
    let total = 0;
    for (;;) {
      const deleted = await this.db(table)
        .whereIn(
          'id',
          this.db(table).select('id').where(column, '<', cut).limit(batchSize),
        )
        .delete();
      total += deleted;
      if (deleted < batchSize) {
        return total;
      }
    }
  }

  /** Forgets the latest readings of nodes that are gone. */
  async deleteCounters(nodes: Array<{ stackId: string; nodeName: string }>) {
    for (const chunk of chunks(nodes)) {
      await this.db('metric_counters')
        .whereIn(
          ['stack_id', 'node_name'],
          chunk.map(n => [n.stackId, n.nodeName]),
        )
        .delete();
    }
  }

  private onPostgres() {
    return this.db.client.config.client === 'pg';
  }

  /**
   * How far minutes are folded, undefined before the first fold; `share`
   * holds writers' folds off, `update` other folds and writers, until the
   * transaction ends (PostgreSQL: SQLite runs one transaction at a time).
   */
  private async readFoldedTo(
    db: Knex,
    lock?: 'share' | 'update',
  ): Promise<number | undefined> {
    const query = db('metric_folds').where(FOLDS).first('folded_to');
    if (lock && this.onPostgres()) {
      if (lock === 'share') {
        query.forShare();
      } else {
        query.forUpdate();
      }
    }
    const row = await query;
    return row?.folded_to === null || row?.folded_to === undefined
      ? undefined
      : Number(row.folded_to);
  }

  /**
   * Folds, in one transaction, the minutes from the last fold up to
   * `until` or to the end of the hour the next raw samples fall in, and the
   * hours and days that closes; says whether more is left to fold.
   */
  private async foldStep(until: number): Promise<boolean> {
    return this.db.transaction(async tx => {
      const foldedTo = await this.readFoldedTo(tx, 'update');
      const [{ oldest }] = await tx('metric_samples')
        .modify(query => {
          if (foldedTo !== undefined) {
            query.where('ts', '>=', foldedTo);
          }
        })
        .min({ oldest: 'ts' });
      const next =
        oldest === null ? undefined : floorTo(Number(oldest), ROLLUPS['1m']);
      const from = foldedTo ?? next;
      if (from === undefined || from >= until) {
        return false;
      }
      // nothing raw until the next samples: a gap is folded in one step
      const to =
        next === undefined
          ? until
          : Math.min(until, floorTo(next, FOLD_STEP) + FOLD_STEP);
      if (this.onPostgres()) {
        // A fold groups a minute of every node, tens of thousands of groups:
        // hashed in memory that is several times faster than sorted on the
        // text keys, which the planner picks when the statistics of a table
        // growing every round still count the rows it had.
        await tx.raw("SET LOCAL work_mem = '64MB'");
        await tx.raw('SET LOCAL enable_sort = off');
      }
      for (const rollup of Object.keys(ROLLUPS) as Rollup[]) {
        const size = ROLLUPS[rollup];
        // minutes from `from`; the hours and days those minutes close
        const start = rollup === '1m' ? from : floorTo(from, size);
        const end = floorTo(to, size);
        if (start < end) {
          await this.foldInto(tx, rollup, start, end);
        }
      }
      await tx('metric_folds').where(FOLDS).update({ folded_to: to });
      return to < until;
    });
  }

  /**
   * Computes the buckets of a rollup in `[from, to)` from its source, in
   * place of what they held. On PostgreSQL the buckets travel out and back
   * in by COPY, whose batched inserts take rows at half the cost of an
   * INSERT ... SELECT's one by one: the per-minute fold writes a quarter
   * as many rows as the raw samples, every minute.
   */
  private async foldInto(
    tx: Knex.Transaction,
    rollup: Rollup,
    from: number,
    to: number,
  ) {
    const source = FOLDED_FROM[rollup];
    const size = ROLLUPS[rollup];
    const table = tableOf(rollup);
    const time = source === 'raw' ? 'ts' : 'bucket';
    const aggregates =
      source === 'raw'
        ? 'count(*), sum(value), min(value), max(value)'
        : 'sum("count"), sum("sum"), min("min"), max("max")';
    // COPY takes no parameters: these are whole numbers of ms
    const select = `SELECT stack_id, node_name, metric, ${time} - ${time} % ${size},
        ${aggregates}
      FROM ${tableOf(source)}
      WHERE ${time} >= ${Math.trunc(from)} AND ${time} < ${Math.trunc(to)}
      GROUP BY 1, 2, 3, 4`;
    const columns = `${table} (stack_id, node_name, metric, bucket, "count", "sum", "min", "max")`;
    await tx(table)
      .where('bucket', '>=', from)
      .andWhere('bucket', '<', to)
      .delete();
    if (!this.onPostgres()) {
      await tx.raw(`INSERT INTO ${columns} ${select}`);
      return;
    }
    const connection = await connectionOf(tx);
    const rows: Buffer[] = [];
    for await (const chunk of connection.query(
      copyTo(`COPY (${select}) TO STDOUT`),
    )) {
      rows.push(chunk);
    }
    await pipeline(
      Readable.from(rows),
      connection.query(copyFrom(`COPY ${columns} FROM STDIN`)),
    );
  }

  /**
   * Adds samples that arrived after their period was folded to a rollup:
   * aggregated per bucket here first, since one statement may not update a
   * row twice, then upserted.
   */
  private async addToRollup(
    tx: Knex.Transaction,
    rollup: Rollup,
    samples: MetricSampleInput[],
  ) {
    const size = ROLLUPS[rollup];
    const buckets = new Map<
      string,
      {
        stack_id: string;
        node_name: string;
        metric: string;
        bucket: number;
        count: number;
        sum: number;
        min: number;
        max: number;
      }
    >();
    for (const s of samples) {
      const bucket = Math.floor(s.ts / size) * size;
      const key = JSON.stringify([s.stackId, s.nodeName, s.metric, bucket]);
      const row = buckets.get(key);
      if (row) {
        row.count += 1;
        row.sum += s.value;
        row.min = Math.min(row.min, s.value);
        row.max = Math.max(row.max, s.value);
      } else {
        buckets.set(key, {
          stack_id: s.stackId,
          node_name: s.nodeName,
          metric: s.metric,
          bucket,
          count: 1,
          sum: s.value,
          min: s.value,
          max: s.value,
        });
      }
    }
    const table = tableOf(rollup);
    const [least, greatest] = this.onPostgres()
      ? ['LEAST', 'GREATEST']
      : ['MIN', 'MAX'];
    for (const chunk of chunks([...buckets.values()])) {
      await tx(table)
        .insert(chunk)
        .onConflict(['stack_id', 'node_name', 'metric', 'bucket'])
        .merge({
          count: tx.raw('??.?? + excluded.??', [table, 'count', 'count']),
          sum: tx.raw('??.?? + excluded.??', [table, 'sum', 'sum']),
          min: tx.raw(`${least}(??.??, excluded.??)`, [table, 'min', 'min']),
          max: tx.raw(`${greatest}(??.??, excluded.??)`, [table, 'max', 'max']),
        });
    }
  }
}

function toBucket(row: Record<string, string | number>): StoredBucket {
  return {
    nodeName: String(row.node_name),
    metric: row.metric as MetricName,
    ts: Number(row.bucket),
    count: Number(row.count),
    sum: Number(row.sum),
    min: Number(row.min),
    max: Number(row.max),
  };
}

function toSampleRow(s: MetricSampleInput) {
  return {
    stack_id: s.stackId,
    node_name: s.nodeName,
    metric: s.metric,
    ts: s.ts,
    value: s.value,
  };
}

function toCountersRow(c: NodeCounters): CountersRow {
  return {
    stack_id: c.stackId,
    node_name: c.nodeName,
    ts: c.ts,
    cpu_seconds: c.cpuSeconds,
    memory_bytes: c.memoryBytes,
    disk_bytes: c.diskBytes,
    network_in_bytes: c.networkInBytes,
    network_out_bytes: c.networkOutBytes,
  };
}

function toCounters(row: CountersRow): NodeCounters {
  return {
    stackId: row.stack_id,
    nodeName: row.node_name,
    ts: Number(row.ts),
    cpuSeconds: Number(row.cpu_seconds),
    memoryBytes: Number(row.memory_bytes),
    diskBytes: Number(row.disk_bytes),
    networkInBytes: Number(row.network_in_bytes),
    networkOutBytes: Number(row.network_out_bytes),
  };
}

/** The transaction's own connection, for COPY. */
async function connectionOf(tx: Knex.Transaction) {
  return (await tx.client.acquireConnection()) as {
    query<T extends CopyStreamQuery | CopyToStreamQuery>(stream: T): T;
  };
}

/** What COPY's text format writes for a backslash, tab or line break. */
const COPY_ESCAPES: Record<string, string> = {
  '\\': '\\\\',
  '\t': '\\t',
  '\n': '\\n',
  '\r': '\\r',
};

/** A value in COPY's text format. */
function copyText(value: string) {
  return value.replace(/[\\\t\n\r]/g, c => COPY_ESCAPES[c]);
}

/** Sends samples into the raw table in the transaction, by COPY. */
async function copySamples(tx: Knex.Transaction, samples: MetricSampleInput[]) {
  if (samples.length === 0) {
    return;
  }
  const connection = await connectionOf(tx);
  await pipeline(
    Readable.from(
      (function* lines() {
        for (const chunk of chunks(samples, 1000)) {
          yield chunk
            .map(
              s =>
                `${copyText(s.stackId)}\t${copyText(s.nodeName)}\t${
                  s.metric
                }\t${s.ts}\t${s.value}\n`,
            )
            .join('');
        }
      })(),
    ),
    connection.query(
      copyFrom(
        'COPY metric_samples (stack_id, node_name, metric, ts, value) FROM STDIN',
      ),
    ),
  );
}
