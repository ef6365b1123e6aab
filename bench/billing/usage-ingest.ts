/*
 * Benchmark of usage ingest on PostgreSQL: events per second through the
 * store's ingest path (UsageReports.report, what POST /usage calls, in
 * batches of 1,000) against a raw multi-row INSERT of the same rows and
 * against COPY FROM STDIN (pg-copy-streams). Target: ingest >= 0.6x the
 * multi-row insert.
 *
 * Usage (from the repository root):
 *   yarn bench:usage
 *   BENCH_PG_CONNECTION=postgresql://postgres@127.0.0.1:5432 BENCH_EVENTS=100000 yarn bench:usage
 */
import { mockServices } from '@backstage/backend-test-utils';
import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { from as copyFrom } from 'pg-copy-streams';
import { PoolClient } from 'pg';
import { UsageStore } from '../../plugins/store-backend/src/database/UsageStore';
import { UsageReports } from '../../plugins/store-backend/src/service/UsageReports';
import { benchDatabase, seedSubscriptions } from './common';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 100_000);
const SUBSCRIPTIONS = 1000;
const BATCH = 1000;

async function main() {
  const { knex, close } = await benchDatabase('usage');
  try {
    await seedSubscriptions(knex, SUBSCRIPTIONS, 100);
    const now = new Date('2026-01-20T00:00:00Z');
    const events = Array.from({ length: EVENTS }, (_, i) => ({
      id: `ev-${i}`,
      stackId: `st-${i % SUBSCRIPTIONS}`,
      dimension: 'node-hours',
      quantity: String((i % 7) + 0.25),
      occurredAt: new Date(
        Date.UTC(2026, 0, 1) + (i % 400) * 3_600_000,
      ).toISOString(),
    }));
    const rows = events.map((e, i) => ({
      id: e.id,
      subscription_id: `sub-${i % SUBSCRIPTIONS}`,
      dimension: e.dimension,
      quantity_micro: ((i % 7) + 0.25) * 1_000_000,
      occurred_at: new Date(e.occurredAt),
      period: e.occurredAt.slice(0, 7),
      payload_hash: createHash('sha256').update(e.id).digest('hex'),
      received_at: now,
    }));

    const reports = UsageReports.create({
      store: await UsageStore.create({
        database: mockServices.database({ knex }),
      }),
      permissions: mockServices.permissions(),
      lateEventWindowDays: 3,
      now: () => now,
    });
    const reset = () => knex('store_usage_events').truncate();

    const measure = async (name: string, run: () => Promise<void>) => {
      await reset();
      await knex.raw('VACUUM ANALYZE store_usage_events');
      const start = performance.now();
      await run();
      const seconds = (performance.now() - start) / 1000;
      const count = Number(
        (await knex('store_usage_events').count({ n: '*' }))[0].n,
      );
      if (count !== EVENTS) {
        throw new Error(`${name} stored ${count} of ${EVENTS} events`);
      }
      const rate = EVENTS / seconds;
      console.log(
        `${name.padEnd(22)} ${seconds.toFixed(2)} s  ${Math.round(
          rate,
        )} events/s`,
      );
      return rate;
    };

    const ingest = await measure('ingest (POST /usage)', async () => {
      for (let i = 0; i < events.length; i += BATCH) {
        const result = await reports.report(events.slice(i, i + BATCH));
        if (result.accepted !== Math.min(BATCH, events.length - i)) {
          throw new Error(`Rejected: ${JSON.stringify(result.rejected[0])}`);
        }
      }
    });
    const insert = await measure('multi-row INSERT', async () => {
      for (let i = 0; i < rows.length; i += BATCH) {
        await knex('store_usage_events').insert(rows.slice(i, i + BATCH));
      }
    });
    const copy = await measure('COPY FROM STDIN', async () => {
      const client = (await knex.client.acquireConnection()) as PoolClient;
      try {
        const stream = client.query(
          copyFrom(
            'COPY store_usage_events (id, subscription_id, dimension, quantity_micro, occurred_at, period, payload_hash, received_at) FROM STDIN',
          ),
        );
        await pipeline(
          Readable.from(
            (function* lines() {
              for (const r of rows) {
                yield `${r.id}\t${r.subscription_id}\t${r.dimension}\t${
                  r.quantity_micro
                }\t${r.occurred_at.toISOString()}\t${r.period}\t${
                  r.payload_hash
                }\t${r.received_at.toISOString()}\n`;
              }
            })(),
          ),
          stream,
        );
      } finally {
        await knex.client.releaseConnection(client);
      }
    });
    console.log(
      `ingest / multi-row INSERT: ${(ingest / insert).toFixed(
        2,
      )} (target >= 0.6)`,
    );
    console.log(`ingest / COPY: ${(ingest / copy).toFixed(2)}`);
    console.log(`multi-row INSERT / COPY: ${(insert / copy).toFixed(2)}`);
  } finally {
    await close();
  }
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
