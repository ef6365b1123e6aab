import { MetricName } from '@internal/plugin-cloud-common';
import { Knex } from 'knex';

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

/**
 * Metrics of nodes: raw samples, and rollups per minute, hour and day that
 * each write adds its samples to, in the same transaction, so that reads
 * never aggregate raw samples.
 */
export class MetricsStore {
  private constructor(private readonly db: Knex) {}

  /** Over a database that CloudStore has migrated. */
  static create(db: Knex): MetricsStore {
    return new MetricsStore(db);
  }

  /** The latest readings of these nodes, of those that have one. */
  async getCounters(
    nodes: Array<{ stackId: string; nodeName: string }>,
  ): Promise<NodeCounters[]> {
    if (this.db.client.config.client === 'pg') {
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
   * Stores samples with their rollups, and the nodes' latest readings, in
   * one transaction.
   */
  async write(samples: MetricSampleInput[], counters: NodeCounters[]) {
    if (this.db.client.config.client === 'pg') {
      await this.writeOnPostgres(samples, counters);
      return;
    }
    await this.db.transaction(async tx => {
      for (const chunk of chunks(samples)) {
        await tx('metric_samples').insert(chunk.map(toSampleRow));
      }
      for (const rollup of Object.keys(ROLLUPS) as Rollup[]) {
        await this.addToRollup(tx, rollup, samples);
      }
      for (const chunk of chunks(counters)) {
        await tx<CountersRow>('metric_counters')
          .insert(chunk.map(toCountersRow))
          .onConflict(['stack_id', 'node_name'])
          .merge();
      }
    });
  }

  /** The buckets of a stack's nodes in `[from, to)`, oldest first. */
  async readBuckets(options: {
    stackId: string;
    nodeNames?: string[];
    metrics?: MetricName[];
    resolution: StoredResolution;
    from: number;
    to: number;
  }): Promise<StoredBucket[]> {
    const { stackId, nodeNames, metrics, resolution, from, to } = options;
    const raw = resolution === 'raw';
    const query = this.db(tableOf(resolution))
      .where('stack_id', stackId)
      .andWhere(raw ? 'ts' : 'bucket', '>=', from)
      .andWhere(raw ? 'ts' : 'bucket', '<', to)
      .orderBy(['node_name', 'metric', raw ? 'ts' : 'bucket']);
    if (nodeNames) {
      query.whereIn('node_name', nodeNames);
    }
    if (metrics) {
      query.whereIn('metric', metrics);
    }
    const rows = await query.select(
      raw
        ? ['node_name', 'metric', 'ts', 'value']
        : ['node_name', 'metric', 'bucket', 'count', 'sum', 'min', 'max'],
    );
    return rows.map(row =>
      raw
        ? {
            nodeName: row.node_name,
            metric: row.metric,
            ts: Number(row.ts),
            count: 1,
            sum: Number(row.value),
            min: Number(row.value),
            max: Number(row.value),
          }
        : {
            nodeName: row.node_name,
            metric: row.metric,
            ts: Number(row.bucket),
            count: Number(row.count),
            sum: Number(row.sum),
            min: Number(row.min),
            max: Number(row.max),
          },
    );
  }

  /**
   * The average of a metric of every node over the minutes from `since`,
   * from the per-minute rollup.
   */
  async averagesSince(
    metric: MetricName,
    since: number,
  ): Promise<Array<{ stackId: string; nodeName: string; avg: number }>> {
    const rows = await this.db('metric_rollups_1m')
      .where({ metric })
      .andWhere(
        'bucket',
        '>=',
        Math.floor(since / ROLLUPS['1m']) * ROLLUPS['1m'],
      )
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
   * each its own short statement; returns how many rows went.
   */
  async purge(
    resolution: StoredResolution,
    before: number,
    batchSize = 5000,
  ): Promise<number> {
    const table = tableOf(resolution);
    const column = resolution === 'raw' ? 'ts' : 'bucket';
    let total = 0;
    for (;;) {
      const deleted = await this.db(table)
        .whereIn(
          'id',
          this.db(table)
            .select('id')
            .where(column, '<', before)
            .limit(batchSize),
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

  /**
   * The write on PostgreSQL, where a collection round of thousands of nodes
   * must not take longer than the round: one statement that receives the
   * samples once, as JSON, inserts them, aggregates them per bucket of each
   * rollup and upserts the buckets, and upserts the counters. One statement
   * is one transaction.
   */
  private async writeOnPostgres(
    samples: MetricSampleInput[],
    counters: NodeCounters[],
  ) {
    const rollups = (Object.keys(ROLLUPS) as Rollup[]).map(rollup => {
      const size = ROLLUPS[rollup];
      const table = tableOf(rollup);
      return `${table} AS (
        INSERT INTO ${table} AS r
          (stack_id, node_name, metric, bucket, "count", "sum", "min", "max")
        SELECT stack_id, node_name, metric, ts - mod(mod(ts, ${size}) + ${size}, ${size}),
          count(*), sum(value), min(value), max(value)
        FROM samples GROUP BY 1, 2, 3, 4
        ON CONFLICT (stack_id, node_name, metric, bucket) DO UPDATE SET
          "count" = r."count" + excluded."count",
          "sum" = r."sum" + excluded."sum",
          "min" = LEAST(r."min", excluded."min"),
          "max" = GREATEST(r."max", excluded."max")
      )`;
    });
    await this.db.raw(
      `WITH samples AS (
        SELECT * FROM json_to_recordset(?::json) AS s(
          stack_id text, node_name text, metric text, ts bigint, value double precision)
      ), raw AS (
        INSERT INTO metric_samples (stack_id, node_name, metric, ts, value)
        SELECT stack_id, node_name, metric, ts, value FROM samples
      ), ${rollups.join(', ')}
      INSERT INTO metric_counters AS c (stack_id, node_name, ts, cpu_seconds,
        memory_bytes, disk_bytes, network_in_bytes, network_out_bytes)
      SELECT * FROM json_to_recordset(?::json) AS n(stack_id text,
        node_name text, ts bigint, cpu_seconds double precision,
        memory_bytes double precision, disk_bytes double precision,
        network_in_bytes double precision, network_out_bytes double precision)
      ON CONFLICT (stack_id, node_name) DO UPDATE SET
        ts = excluded.ts,
        cpu_seconds = excluded.cpu_seconds,
        memory_bytes = excluded.memory_bytes,
        disk_bytes = excluded.disk_bytes,
        network_in_bytes = excluded.network_in_bytes,
        network_out_bytes = excluded.network_out_bytes`,
      [
        JSON.stringify(samples.map(toSampleRow)),
        JSON.stringify(counters.map(toCountersRow)),
      ],
    );
  }

  /**
   * Adds samples to a rollup: aggregated per bucket here first, since one
   * statement may not update a row twice, then upserted.
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
    const pg = this.db.client.config.client === 'pg';
    const [least, greatest] = pg ? ['LEAST', 'GREATEST'] : ['MIN', 'MAX'];
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
