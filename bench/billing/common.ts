import { mockServices } from '@backstage/backend-test-utils';
import knexFactory, { Knex } from 'knex';
import { SubscriptionsStore } from '../../plugins/store-backend/src/database/SubscriptionsStore';

/** A fresh PostgreSQL database with the store's tables, dropped by `close`. */
export async function benchDatabase(name: string): Promise<{
  knex: Knex;
  subscriptions: SubscriptionsStore;
  close: () => Promise<void>;
}> {
  const connection =
    process.env.BENCH_PG_CONNECTION ?? 'postgresql://postgres@127.0.0.1:5432';
  const databaseName = `store_bench_${name}_${process.pid}`;
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
  const database = mockServices.database({
    knex,
    migrations: { skip: false },
  });
  const subscriptions = await SubscriptionsStore.create({ database });
  return {
    knex,
    subscriptions,
    close: async () => {
      await knex.destroy();
      await admin.raw(`DROP DATABASE ${databaseName}`);
      await admin.destroy();
    },
  };
}

async function insertChunks(
  knex: Knex,
  table: string,
  rows: object[],
  size: number,
) {
  for (let i = 0; i < rows.length; i += size) {
    await knex(table).insert(rows.slice(i, i + size));
  }
}

/** Inserts subscriptions with a metered plan, one stack each, in bulk. */
export async function seedSubscriptions(
  knex: Knex,
  count: number,
  accounts: number,
): Promise<string[]> {
  const now = new Date('2026-01-01T00:00:00Z');
  const plan = {
    id: 'metered',
    title: 'Metered',
    price: { amount: '10.00', currency: 'USD', interval: 'month' },
    meteredPrices: [
      {
        dimension: 'node-hours',
        unit: 'hour',
        amount: '0',
        currency: 'USD',
        tiers: [{ upTo: 100, amount: '0.10' }, { amount: '0.05' }],
      },
    ],
  };
  const ids = Array.from({ length: count }, (_, i) => `sub-${i}`);
  const rows = ids.map((id, i) => ({
    id,
    order_id: `order-${i}`,
    product_ref: `product:default/p${i % 20}`,
    product_title: `Product ${i % 20}`,
    plan_json: JSON.stringify(plan),
    status: 'active',
    owner: `group:default/team-${i % accounts}`,
    cost_center: null,
    requester: 'user:default/bench',
    stacks_json: JSON.stringify([`st-${i}`]),
    anchor: '2026-01-01',
    started_at: now,
    trial_ends_at: null,
    current_period_start: '2026-01-01',
    current_period_end: '2026-02-01',
    auto_renew: true,
    cancel_at_period_end: false,
    ended_at: null,
    version: 1,
    created_at: now,
    updated_at: now,
  }));
  await insertChunks(knex, 'store_subscriptions', rows, 1000);
  await insertChunks(
    knex,

    'store_subscription_stacks',
    ids.map((id, i) => ({ stack_id: `st-${i}`, subscription_id: id })),
    5000,
  );
  await insertChunks(
    knex,

    'store_subscription_charges',
    ids.map((id, i) => ({
      id: `charge-${i}`,
      subscription_id: id,
      kind: 'recurring',
      description: 'Metered: 2026-01-01 to 2026-02-01',
      amount_minor: 1000,
      currency: 'USD',
      period_start: '2026-01-01',
      period_end: '2026-02-01',
      payment_method: 'none',
      payment_reference: null,
      payment_status: null,
      invoice_id: null,
      created_at: now,
    })),
    1000,
  );
  return ids;
}

/** The peak resident set size of this process so far, in MiB. */
export function peakRssMiB(): number {
  return Math.round(process.resourceUsage().maxRSS / 1024);
}
