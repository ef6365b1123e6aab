import { DatabaseService } from '@backstage/backend-plugin-api';
import { MeteredPrice, SubscriptionPlan } from '@internal/plugin-store-common';
import { Knex } from 'knex';
import { insertRows } from './insertRows';
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

type SubscriptionRow = { id: string; status: string; plan_json: string };

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

// SQLite refuses statements with more than 32766 bound values.
const IDS_PER_QUERY = 10000;

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

  /**
   * The status and metered prices of the subscriptions of stacks, by stack
   * id, and of subscriptions, by id: one query for each kind of reference.
   */
  async meteredSubscriptions(options: {
    stackIds: string[];
    ids: string[];
  }): Promise<{
    ofStacks: Map<string, MeteredSubscription>;
    byId: Map<string, MeteredSubscription>;
  }> {
    // Subscriptions share a few plans: each is parsed once.
    const plans = new Map<string, MeteredPrice[]>();
    const toSubscription = (row: SubscriptionRow): MeteredSubscription => {
      let meteredPrices = plans.get(row.plan_json);
      if (!meteredPrices) {
        const plan = JSON.parse(row.plan_json) as SubscriptionPlan;
        meteredPrices = plan.meteredPrices ?? [];
        plans.set(row.plan_json, meteredPrices);
      }
      return { id: row.id, status: row.status, meteredPrices };
    };
    const [ofStacks, byId] = await Promise.all([
      options.stackIds.length
        ? this.db(`${SUBSCRIPTION_STACKS} as st`)
            .join(`${SUBSCRIPTIONS} as s`, 's.id', 'st.subscription_id')
            .whereIn('st.stack_id', options.stackIds)
            .select<Array<SubscriptionRow & { stack_id: string }>>(
              'st.stack_id',
              's.id',
              's.status',
              's.plan_json',
            )
        : [],
      options.ids.length
        ? this.db<SubscriptionRow>(SUBSCRIPTIONS)
            .whereIn('id', options.ids)
            .select('id', 'status', 'plan_json')
        : [],
    ]);
    return {
      ofStacks: new Map(ofStacks.map(r => [r.stack_id, toSubscription(r)])),
      byId: new Map(byId.map(r => [r.id, toSubscription(r)])),
    };
  }

  /**
   * Stores new events and skips ids already stored. Returns the ids that
   * were new, and the stored payload hash of each id that was not.
   */
  async insert(
    events: NewUsageEvent[],
    now: Date,
  ): Promise<{ inserted: Set<string>; existing: Map<string, string> }> {
    const rows: UsageEventRow[] = events.map(e => ({
      id: e.id,
      subscription_id: e.subscriptionId,
      dimension: e.dimension,
      quantity_micro: e.quantityMicro,
      occurred_at: e.occurredAt,
      period: e.period,
      payload_hash: e.payloadHash,
      received_at: now,
    }));
    const inserted = new Set(
      await insertRows(this.db, USAGE_EVENTS, rows, { skipConflictsOn: 'id' }),
    );
    const skipped = events.map(e => e.id).filter(id => !inserted.has(id));
    const existing = new Map<string, string>();
    for (let i = 0; i < skipped.length; i += IDS_PER_QUERY) {
      const stored = await this.db<UsageEventRow>(USAGE_EVENTS)
        .whereIn('id', skipped.slice(i, i + IDS_PER_QUERY))
        .select('id', 'payload_hash');
      for (const row of stored) {
        existing.set(row.id, row.payload_hash);
      }
    }
    return { inserted, existing };
  }
}
