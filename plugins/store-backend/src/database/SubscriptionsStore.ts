import { nextNewestFirst, readNewestFirst } from './newestFirst';
import {
  DatabaseService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import { ConflictError, NotFoundError } from '@backstage/errors';
import { PermissionCriteria } from '@backstage/plugin-permission-common';
import {
  ChargeKind,
  SubscriptionAction,
  SubscriptionStatus,
} from '@internal/plugin-store-common';
import { randomUUID } from 'node:crypto';
import { Knex } from 'knex';
import { SubscriptionPermissionQuery } from '../permissions/subscriptionRules';
import { applyCriteria } from './applyCriteria';
import { isUniqueViolation } from './orderRows';
import {
  StoredSubscription,
  StoredSubscriptionDetails,
  SUBSCRIPTION_CHARGES,
  SUBSCRIPTION_EVENTS,
  SUBSCRIPTION_STACKS,
  SubscriptionChargeRow,
  SubscriptionEventRow,
  SubscriptionRow,
  SUBSCRIPTIONS,
  toSubscription,
  toSubscriptionCharge,
  toSubscriptionEvent,
} from './subscriptionRows';

const migrationsDir = resolvePackagePath(
  '@internal/plugin-store-backend',
  'migrations',
);

/** A charge with its id, settled and ready to be recorded. */
type SettledCharge = NewCharge & { id: string; settlement: ChargeSettlement };

/** A new subscription as the store writes it. */
export type NewSubscription = Omit<
  StoredSubscription,
  'version' | 'createdAt' | 'updatedAt' | 'nextRenewalPrice' | 'endedAt'
>;

/** What a transition changes besides the status. */
export type SubscriptionPatch = Partial<
  Pick<
    StoredSubscription,
    | 'plan'
    | 'currentPeriodStart'
    | 'currentPeriodEnd'
    | 'autoRenew'
    | 'cancelAtPeriodEnd'
    | 'endedAt'
  >
>;

/** A charge or credit to record, in minor units. */
export type NewCharge = {
  kind: ChargeKind;
  description: string;
  /** Signed minor units: negative for credits. */
  amountMinor: number;
  currency: string;
  periodStart: string;
  periodEnd: string;
};

/** How a charge was settled, as the store records it. */
export type ChargeSettlement = {
  method: string;
  reference?: string;
  status?: string;
};

/**
 * Settles a charge before it is recorded; a throw rolls back the whole
 * change, so that nothing unsettled is ever recorded.
 */
export type SettleCharge = (
  charge: NewCharge & { id: string; subscriptionId: string },
) => Promise<ChargeSettlement>;

/** A timeline entry to record. */
export type NewSubscriptionEvent = {
  action: SubscriptionAction;
  actor: string;
  from?: SubscriptionStatus;
  to: SubscriptionStatus;
  comment?: string;
  data?: Record<string, unknown>;
};

/** Filters of a subscription list. */
export type SubscriptionFilter = {
  /** Lower-case group refs. */
  owner?: string[];
  status?: SubscriptionStatus[];
};

/** A permission decision on subscriptions as a filter; undefined allows all. */
export type SubscriptionPermissionFilter =
  | PermissionCriteria<SubscriptionPermissionQuery>
  | undefined;

/** Where a page of subscriptions starts: after this creation time and id. */
export type SubscriptionCursor = { createdAt: string; id: string };

/**
 * Subscriptions, their timeline and their charges; the only SQL about them.
 * Changes are conditional on the version the caller read, and charges are
 * settled inside the transaction that records them.
 *
 * SQLite is the exception: its one connection is the transaction's while
 * it runs, so a payment method that books in the store's own database (as
 * the chargeback module does) would wait for it until it timed out. There,
 * the conditions are checked and the charges settled just before the
 * transaction, and this store's changes run one at a time, so that nothing
 * changes in between.
 */
export class SubscriptionsStore {
  /** The changes on SQLite, one after the other; undefined elsewhere. */
  private queue: Promise<unknown> | undefined;

  private constructor(private readonly db: Knex) {
    if (String(db.client.config.client).includes('sqlite')) {
      this.queue = Promise.resolve();
    }
  }

  static async create(options: {
    database: DatabaseService;
    skipMigrations?: boolean;
  }): Promise<SubscriptionsStore> {
    const db = await options.database.getClient();
    if (!options.database.migrations?.skip && !options.skipMigrations) {
      await db.migrate.latest({ directory: migrationsDir });
    }
    return new SubscriptionsStore(db);
  }

  /**
   * Writes the subscription of an order with its first timeline row and
   * charges, once per order: when the order already has one (another
   * instance created it first), nothing is written or settled and the
   * existing subscription is returned with `created: false`.
   */
  async create(options: {
    subscription: NewSubscription;
    actor: string;
    comment?: string;
    charges?: NewCharge[];
    settle?: SettleCharge;
    now?: Date;
  }): Promise<{ subscription: StoredSubscriptionDetails; created: boolean }> {
    return this.oneAtATime(() => this.createNow(options));
  }

  private async createNow(options: {
    subscription: NewSubscription;
    actor: string;
    comment?: string;
    charges?: NewCharge[];
    settle?: SettleCharge;
    now?: Date;
  }): Promise<{ subscription: StoredSubscriptionDetails; created: boolean }> {
    const { subscription: s } = options;
    const now = options.now ?? new Date();
    const existing = await this.getByOrderId(s.orderId);
    if (existing) {
      return { subscription: existing, created: false };
    }
    const settledFirst = await this.settleBeforeTransaction(s.id, options);
    try {
      await this.db.transaction(async trx => {
        await trx<SubscriptionRow>(SUBSCRIPTIONS).insert({
          id: s.id,
          order_id: s.orderId,
          product_ref: s.productRef,
          product_title: s.productTitle,
          plan_json: JSON.stringify(s.plan),
          status: s.status,
          owner: s.owner.toLocaleLowerCase('en-US'),
          cost_center: s.costCenter ?? null,
          requester: s.requester,
          stacks_json: JSON.stringify(s.stacks),
          anchor: s.anchor,
          started_at: new Date(s.startedAt),
          trial_ends_at: s.trialEndsAt ?? null,
          current_period_start: s.currentPeriodStart,
          current_period_end: s.currentPeriodEnd,
          auto_renew: s.autoRenew,
          cancel_at_period_end: s.cancelAtPeriodEnd,
          ended_at: null,
          version: 1,
          created_at: now,
          updated_at: now,
        });
        if (s.stacks.length) {
          // Usage reported per stack finds its subscription here.
          await trx(SUBSCRIPTION_STACKS)
            .insert(
              s.stacks.map(stackId => ({
                stack_id: stackId,
                subscription_id: s.id,
              })),
            )
            .onConflict('stack_id')
            .ignore();
        }
        await this.insertEvent(
          trx,
          s.id,
          { action: 'create', actor: options.actor, to: s.status },
          options.comment,
          now,
        );
        await this.insertCharges(
          trx,
          settledFirst ?? (await this.settle(s.id, options)),
          s.id,
          now,
        );
      });
    } catch (error) {
      if (isUniqueViolation(error)) {
        const winner = await this.getByOrderId(s.orderId);
        if (winner) {
          return { subscription: winner, created: false };
        }
      }
      throw error;
    }
    return { subscription: (await this.get(s.id))!, created: true };
  }

  /** One subscription, if it exists and the permission filter lets it through. */
  async get(
    id: string,
    permissionFilter?: SubscriptionPermissionFilter,
  ): Promise<StoredSubscriptionDetails | undefined> {
    const query = this.db<SubscriptionRow>(SUBSCRIPTIONS).where({ id });
    this.applyPermission(query, permissionFilter);
    const row = await query.first();
    return row ? this.withDetails(row) : undefined;
  }

  /** The subscription of an order, if it has one. */
  async getByOrderId(
    orderId: string,
  ): Promise<StoredSubscriptionDetails | undefined> {
    const row = await this.db<SubscriptionRow>(SUBSCRIPTIONS)
      .where({ order_id: orderId })
      .first();
    return row ? this.withDetails(row) : undefined;
  }

  /**
   * A page of subscriptions, newest first, following a cursor so that
   * subscriptions created meanwhile neither repeat nor vanish.
   */
  async list(options: {
    filter: SubscriptionFilter;
    permissionFilter?: SubscriptionPermissionFilter;
    limit: number;
    cursor?: SubscriptionCursor;
  }): Promise<{
    items: StoredSubscription[];
    nextCursor?: SubscriptionCursor;
  }> {
    const { filter, cursor, limit } = options;
    const query = this.db<SubscriptionRow>(SUBSCRIPTIONS);
    if (filter.owner) {
      query.whereIn(
        'owner',
        filter.owner.map(o => o.toLocaleLowerCase('en-US')),
      );
    }
    if (filter.status) {
      query.whereIn('status', filter.status);
    }
    this.applyPermission(query, options.permissionFilter);
    const { rows, more } = await readNewestFirst<SubscriptionRow>(query, {
      cursor,
      limit,
    });
    const items = rows.map(toSubscription);
    return { items, nextCursor: nextNewestFirst(items, more) };
  }

  /**
   * A page of the subscriptions in some statuses whose current period ends
   * on or before a day, by end of period then id, for the scheduled
   * lifecycle; uses the index on `current_period_end`. Unless asked for,
   * empty periods (one-time purchases, which never end) are left out.
   */
  async listEndingBy(options: {
    status: SubscriptionStatus[];
    /** An ISO date; periods ending on it or earlier are listed. */
    endingBy: string;
    limit: number;
    after?: { currentPeriodEnd: string; id: string };
    includeEmptyPeriods?: boolean;
  }): Promise<StoredSubscriptionDetails[]> {
    const { after } = options;
    const query = this.db<SubscriptionRow>(SUBSCRIPTIONS)
      .where('current_period_end', '<=', options.endingBy)
      .whereIn('status', options.status);
    if (!options.includeEmptyPeriods) {
      query.whereRaw('?? > ??', ['current_period_end', 'current_period_start']);
    }
    if (after) {
      query.where(inner =>
        inner
          .where('current_period_end', '>', after.currentPeriodEnd)
          .orWhere(same =>
            same
              .where('current_period_end', '=', after.currentPeriodEnd)
              .andWhere('id', '>', after.id),
          ),
      );
    }
    const rows = await query
      .select('*')
      .orderBy([
        { column: 'current_period_end', order: 'asc' },
        { column: 'id', order: 'asc' },
      ])
      .limit(options.limit);
    return Promise.all(rows.map(row => this.withDetails(row)));
  }

  /**
   * Moves a subscription from the version the caller read to a new status
   * with a timeline row and charges, all or nothing. When someone else
   * changed it in between, nothing is written or settled and a
   * ConflictError is thrown; when a charge cannot be settled, nothing is
   * written and the settlement's error is thrown.
   */
  async transition(options: {
    id: string;
    expectedVersion: number;
    event: NewSubscriptionEvent;
    patch?: SubscriptionPatch;
    charges?: NewCharge[];
    settle?: SettleCharge;
    now?: Date;
  }): Promise<StoredSubscriptionDetails> {
    return this.oneAtATime(() => this.transitionNow(options));
  }

  private async transitionNow(options: {
    id: string;
    expectedVersion: number;
    event: NewSubscriptionEvent;
    patch?: SubscriptionPatch;
    charges?: NewCharge[];
    settle?: SettleCharge;
    now?: Date;
  }): Promise<StoredSubscriptionDetails> {
    const now = options.now ?? new Date();
    const { patch = {}, event } = options;
    if (this.queue) {
      // Nothing is settled for a change that would not be recorded.
      await this.assertVersion(options.id, options.expectedVersion);
    }
    const settledFirst = await this.settleBeforeTransaction(
      options.id,
      options,
    );
    await this.db.transaction(async trx => {
      const update: Partial<SubscriptionRow> = {
        status: event.to,
        version: options.expectedVersion + 1,
        updated_at: now,
      };
      if (patch.plan) {
        update.plan_json = JSON.stringify(patch.plan);
      }
      if (patch.currentPeriodStart) {
        update.current_period_start = patch.currentPeriodStart;
      }
      if (patch.currentPeriodEnd) {
        update.current_period_end = patch.currentPeriodEnd;
      }
      if (patch.autoRenew !== undefined) {
        update.auto_renew = patch.autoRenew;
      }
      if (patch.cancelAtPeriodEnd !== undefined) {
        update.cancel_at_period_end = patch.cancelAtPeriodEnd;
      }
      if (patch.endedAt) {
        update.ended_at = new Date(patch.endedAt);
      }
      // The conditional update also locks the row until the charges are
      // settled and recorded, so that a concurrent action waits and then
      // finds the version changed.
      const updated = await trx<SubscriptionRow>(SUBSCRIPTIONS)
        .where({ id: options.id, version: options.expectedVersion })
        .update(update);
      if (updated !== 1) {
        const exists = await trx<SubscriptionRow>(SUBSCRIPTIONS)
          .where({ id: options.id })
          .first('id');
        if (!exists) {
          throw new NotFoundError(`No subscription ${options.id}`);
        }
        throw new ConflictError(
          `Subscription ${options.id} was changed by someone else; reload it and try again`,
        );
      }
      await this.insertEvent(trx, options.id, event, event.comment, now);
      await this.insertCharges(
        trx,
        settledFirst ?? (await this.settle(options.id, options)),
        options.id,
        now,
      );
    });
    return (await this.get(options.id))!;
  }

  /** Throws unless the subscription exists at the expected version. */
  private async assertVersion(id: string, expectedVersion: number) {
    const row = await this.db<SubscriptionRow>(SUBSCRIPTIONS)
      .where({ id })
      .first('version');
    if (!row) {
      throw new NotFoundError(`No subscription ${id}`);
    }
    if (Number(row.version) !== expectedVersion) {
      throw new ConflictError(
        `Subscription ${id} was changed by someone else; reload it and try again`,
      );
    }
  }

  /** Adds a row to a subscription's timeline without changing it. */
  async appendEvent(
    subscriptionId: string,
    event: NewSubscriptionEvent,
    now: Date = new Date(),
  ): Promise<void> {
    await this.insertEvent(this.db, subscriptionId, event, event.comment, now);
  }

  /**
   * Records charges (such as usage) of a subscription, each settled first;
   * charges are never changed or deleted afterwards.
   */
  async addCharges(options: {
    subscriptionId: string;
    charges: NewCharge[];
    settle?: SettleCharge;
    now?: Date;
  }): Promise<void> {
    const now = options.now ?? new Date();
    await this.oneAtATime(async () => {
      const settledFirst = await this.settleBeforeTransaction(
        options.subscriptionId,
        options,
      );
      await this.db.transaction(async trx =>
        this.insertCharges(
          trx,
          settledFirst ?? (await this.settle(options.subscriptionId, options)),
          options.subscriptionId,
          now,
        ),
      );
    });
  }

  /** Runs a change after the ones before it on SQLite, at once elsewhere. */
  private oneAtATime<T>(change: () => Promise<T>): Promise<T> {
    if (!this.queue) {
      return change();
    }
    const result = this.queue.then(change);
    this.queue = result.catch(() => undefined);
    return result;
  }

  /** On SQLite, the charges settled before the transaction starts. */
  private async settleBeforeTransaction(
    subscriptionId: string,
    options: { charges?: NewCharge[]; settle?: SettleCharge },
  ): Promise<SettledCharge[] | undefined> {
    return this.queue ? this.settle(subscriptionId, options) : undefined;
  }

  /** Settles each charge under a new id; the first refusal throws. */
  private async settle(
    subscriptionId: string,
    options: { charges?: NewCharge[]; settle?: SettleCharge },
  ): Promise<SettledCharge[]> {
    const settled: SettledCharge[] = [];
    for (const charge of options.charges ?? []) {
      if (!Number.isSafeInteger(charge.amountMinor)) {
        throw new TypeError(`${charge.amountMinor} is not an integer amount`);
      }
      const id = randomUUID();
      const settlement: ChargeSettlement = options.settle
        ? await options.settle({ ...charge, id, subscriptionId })
        : { method: 'none' };
      settled.push({ ...charge, id, settlement });
    }
    return settled;
  }

  private async insertEvent(
    db: Knex | Knex.Transaction,
    subscriptionId: string,
    event: NewSubscriptionEvent,
    comment: string | undefined,
    now: Date,
  ) {
    await db<SubscriptionEventRow>(SUBSCRIPTION_EVENTS).insert({
      subscription_id: subscriptionId,
      action: event.action,
      from_status: event.from ?? null,
      to_status: event.to,
      actor: event.actor,
      comment: comment ?? null,
      data_json: event.data ? JSON.stringify(event.data) : null,
      created_at: now,
    });
  }

  private async insertCharges(
    trx: Knex.Transaction,
    charges: SettledCharge[],
    subscriptionId: string,
    now: Date,
  ) {
    for (const { id, settlement, ...charge } of charges) {
      await trx<SubscriptionChargeRow>(SUBSCRIPTION_CHARGES).insert({
        id,
        subscription_id: subscriptionId,
        kind: charge.kind,
        description: charge.description,
        amount_minor: charge.amountMinor,
        currency: charge.currency,
        period_start: charge.periodStart,
        period_end: charge.periodEnd,
        payment_method: settlement.method,
        payment_reference: settlement.reference ?? null,
        payment_status: settlement.status ?? null,
        invoice_id: null,
        created_at: now,
      });
    }
  }

  private applyPermission(
    query: Knex.QueryBuilder,
    permissionFilter: SubscriptionPermissionFilter,
  ) {
    if (permissionFilter) {
      query.where(inner =>
        applyCriteria(inner, permissionFilter, (q, condition) => {
          q.whereIn('owner', condition.values);
        }),
      );
    }
  }

  private async withDetails(
    row: SubscriptionRow,
  ): Promise<StoredSubscriptionDetails> {
    const [events, charges] = await Promise.all([
      this.db<SubscriptionEventRow>(SUBSCRIPTION_EVENTS)
        .where({ subscription_id: row.id })
        .orderBy('id', 'asc'),
      this.db<SubscriptionChargeRow>(SUBSCRIPTION_CHARGES)
        .where({ subscription_id: row.id })
        .orderBy([
          { column: 'created_at', order: 'asc' },
          { column: 'id', order: 'asc' },
        ]),
    ]);
    return {
      ...toSubscription(row),
      events: events.map(toSubscriptionEvent),
      charges: charges.map(toSubscriptionCharge),
    };
  }
}
