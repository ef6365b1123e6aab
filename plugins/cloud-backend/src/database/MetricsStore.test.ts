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
  StoredResolution,
} from './MetricsStore';

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

const START = Date.UTC(2026, 11, 10);
const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

function sorted(buckets: StoredBucket[]) {
  return [...buckets].sort(
    (a, b) =>
      a.nodeName.localeCompare(b.nodeName) ||
      a.metric.localeCompare(b.metric) ||
      a.ts - b.ts,
  );
}

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

/** The samples of the periods of a rollup wholly before `until`. */
function closedBy(samples: MetricSampleInput[], rollup: Rollup, until: number) {
  const size = ROLLUPS[rollup];
  return samples.filter(s => s.ts - (s.ts % size) + size <= until);
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
    await knex('metric_folds').update({ folded_to: null });
  }

  /** What is stored at a resolution over the three days, sorted. */
  async function read(resolution: StoredResolution, stackId = 's1') {
    const buckets = await store.readBuckets({
      stackId,
      resolution,
      from: START,
      to: START + 3 * DAY,
    });
    // as charts take them: each series together, oldest first
    const series = buckets.map(b => `${b.nodeName}/${b.metric}`);
    buckets.forEach((b, i) => {
      if (i > 0 && series[i] === series[i - 1]) {
        // raw samples may share a time; buckets may not
        expect(b.ts - buckets[i - 1].ts).toBeGreaterThanOrEqual(
          resolution === 'raw' ? 0 : 1,
        );
      } else {
        expect(series.indexOf(series[i])).toBe(i);
      }
    });
    return sorted(buckets);
  }

  it('keeps rollups equal to an aggregation of the raw samples, however they arrive and are folded', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            samples: fc.array(sampleArbitrary, { maxLength: 40 }),
            // a fold after the batch, at a time in the three days, or none
            foldAt: fc.option(
              fc.integer({ min: START, max: START + 3 * DAY }),
              { nil: undefined },
            ),
          }),
          { minLength: 1, maxLength: 5 },
        ),
        async batches => {
          await clear();
          for (const { samples, foldAt } of batches) {
            await store.write(samples);
            if (foldAt !== undefined) {
              await store.fold(foldAt);
            }
          }
          const all = batches.flatMap(b => b.samples);
          expect(await read('raw')).toHaveLength(all.length);
          // once everything closed has been folded, every rollup is exact
          await store.fold(START + 3 * DAY);
          for (const rollup of Object.keys(ROLLUPS) as Rollup[]) {
            expect(await read(rollup)).toEqual(expectedBuckets(all, rollup));
          }
        },
      ),
      { numRuns: 25 },
    );
  }, 120_000);

  it('reads open hours and days from the finer rollups, and the open minute not yet', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: START + DAY, max: START + 2 * DAY }),
        // near the fold, so that its minute, hour and day hold samples
        fc.array(
          fc.record({
            sample: sampleArbitrary,
            before: fc.oneof(
              fc.integer({ min: -MINUTE, max: HOUR }),
              fc.integer({ min: -MINUTE, max: DAY }),
            ),
          }),
          { maxLength: 60 },
        ),
        async (now, drawn) => {
          await clear();
          const samples = drawn.map(d => ({ ...d.sample, ts: now - d.before }));
          await store.write(samples);
          await store.fold(now);
          // every sample of a closed minute counts, in whatever rollup
          const folded = closedBy(samples, '1m', now);
          for (const rollup of Object.keys(ROLLUPS) as Rollup[]) {
            expect(await read(rollup)).toEqual(expectedBuckets(folded, rollup));
          }
        },
      ),
      { numRuns: 25 },
    );
  }, 120_000);

  it('folds each closed period once, however often or late it is asked to', async () => {
    await clear();
    const at = (ms: number, value: number, nodeName = 'a') => ({
      stackId: 's1',
      nodeName,
      metric: 'cpu' as const,
      ts: START + ms,
      value,
    });
    const first = [at(0, 1), at(30_000, 2), at(MINUTE + 1, 4)];
    await store.write(first);
    // two instances, or a retry, fold the same minute
    await store.fold(START + MINUTE + 5_000);
    await store.fold(START + MINUTE + 5_000);
    await Promise.all([
      store.fold(START + MINUTE + 10_000),
      store.fold(START + MINUTE + 10_000),
    ]);
    expect(await read('1m')).toEqual(expectedBuckets(first.slice(0, 2), '1m'));

    // downtime: nothing folded for hours, then samples after the gap
    const later = [at(5 * HOUR + 10, 8), at(5 * HOUR + MINUTE, 16, 'b')];
    await store.write(later);
    await store.fold(START + 5 * HOUR + 2 * MINUTE);
    expect(await read('1m')).toEqual(
      expectedBuckets([...first, ...later], '1m'),
    );
    expect(await read('1h')).toEqual(
      expectedBuckets([...first, ...later], '1h'),
    );

    // a reading delayed past the fold of its minute, hour and day
    await store.fold(START + DAY + HOUR);
    const late = [at(MINUTE + 2, 32), at(2 * MINUTE, 64)];
    await store.write(late);
    await store.fold(START + DAY + HOUR);
    for (const rollup of Object.keys(ROLLUPS) as Rollup[]) {
      expect(await read(rollup)).toEqual(
        expectedBuckets([...first, ...later, ...late], rollup),
      );
    }
  });

  it('reads only the range, nodes and metrics asked for', async () => {
    await clear();
    const at = (minutes: number) => START + minutes * 60_000;
    await store.write([
      { stackId: 's1', nodeName: 'a', metric: 'cpu', ts: at(0), value: 1 },
      { stackId: 's1', nodeName: 'a', metric: 'cpu', ts: at(1), value: 2 },
      { stackId: 's1', nodeName: 'a', metric: 'cpu', ts: at(2), value: 3 },
      { stackId: 's1', nodeName: 'b', metric: 'cpu', ts: at(1), value: 4 },
      { stackId: 's1', nodeName: 'a', metric: 'disk', ts: at(1), value: 5 },
      { stackId: 's2', nodeName: 'a', metric: 'cpu', ts: at(1), value: 6 },
    ]);
    await store.fold(at(3));
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

  it('stores names as given, whatever characters they hold', async () => {
    await clear();
    const nodeName = 'tab\there, back\\slash,\nnew line';
    await store.write([
      { stackId: 's\t1', nodeName, metric: 'disk', ts: START, value: 1.5 },
    ]);
    await store.fold(START + MINUTE);
    expect(await read('raw', 's\t1')).toEqual([
      {
        nodeName,
        metric: 'disk',
        ts: START,
        count: 1,
        sum: 1.5,
        min: 1.5,
        max: 1.5,
      },
    ]);
    expect(await read('1m', 's\t1')).toHaveLength(1);
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
    await store.write(samples);
    const cut = START + 100 * 30_000 + 1;
    // what is not folded yet stays, whatever the cut
    expect(await store.purge('raw', cut, 7)).toBe(0);
    await store.fold(START + 40 * MINUTE);
    expect(await store.purge('raw', cut, 7)).toBe(80);
    expect(await store.purge('1m', START + 50 * MINUTE, 3)).toBe(0);
    await store.fold(START + DAY);
    // batches of 7 rows: many statements, the last one short
    expect(await store.purge('raw', cut, 7)).toBe(21);
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
    expect(await store.replaceCounters([reading])).toEqual([]);
    const next = { ...reading, ts: START + 1000, cpuSeconds: 2.5 };
    expect(
      await store.replaceCounters([
        next,
        { ...reading, nodeName: 'b', ts: START + 1000 },
      ]),
    ).toEqual([reading]);
    expect(
      await store.getCounters([
        { stackId: 's1', nodeName: 'a' },
        { stackId: 's1', nodeName: 'c' },
      ]),
    ).toEqual([next]);
    await store.deleteCounters([
      { stackId: 's1', nodeName: 'a' },
      { stackId: 's1', nodeName: 'b' },
    ]);
    await store.deleteCounters([{ stackId: 's1', nodeName: 'a' }]);
    expect(await store.listCounters('s1')).toEqual([]);
  });
});
