/*
 * Benchmark of a dashboard's 7-day metrics query: the series of one stack
 * of 10 nodes over the last 7 days, which answers from the per-hour rollup
 * (5 series a node, 168 points each).
 *
 * It loads a week of per-hour rollups of BENCH_STACKS stacks of 10 nodes
 * (default 1,000: 10,000 nodes, 8,400,000 rows; 200 on SQLite) and then,
 * alternating, for a random stack each time:
 *   - MetricsService.series(stackId, { range: '7d' }), what
 *     GET /stacks/:stackId/metrics?range=7d calls;
 *   - the same rows selected by hand from the per-hour rollup.
 * It prints p50 and p95 of both and the ratio of the p50s (target <= 1.5).
 * The week ends on the hour with everything folded: the service reads the
 * per-hour rollup alone (and how far folds went); a range reaching into
 * the open hour would add a query of that hour's minutes.
 *
 * Usage (from the repository root):
 *   yarn bench:metrics-query
 *   BENCH_STACKS=1000 BENCH_ITERATIONS=300 yarn bench:metrics-query
 *   yarn bench:metrics-query --sqlite
 * PostgreSQL at BENCH_PG_CONNECTION (postgresql://postgres@127.0.0.1:5432).
 */
import { ConfigReader } from '@backstage/config';
import { METRIC_NAMES } from '@internal/plugin-cloud-common';
import { Knex } from 'knex';
import { performance } from 'node:perf_hooks';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { AlertStore } from '../../plugins/cloud-backend/src/database/AlertStore';
import { MetricsStore } from '../../plugins/cloud-backend/src/database/MetricsStore';
import { AlertRules } from '../../plugins/cloud-backend/src/service/AlertRules';
import { readMetricsRetention } from '../../plugins/cloud-backend/src/service/MetricsCollector';
import { MetricsService } from '../../plugins/cloud-backend/src/service/MetricsService';
import { ProviderRegistry } from '../../plugins/cloud-backend/src/service/ProviderRegistry';
import { benchDatabase, loadAverage, onSqlite, percentile } from './common';

const STACKS = Number(process.env.BENCH_STACKS ?? (onSqlite ? 200 : 1000));
const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 200);
const WARMUP = 20;
const NODES_PER_STACK = 10;
const HOUR = 3_600_000;
const HOURS = 7 * 24;
/** The end of the week, on the hour, as the service's clock. */
const NOW = Date.UTC(2026, 11, 21);
const FIRST_BUCKET = NOW - HOURS * HOUR;
const TARGET = 1.5;

/** The per-hour rollup rows of one stack, as the collector would leave them. */
function* stackRows(stack: number) {
  for (let node = 0; node < NODES_PER_STACK; node++) {
    for (const metric of METRIC_NAMES) {
      for (let hour = 0; hour < HOURS; hour++) {
        const base = ((stack * 31 + node * 7 + hour) % 100) + 1;
        yield {
          stack_id: `st-${stack}`,
          node_name: `node-${node}`,
          metric,
          bucket: FIRST_BUCKET + hour * HOUR,
          count: 240,
          sum: base * 240,
          min: base / 2,
          max: base * 2,
        };
      }
    }
  }
}

async function load(knex: Knex) {
  if (onSqlite) {
    for (let stack = 0; stack < STACKS; stack++) {
      await knex.transaction(async tx => {
        const rows = [...stackRows(stack)];
        for (let i = 0; i < rows.length; i += 500) {
          await tx('metric_rollups_1h').insert(rows.slice(i, i + 500));
        }
      });
    }
    return;
  }
  const client = (await knex.client.acquireConnection()) as PoolClient;
  try {
    await pipeline(
      Readable.from(
        (function* chunks() {
          for (let stack = 0; stack < STACKS; stack++) {
            let text = '';
            for (const r of stackRows(stack)) {
              text += `${r.stack_id}\t${r.node_name}\t${r.metric}\t${r.bucket}\t${r.count}\t${r.sum}\t${r.min}\t${r.max}\n`;
            }
            yield text;
          }
        })(),
      ),
      client.query(
        copyFrom(
          'COPY metric_rollups_1h (stack_id, node_name, metric, bucket, count, sum, min, max) FROM STDIN',
        ),
      ),
    );
  } finally {
    await knex.client.releaseConnection(client);
  }
  await knex.raw('VACUUM ANALYZE metric_rollups_1h');
}

/** Everything up to the week's end folded, as the collector leaves it. */
async function folded(knex: Knex) {
  await knex('metric_folds').update({ folded_to: NOW });
}

async function main() {
  const { knex, store, close } = await benchDatabase('query');
  try {
    console.log(
      `${STACKS} stacks of ${NODES_PER_STACK} nodes, a week of per-hour rollups (${
        STACKS * NODES_PER_STACK * METRIC_NAMES.length * HOURS
      } rows), on ${onSqlite ? 'SQLite' : 'PostgreSQL'}`,
    );
    const loadStart = performance.now();
    await load(knex);
    await folded(knex);
    console.log(
      `loaded in ${((performance.now() - loadStart) / 1000).toFixed(
        1,
      )} s; load average ${loadAverage()}`,
    );

    const config = new ConfigReader({});
    const service = MetricsService.create({
      store,
      metrics: MetricsStore.create(knex),
      alerts: AlertStore.create(knex),
      rules: AlertRules.fromConfig(config),
      providers: new ProviderRegistry(),
      retention: readMetricsRetention(config),
      now: () => NOW,
    });
    const expected = NODES_PER_STACK * METRIC_NAMES.length * HOURS;

    const viaService = async (stackId: string) => {
      const result = await service.series(stackId, { range: '7d' });
      if (result.resolution !== '1h') {
        throw new Error(`The service chose resolution ${result.resolution}`);
      }
      return result.series.reduce((n, s) => n + s.points.length, 0);
    };
    const direct = async (stackId: string) => {
      const rows = await knex.raw(
        `SELECT node_name, metric, bucket, count, sum, min, max
           FROM metric_rollups_1h
          WHERE stack_id = ? AND bucket >= ? AND bucket < ?
          ORDER BY node_name, metric, bucket`,
        [stackId, NOW - 7 * 24 * HOUR, NOW],
      );
      return (onSqlite ? rows : rows.rows).length;
    };

    const times = { service: [] as number[], direct: [] as number[] };
    for (let i = 0; i < WARMUP + ITERATIONS; i++) {
      const stackId = `st-${Math.floor(Math.random() * STACKS)}`;
      // alternate which goes first, so neither always finds the pages warm
      const order =
        i % 2 === 0
          ? (['service', 'direct'] as const)
          : (['direct', 'service'] as const);
      for (const path of order) {
        const start = performance.now();
        const points = await (path === 'service' ? viaService : direct)(
          stackId,
        );
        const ms = performance.now() - start;
        if (points !== expected) {
          throw new Error(`${path} read ${points} of ${expected} points`);
        }
        if (i >= WARMUP) {
          times[path].push(ms);
        }
      }
    }

    const p50 = { service: 0, direct: 0 };
    for (const path of ['service', 'direct'] as const) {
      const sorted = times[path].sort((a, b) => a - b);
      p50[path] = percentile(sorted, 0.5);
      console.log(
        `${(path === 'service'
          ? 'MetricsService.series 7d'
          : 'direct SQL, per-hour rollup'
        ).padEnd(28)} p50 ${p50[path]
          .toFixed(2)
          .padStart(7)} ms   p95 ${percentile(sorted, 0.95)
          .toFixed(2)
          .padStart(7)} ms`,
      );
    }
    console.log(
      `service / direct (p50): ${(p50.service / p50.direct).toFixed(
        2,
      )} (target <= ${TARGET}); ${ITERATIONS} queries each, ${expected} points each`,
    );
    console.log(`load average: ${loadAverage()}`);
  } finally {
    await close();
  }
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
