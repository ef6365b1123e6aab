import { DatabaseService } from '@backstage/backend-plugin-api';
import { MeteredPrice, SubscriptionPlan } from '@internal/plugin-store-common';
import { Knex } from 'knex';
import { SUBSCRIPTION_STACKS, SUBSCRIPTIONS } from './subscriptionRows';

export const USAGE_EVENTS = 'store_usage_events';

/** A row of the usage table. */
export type UsageEventRow = {
  id: string;
  subscription_id: string;
  dimension: string;
  quantity_micro: number | string;
  occurred_at: Date | string;
  period: string;
  payload_hash: string;
  received_at: Date | string;
};

/** A usage event checked and resolved to its subscription, ready to store. */
export type NewUsageEvent = {
  id: string;
  subscriptionId: string;
  dimension: string;
  quantityMicro: number;
  occurredAt: Date;
  /** `YYYY-MM` of `occurredAt`. */
  period: string;
  /** Tells a duplicate from another event under the same id. */
  payloadHash: string;
};

/** What the store knows of a subscription that reports usage. */
export type MeteredSubscription = {
  id: string;
  status: string;
  meteredPrices: MeteredPrice[];
};

// SQLite refuses statements with more than 32766 bound values; 8 per row.
const ROWS_PER_INSERT = 4000;

/**
 * Usage events of subscriptions; the only SQL about them. Each event id is
 * stored once: a batch is one multi-row insert that skips known ids, and
 * only the ids that were skipped are read back to compare their content.
 */
export class UsageStore {
  private constructor(private readonly db: Knex) {}

  /** A usage store on the store's database; the subscriptions store migrates it. */
  static async create(options: {
    database: DatabaseService;
  }): Promise<UsageStore> {
    return new UsageStore(await options.database.getClient());
  }

  /** The subscriptions of stacks, by stack id. */
  async subscriptionsOfStacks(
    stackIds: string[],
  ): Promise<Map<string, string>> {
    if (!stackIds.length) {
      return new Map();
    }
    const rows = await this.db<{ stack_id: string; subscription_id: string }>(
      SUBSCRIPTION_STACKS,
    ).whereIn('stack_id', stackIds);
    return new Map(rows.map(r => [r.stack_id, r.subscription_id]));
  }

  /** The status and metered prices of subscriptions, by id. */
  async meteredSubscriptions(
    ids: string[],
  ): Promise<Map<string, MeteredSubscription>> {
    if (!ids.length) {
      return new Map();
    }
    const rows = await this.db<{
      id: string;
      status: string;
      plan_json: string;
    }>(SUBSCRIPTIONS)
      .whereIn('id', ids)
      .select('id', 'status', 'plan_json');
    return new Map(
      rows.map(row => {
        const plan = JSON.parse(row.plan_json) as SubscriptionPlan;
        return [
          row.id,
          {
            id: row.id,
            status: row.status,
            meteredPrices: plan.meteredPrices ?? [],
          },
        ];
      }),
    );
  }

  /**
   * Stores new events and skips ids already stored. Returns the ids that
   * were new, and the stored payload hash of each id that was not.
   */
  async insert(
    events: NewUsageEvent[],
    now: Date,
  ): Promise<{ inserted: Set<string>; existing: Map<string, string> }> {
    const inserted = new Set<string>();
    for (let i = 0; i < events.length; i += ROWS_PER_INSERT) {
      const rows: UsageEventRow[] = events
        .slice(i, i + ROWS_PER_INSERT)
        .map(e => ({
          id: e.id,
          subscription_id: e.subscriptionId,
          dimension: e.dimension,
          quantity_micro: e.quantityMicro,
          occurred_at: e.occurredAt,
          period: e.period,
          payload_hash: e.payloadHash,
          received_at: now,
        }));
      const returned = (await this.db<UsageEventRow>(USAGE_EVENTS)
        .insert(rows)
        .onConflict('id')
        .ignore()
        .returning('id')) as Array<{ id: string } | string>;
      for (const row of returned) {
        inserted.add(typeof row === 'string' ? row : row.id);
      }
    }
    const skipped = events.map(e => e.id).filter(id => !inserted.has(id));
    const existing = new Map<string, string>();
    for (let i = 0; i < skipped.length; i += ROWS_PER_INSERT) {
      const rows = await this.db<UsageEventRow>(USAGE_EVENTS)
        .whereIn('id', skipped.slice(i, i + ROWS_PER_INSERT))
        .select('id', 'payload_hash');
      for (const row of rows) {
        existing.set(row.id, row.payload_hash);
      }
    }
    return { inserted, existing };
  }
}
