import {
  DatabaseService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import { ConflictError } from '@backstage/errors';
import { Money, toMoney } from '@internal/plugin-store-common';
import { Knex } from 'knex';

const migrationsDir = resolvePackagePath(
  '@internal/plugin-store-backend-module-chargeback',
  'migrations',
);

/*
 * The module shares the store plugin's database, so its migrations keep
 * their own bookkeeping table apart from the store's.
 */
const MIGRATIONS_TABLE = 'chargeback_knex_migrations';
const ENTRIES = 'chargeback_entries';

/** A charge or credit to book, amounts in integer minor units. @public */
export type NewChargebackEntry = {
  chargeId: string;
  subscriptionId: string;
  billingAccount: string;
  costCenter: string;
  /** Minor units of `currency`; negative is a credit. */
  amountMinor: number;
  currency: string;
  description: string;
};

/** A booked charge or credit. @public */
export type ChargebackEntry = NewChargebackEntry & {
  id: number;
  /** The amount as a signed decimal string. */
  amount: Money;
  createdAt: string;
};

/** The sum of a cost centre's entries in one currency. @public */
export type ChargebackTotal = {
  costCenter: string;
  currency: string;
  amountMinor: number;
  amount: Money;
  entries: number;
};

/** A time range, `from` inclusive and `to` exclusive; open where absent. @public */
export type ChargebackPeriod = { from?: Date; to?: Date };

type EntryRow = {
  id: number | string;
  charge_id: string;
  subscription_id: string;
  billing_account: string;
  cost_center: string;
  amount_minor: number | string;
  currency: string;
  description: string;
  created_at: Date | string | number;
};

type TotalRow = Pick<EntryRow, 'cost_center' | 'currency'> & {
  total: number | string;
  entries: number | string;
};

// PostgreSQL returns BIGINT columns and sums as strings.
function toSafeInteger(value: number | string | bigint): number {
  const result = Number(value);
  if (!Number.isSafeInteger(result)) {
    throw new RangeError(`${value} is beyond the safe integers`);
  }
  return result;
}

function toEntry(row: EntryRow): ChargebackEntry {
  const amountMinor = toSafeInteger(row.amount_minor);
  const createdAt =
    row.created_at instanceof Date ? row.created_at : new Date(row.created_at);
  return {
    id: toSafeInteger(row.id),
    chargeId: row.charge_id,
    subscriptionId: row.subscription_id,
    billingAccount: row.billing_account,
    costCenter: row.cost_center,
    amountMinor,
    currency: row.currency,
    amount: toMoney(amountMinor, row.currency),
    description: row.description,
    createdAt: createdAt.toISOString(),
  };
}

/**
 * The chargeback ledger: charges and credits of subscriptions booked to
 * cost centres, each charge once. The only SQL of the module.
 * @public
 */
export class ChargebackLedger {
  private constructor(private readonly db: Knex) {}

  /** Opens the ledger in the store plugin's database, migrating it first. */
  static async create(options: {
    database: DatabaseService;
    skipMigrations?: boolean;
  }): Promise<ChargebackLedger> {
    const db = await options.database.getClient();
    if (!options.database.migrations?.skip && !options.skipMigrations) {
      await db.migrate.latest({
        directory: migrationsDir,
        tableName: MIGRATIONS_TABLE,
      });
    }
    return new ChargebackLedger(db);
  }

  /**
   * Books an entry once per charge id. Booking the same charge again
   * returns the first entry, with `created: false`; a charge id that was
   * booked for another subscription, billing account or amount is a
   * ConflictError. The first entry's cost centre and description stay.
   */
  async record(
    entry: NewChargebackEntry,
    now: Date = new Date(),
  ): Promise<{ entry: ChargebackEntry; created: boolean }> {
    if (!Number.isSafeInteger(entry.amountMinor)) {
      throw new TypeError(`${entry.amountMinor} is not an integer amount`);
    }
    // A retry racing the first attempt lands on the unique charge id.
    const inserted = await this.db<EntryRow>(ENTRIES)
      .insert({
        charge_id: entry.chargeId,
        subscription_id: entry.subscriptionId,
        billing_account: entry.billingAccount,
        cost_center: entry.costCenter,
        amount_minor: entry.amountMinor,
        currency: entry.currency,
        description: entry.description,
        created_at: now,
      })
      .onConflict('charge_id')
      .ignore()
      .returning('id');
    const row = await this.db<EntryRow>(ENTRIES)
      .where({ charge_id: entry.chargeId })
      .first();
    if (!row) {
      throw new Error(`The entry of charge ${entry.chargeId} was not written`);
    }
    const booked = toEntry(row);
    if (
      booked.subscriptionId !== entry.subscriptionId ||
      booked.billingAccount !== entry.billingAccount ||
      booked.amountMinor !== entry.amountMinor ||
      booked.currency !== entry.currency
    ) {
      throw new ConflictError(
        `Charge ${entry.chargeId} was already booked as CB-${booked.id} for ${booked.billingAccount}, subscription ${booked.subscriptionId}, ${booked.amount.amount} ${booked.currency}; it cannot be booked again with other values`,
      );
    }
    return { entry: booked, created: inserted.length > 0 };
  }

  /** The entry of a charge, if it was booked. */
  async getByChargeId(chargeId: string): Promise<ChargebackEntry | undefined> {
    const row = await this.db<EntryRow>(ENTRIES)
      .where({ charge_id: chargeId })
      .first();
    return row ? toEntry(row) : undefined;
  }

  /** The entries of a cost centre in a period, oldest first. */
  async listByCostCenter(
    costCenter: string,
    period: ChargebackPeriod = {},
  ): Promise<ChargebackEntry[]> {
    const query = this.db<EntryRow>(ENTRIES).where({ cost_center: costCenter });
    this.inPeriod(query, period);
    const rows = await query.orderBy([
      { column: 'created_at', order: 'asc' },
      { column: 'id', order: 'asc' },
    ]);
    return rows.map(toEntry);
  }

  /** The totals of each cost centre and currency in a period. */
  async totals(period: ChargebackPeriod = {}): Promise<ChargebackTotal[]> {
    const query = this.db(ENTRIES)
      .select('cost_center', 'currency')
      .sum({ total: 'amount_minor' })
      .count({ entries: '*' })
      .groupBy('cost_center', 'currency')
      .orderBy([
        { column: 'cost_center', order: 'asc' },
        { column: 'currency', order: 'asc' },
      ]);
    this.inPeriod(query, period);
    const rows = (await query) as TotalRow[];
    return rows.map(row => {
      const amountMinor = toSafeInteger(row.total);
      return {
        costCenter: row.cost_center,
        currency: row.currency,
        amountMinor,
        amount: toMoney(amountMinor, row.currency),
        entries: toSafeInteger(row.entries),
      };
    });
  }

  private inPeriod(query: Knex.QueryBuilder, period: ChargebackPeriod) {
    if (period.from) {
      query.where('created_at', '>=', period.from);
    }
    if (period.to) {
      query.where('created_at', '<', period.to);
    }
  }
}
