import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { MetricName } from '@internal/plugin-cloud-common';
import fc from 'fast-check';
import { Knex } from 'knex';
import { CloudStore } from './CloudStore';
import {
  MetricSampleInput,
  MetricsStore,
  Rollup,
  ROLLUPS,
  StoredBucket,
} from './MetricsStore';

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

const START = Date.UTC(2026, 11, 10);
const DAY = 86_400_000;

/** The buckets of a rollup, computed from the samples on their own. */
function expectedBuckets(samples: MetricSampleInput[], rollup: Rollup) {
  const size = ROLLUPS[rollup];
  const groups = new Map<string, MetricSampleInput[]>();
  for (const s of samples) {
    const bucket = s.ts - (s.ts % size);
    const key = `${s.nodeName}|${s.metric}|${bucket}`;
    groups.set(key, [...(groups.get(key) ?? []), s]);
  }
  return [...groups.entries()]
    .map(([key, group]): StoredBucket => {
      const [nodeName, metric, bucket] = key.split('|');
      const values = group.map(s => s.value);
      return {
        nodeName,
        metric: metric as MetricName,
        ts: Number(bucket),
        count: values.length,
        sum: values.reduce((a, b) => a + b, 0),
        min: Math.min(...values),
        max: Math.max(...values),
      };
    })
    .sort(
      (a, b) =>
        a.nodeName.localeCompare(b.nodeName) ||
        a.metric.localeCompare(b.metric) ||
        a.ts - b.ts,
    );
}

const sampleArbitrary = fc.record({
  stackId: fc.constant('s1'),
  nodeName: fc.constantFrom('app-1', 'app-2', 'db-1'),
  metric: fc.constantFrom<MetricName>('cpu', 'memory'),
  // three days, so that buckets of every resolution fill and spill over
  ts: fc.integer({ min: START, max: START + 3 * DAY - 1 }),
  // integers, so that sums are exact whatever their order
  value: fc.integer({ min: 0, max: 2 ** 40 }),
});

describe.each(databases.eachSupportedId())('MetricsStore on %s', databaseId => {
  let knex: Knex;
  let store: MetricsStore;

  beforeAll(async () => {
    knex = await databases.init(databaseId);
    await CloudStore.create(
      mockServices.database({ knex, migrations: { skip: false } }),
    );
    store = MetricsStore.create(knex);
  }, 60_000);

  async function clear() {
    for (const table of [
      'metric_samples',
      'metric_rollups_1m',
      'metric_rollups_1h',
      'metric_rollups_1d',
      'metric_counters',
    ]) {
      await knex(table).delete();
    }
  }

  it('keeps rollups equal to an aggregation of the raw samples, however they arrive', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(sampleArbitrary, { maxLength: 40 }), {
          minLength: 1,
          maxLength: 5,
        }),
        async batches => {
          await clear();
          for (const batch of batches) {
            await store.write(batch, []);
          }
          const all = batches.flat();
          const range = { stackId: 's1', from: START, to: START + 3 * DAY };
          const raw = await store.readBuckets({ ...range, resolution: 'raw' });
          expect(raw).toHaveLength(all.length);
          for (const rollup of Object.keys(ROLLUPS) as Rollup[]) {
            expect(
              await store.readBuckets({ ...range, resolution: rollup }),
            ).toEqual(expectedBuckets(all, rollup));
          }
        },
      ),
      { numRuns: 25 },
    );
  }, 120_000);

  it('reads only the range, nodes and metrics asked for', async () => {
    await clear();
    const at = (minutes: number) => START + minutes * 60_000;
    await store.write(
      [
        { stackId: 's1', nodeName: 'a', metric: 'cpu', ts: at(0), value: 1 },
        { stackId: 's1', nodeName: 'a', metric: 'cpu', ts: at(1), value: 2 },
        { stackId: 's1', nodeName: 'a', metric: 'cpu', ts: at(2), value: 3 },
        { stackId: 's1', nodeName: 'b', metric: 'cpu', ts: at(1), value: 4 },
        { stackId: 's1', nodeName: 'a', metric: 'disk', ts: at(1), value: 5 },
        { stackId: 's2', nodeName: 'a', metric: 'cpu', ts: at(1), value: 6 },
      ],
      [],
    );
    const buckets = await store.readBuckets({
      stackId: 's1',
      nodeNames: ['a'],
      metrics: ['cpu'],
      resolution: '1m',
      from: at(1),
      to: at(2),
    });
    expect(buckets).toEqual([
      {
        nodeName: 'a',
        metric: 'cpu',
        ts: at(1),
        count: 1,
        sum: 2,
        min: 2,
        max: 2,
      },
    ]);
  });

  it('purges exactly what is older than the cut, in batches', async () => {
    await clear();
    const samples: MetricSampleInput[] = [];
    for (let i = 0; i < 250; i++) {
      samples.push({
        stackId: 's1',
        nodeName: `n-${i % 5}`,
        metric: 'memory',
        ts: START + i * 30_000,
        value: i,
      });
    }
    await store.write(samples, []);
    const cut = START + 100 * 30_000 + 1;
    // batches of 7 rows: many statements, the last one short
    expect(await store.purge('raw', cut, 7)).toBe(101);
    const left = await store.readBuckets({
      stackId: 's1',
      resolution: 'raw',
      from: 0,
      to: START + DAY,
    });
    expect(left.map(b => b.sum).sort((a, b) => a - b)).toEqual(
      samples.slice(101).map(s => s.value),
    );
    // minutes wholly before the cut go; the one it falls in stays
    const minutesBefore = await store.readBuckets({
      stackId: 's1',
      resolution: '1m',
      from: 0,
      to: START + 50 * 60_000,
    });
    expect(await store.purge('1m', START + 50 * 60_000, 3)).toBe(
      minutesBefore.length,
    );
    const minutesLeft = await store.readBuckets({
      stackId: 's1',
      resolution: '1m',
      from: 0,
      to: START + DAY,
    });
    expect(minutesLeft.every(b => b.ts >= START + 50 * 60_000)).toBe(true);
    expect(minutesLeft.length).toBeGreaterThan(0);
    expect(await store.purge('1d', START, 3)).toBe(0);
  });

  it('keeps the latest reading of each node', async () => {
    await clear();
    const reading = {
      stackId: 's1',
      nodeName: 'a',
      ts: START,
      cpuSeconds: 1.5,
      memoryBytes: 100,
      diskBytes: 200,
      networkInBytes: 300,
      networkOutBytes: 400,
    };
    await store.write([], [reading]);
    await store.write([], [{ ...reading, ts: START + 1000, cpuSeconds: 2.5 }]);
    expect(
      await store.getCounters([
        { stackId: 's1', nodeName: 'a' },
        { stackId: 's1', nodeName: 'b' },
      ]),
    ).toEqual([{ ...reading, ts: START + 1000, cpuSeconds: 2.5 }]);
    await store.deleteCounters([{ stackId: 's1', nodeName: 'a' }]);
    expect(await store.listCounters('s1')).toEqual([]);
  });
});
