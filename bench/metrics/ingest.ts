/*
 * Benchmark of metrics ingest: 10,000 nodes reporting 4 metrics (CPU,
 * memory, disk and network, the last as two series, in and out: 5 values a
 * node) every 15 seconds.
 *
 * It measures, in one run on the same database:
 *   - the collector's write path: each round, what MetricsCollector does
 *     with the readings of its nodes (MetricsStore.replaceCounters, which
 *     stores them and returns the previous ones, toSamples, and
 *     MetricsStore.write, which stores the raw samples by COPY) and then
 *     MetricsStore.fold at the round's time, which folds the minutes
 *     (hours, days) that closed into the per-minute (per-hour, per-day)
 *     rollups;
 *   - COPY FROM STDIN (pg-copy-streams) of the same raw rows into the same
 *     raw table, one COPY a round, and nothing else.
 * and prints values per second of both and their ratio (target >= 0.5).
 *
 * A whole day is 5,760 rounds, 288,000,000 values: hours on a 2-core
 * machine. So it runs a slice of the day at the full node count,
 * BENCH_INTERVALS rounds (default 40, ten minutes of the day, a few
 * minutes of running) from five minutes before midnight, so that the rounds
 * close minutes, an hour and a day and the folds are timed with them; both
 * paths start from empty tables and fill them alike, and the ratio is what
 * counts.
 *
 * Usage (from the repository root):
 *   yarn bench:metrics-ingest
 *   BENCH_NODES=10000 BENCH_INTERVALS=40 yarn bench:metrics-ingest
 *   yarn bench:metrics-ingest --sqlite    # multi-row INSERT as the baseline
 * PostgreSQL at BENCH_PG_CONNECTION (postgresql://postgres@127.0.0.1:5432).
 */
import { NodeMetricsSample } from '@internal/plugin-cloud-node';
import { Knex } from 'knex';
import { performance } from 'node:perf_hooks';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import {
  MetricSampleInput,
  MetricsStore,
  NodeCounters,
} from '../../plugins/cloud-backend/src/database/MetricsStore';
import { toSamples } from '../../plugins/cloud-backend/src/service/MetricsCollector';
import { benchDatabase, loadAverage, onSqlite } from './common';

const NODES = Number(process.env.BENCH_NODES ?? 10_000);
const INTERVALS = Number(process.env.BENCH_INTERVALS ?? 40);
const INTERVAL_MS = 15_000;
const NODES_PER_STACK = 10;
/** Five minutes before midnight: the rounds close an hour and a day. */
const START = Date.UTC(2026, 11, 14, 23, 55);
const TARGET = 0.5;

const nodes = Array.from({ length: NODES }, (_, i) => ({
  stackId: `st-${Math.floor(i / NODES_PER_STACK)}`,
  nodeName: `node-${i % NODES_PER_STACK}`,
}));

/** What node `i` reports in round `round`: counters that grow, gauges that move. */
function reading(i: number, round: number): NodeMetricsSample {
  const seconds = (round * INTERVAL_MS) / 1000;
  return {
    ...nodes[i],
    timestamp: START + round * INTERVAL_MS,
    cpuSeconds: seconds * (0.05 + (i % 20) / 20),
    memoryBytes: 200_000_000 + ((i * 7919 + round * 104_729) % 100_000_000),
    diskBytes: 1_000_000_000 + i * 1000 + round * 4096,
    networkInBytes: seconds * 1000 * (1 + (i % 13)),
    networkOutBytes: seconds * 500 * (1 + (i % 7)),
  };
}

function toCounters(r: NodeMetricsSample): NodeCounters {
  return {
    stackId: r.stackId,
    nodeName: r.nodeName,
    ts: r.timestamp,
    cpuSeconds: r.cpuSeconds,
    memoryBytes: r.memoryBytes,
    diskBytes: r.diskBytes,
    networkInBytes: r.networkInBytes,
    networkOutBytes: r.networkOutBytes,
  };
}

/** The samples of a round, as the collector computes them. */
function roundSamples(round: number): MetricSampleInput[] {
  return nodes.flatMap((_, i) =>
    toSamples(reading(i, round), toCounters(reading(i, round - 1))),
  );
}

const TABLES = [
  'metric_samples',
  'metric_rollups_1m',
  'metric_rollups_1h',
  'metric_rollups_1d',
  'metric_counters',
];

async function main() {
  const { knex, close } = await benchDatabase('ingest');
  try {
    const metrics = MetricsStore.create(knex);
    const expected = NODES * 5 * INTERVALS;
    console.log(
      `${NODES} nodes, ${INTERVALS} rounds of ${INTERVAL_MS / 1000} s (${(
        (INTERVALS * INTERVAL_MS) /
        3_600_000
      ).toFixed(2)} h of the day's 24), ${expected} values, on ${
        onSqlite ? 'SQLite' : 'PostgreSQL'
      }`,
    );
    console.log(`load average before: ${loadAverage()}`);

    const measure = async (name: string, run: () => Promise<void>) => {
      for (const table of TABLES) {
        await knex(table).delete();
      }
      await knex('metric_folds').update({ folded_to: null });
      if (!onSqlite) {
        await knex.raw(`VACUUM ANALYZE ${TABLES.join(', ')}`);
        await knex.raw('CHECKPOINT');
      }
      const start = performance.now();
      await run();
      const seconds = (performance.now() - start) / 1000;
      const count = Number(
        (await knex('metric_samples').count({ n: '*' }))[0].n,
      );
      if (count !== expected) {
        throw new Error(`${name} stored ${count} of ${expected} values`);
      }
      const rate = expected / seconds;
      console.log(
        `${name.padEnd(30)} ${seconds.toFixed(1).padStart(7)} s ${String(
          Math.round(rate),
        ).padStart(9)} values/s   load ${loadAverage()}`,
      );
      return rate;
    };

    const baselineName = onSqlite
      ? 'multi-row INSERT, raw table'
      : 'COPY FROM STDIN, raw table';
    const baseline = await measure(baselineName, async () => {
      for (let round = 0; round < INTERVALS; round++) {
        const samples = roundSamples(round);
        if (onSqlite) {
          await insertRaw(knex, samples);
        } else {
          await copyRaw(knex, samples);
        }
      }
    });

    const writePath = await measure('collector write path', async () => {
      // the readings before the first round, so every round has rates
      await metrics.replaceCounters(
        nodes.map((_, i) => toCounters(reading(i, -1))),
      );
      for (let round = 0; round < INTERVALS; round++) {
        const readings = nodes.map((_, i) => reading(i, round));
        const previous = new Map(
          (await metrics.replaceCounters(readings.map(toCounters))).map(c => [
            `${c.stackId}/${c.nodeName}`,
            c,
          ]),
        );
        await metrics.write(
          readings.flatMap(r =>
            toSamples(r, previous.get(`${r.stackId}/${r.nodeName}`)),
          ),
        );
        // what the collector does after each round, at the round's time
        await metrics.fold(readings[0].timestamp);
      }
    });

    console.log(
      `write path / ${onSqlite ? 'INSERT' : 'COPY'}: ${(
        writePath / baseline
      ).toFixed(2)} (target >= ${TARGET})`,
    );
    console.log(`load average after: ${loadAverage()}`);
  } finally {
    await close();
  }
}

/** Copies samples into the raw table as tab-separated text. */
async function copyRaw(knex: Knex, samples: MetricSampleInput[]) {
  const client = (await knex.client.acquireConnection()) as PoolClient;
  try {
    await pipeline(
      Readable.from(
        (function* chunks() {
          for (let i = 0; i < samples.length; i += 1000) {
            yield samples
              .slice(i, i + 1000)
              .map(
                s =>
                  `${s.stackId}\t${s.nodeName}\t${s.metric}\t${s.ts}\t${s.value}\n`,
              )
              .join('');
          }
        })(),
      ),
      client.query(
        copyFrom(
          'COPY metric_samples (stack_id, node_name, metric, ts, value) FROM STDIN',
        ),
      ),
    );
  } finally {
    await knex.client.releaseConnection(client);
  }
}

/** Inserts samples into the raw table, as many rows a statement as SQLite takes. */
async function insertRaw(knex: Knex, samples: MetricSampleInput[]) {
  await knex.transaction(async tx => {
    for (let i = 0; i < samples.length; i += 500) {
      await tx('metric_samples').insert(
        samples.slice(i, i + 500).map(s => ({
          stack_id: s.stackId,
          node_name: s.nodeName,
          metric: s.metric,
          ts: s.ts,
          value: s.value,
        })),
      );
    }
  });
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
