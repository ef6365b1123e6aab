import { mockServices } from '@backstage/backend-test-utils';
import knexFactory, { Knex } from 'knex';
import fs from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { CloudStore } from '../../plugins/cloud-backend/src/database/CloudStore';

/** Whether the benchmark runs on SQLite (`--sqlite`) instead of PostgreSQL. */
export const onSqlite = process.argv.includes('--sqlite');

/**
 * A fresh database with the cloud backend's tables, dropped by `close`:
 * PostgreSQL (BENCH_PG_CONNECTION) unless `--sqlite` asks for a file in a
 * temporary directory.
 */
export async function benchDatabase(name: string): Promise<{
  knex: Knex;
  store: CloudStore;
  close: () => Promise<void>;
}> {
  if (onSqlite) {
    const dir = fs.mkdtempSync(join(os.tmpdir(), `metrics-bench-${name}-`));
    const knex = knexFactory({
      client: 'better-sqlite3',
      connection: { filename: join(dir, 'bench.sqlite') },
      useNullAsDefault: true,
    });
    return {
      knex,
      store: await migrated(knex),
      close: async () => {
        await knex.destroy();
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const connection =
    process.env.BENCH_PG_CONNECTION ?? 'postgresql://postgres@127.0.0.1:5432';
  const databaseName = `cloud_bench_${name}_${process.pid}`;
  const admin = knexFactory({ client: 'pg', connection });
  await admin.raw(`CREATE DATABASE ${databaseName}`);
  // The database in the URL itself: pg lets a connection string's (absent)
  // database override a separate `database` option.
  const url = new URL(connection);
  url.pathname = `/${databaseName}`;
  const knex = knexFactory({
    client: 'pg',
    connection: url.toString(),
    pool: { min: 1, max: 5 },
  });
  return {
    knex,
    store: await migrated(knex),
    close: async () => {
      await knex.destroy();
      await admin.raw(`DROP DATABASE ${databaseName}`);
      await admin.destroy();
    },
  };
}

function migrated(knex: Knex) {
  return CloudStore.create(
    mockServices.database({ knex, migrations: { skip: false } }),
  );
}

/** The machine's load averages over 1, 5 and 15 minutes, for the output. */
export function loadAverage(): string {
  return os
    .loadavg()
    .map(l => l.toFixed(2))
    .join(' ');
}

/** The value below which `share` of the sorted values lie. */
export function percentile(sorted: number[], share: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * share))];
}
