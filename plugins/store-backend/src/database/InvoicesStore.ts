import { DatabaseService } from '@backstage/backend-plugin-api';
import { InputError, NotFoundError } from '@backstage/errors';
import {
  CostGrouping,
  InvoiceLineKind,
  SubscriptionPlan,
} from '@internal/plugin-store-common';
import { randomUUID } from 'node:crypto';
import { Knex } from 'knex';
import { SubscriptionPermissionFilter } from './SubscriptionsStore';
import { applyCriteria } from './applyCriteria';
import { insertRows } from './insertRows';
import { isUniqueViolation, toDate } from './orderRows';
import { SUBSCRIPTION_CHARGES, SUBSCRIPTIONS } from './subscriptionRows';
import { USAGE_EVENTS } from './UsageStore';

const INVOICES = 'store_invoices';
const INVOICE_LINES = 'store_invoice_lines';
const CREDIT_NOTES = 'store_credit_notes';
const COUNTERS = 'store_billing_counters';

/** Another run invoiced some of the charges first; nothing was written. */
export class InvoiceRaceError extends Error {
  constructor() {
    super('Another invoice run invoiced some of the charges first');
    this.name = 'InvoiceRaceError';
  }
}

/** A line of an invoice as the store keeps it; money in minor units. */
export type StoredInvoiceLine = {
  id: string;
  kind: InvoiceLineKind;
  description: string;
  subscriptionId: string;
  productRef: string;
  productTitle: string;
  dimension?: string;
  quantityMicro?: number;
  chargeId?: string;
  amountMinor: number;
  currency: string;
};

/** An issued invoice as the store keeps it. */
export type StoredInvoice = {
  id: string;
  number: string;
  account: string;
  /** The account's cost centre when the invoice was issued, if it had one. */
  costCenter?: string;
  period: string;
  currency: string;
  totalMinor: number;
  creditedMinor: number;
  status: 'issued';
  issuedAt: string;
};

/** A credit note as the store keeps it. */
export type StoredCreditNote = {
  id: string;
  number: string;
  invoiceId: string;
  reason: string;
  lines: Array<{ description: string; amountMinor: number }>;
  totalMinor: number;
  currency: string;
  createdBy: string;
  createdAt: string;
};

/** The usage of a subscription in a dimension over a period, summed in SQL. */
export type UsageTotal = {
  subscriptionId: string;
  account: string;
  productRef: string;
  productTitle: string;
  plan: SubscriptionPlan;
  dimension: string;
  quantityMicro: bigint;
};

/** An uninvoiced charge with what its invoice line needs. */
type OpenChargeRow = {
  id: string;
  subscription_id: string;
  kind: string;
  description: string;
  amount_minor: number | string;
  currency: string;
  owner: string;
  product_ref: string;
  product_title: string;
};

/** An invoice line to issue, with the billing account it bills. */
export type NewInvoiceLine = Omit<StoredInvoiceLine, 'id'> & {
  account: string;
};

/** An invoice run of a period: what the store needs besides its rows. */
export type InvoiceRun = {
  period: string;
  /** Charges made before this are invoiced: the end of the period. */
  before: Date;
  /** When the invoices are issued; their numbers are of its year. */
  now: Date;
  /** The invoice line of a usage total; none to leave the usage out. */
  rate(total: UsageTotal): NewInvoiceLine | undefined;
  /**
   * The cost centres of billing accounts as they are at issue time, frozen
   * on their invoices; accounts without one are left out.
   */
  costCentersOf(accounts: string[]): Promise<Map<string, string>>;
};

type InvoiceRow = {
  id: string;
  number: string;
  account: string;
  cost_center: string | null;
  period: string;
  currency: string;
  total_minor: number | string;
  status: string;
  issued_at: Date | string;
};

type InvoiceLineRow = {
  id: string;
  invoice_id: string;
  position: number;
  kind: string;
  description: string;
  subscription_id: string;
  product_ref: string;
  product_title: string;
  dimension: string | null;
  quantity_micro: number | string | null;
  charge_id: string | null;
  amount_minor: number | string;
  currency: string;
};

type CreditNoteRow = {
  id: string;
  number: string;
  invoice_id: string;
  reason: string;
  lines_json: string;
  total_minor: number | string;
  currency: string;
  created_by: string;
  created_at: Date | string;
};

/** The invoice of an account in a currency, while its lines are written. */
type InvoiceDraft = {
  id: string;
  account: string;
  currency: string;
  lineCount: number;
  totalMinor: number;
};

/**
 * The invoices a run is writing, one per account and currency, made as
 * their first line comes; those issued already for the period get no lines.
 */
class InvoiceDrafts {
  private readonly drafts = new Map<string, InvoiceDraft>();
  private readonly issued: Set<string>;

  constructor(
    private readonly period: string,
    issued: Array<{ account: string; currency: string }>,
  ) {
    this.issued = new Set(issued.map(i => draftKey(i.account, i.currency)));
  }

  /** The rows of lines, on the invoices of their accounts; lines of invoiced accounts are left out. */
  add(lines: NewInvoiceLine[]): InvoiceLineRow[] {
    const rows: InvoiceLineRow[] = [];
    for (const line of lines) {
      const key = draftKey(line.account, line.currency);
      if (this.issued.has(key)) {
        continue;
      }
      let draft = this.drafts.get(key);
      if (!draft) {
        draft = {
          id: randomUUID(),
          account: line.account,
          currency: line.currency,
          lineCount: 0,
          totalMinor: 0,
        };
        this.drafts.set(key, draft);
      }
      rows.push(lineRowOf(draft.id, draft.lineCount, line));
      draft.lineCount += 1;
      draft.totalMinor += line.amountMinor;
      if (!Number.isSafeInteger(draft.totalMinor)) {
        throw new RangeError(
          `The invoice total ${draft.totalMinor} is too large`,
        );
      }
    }
    return rows;
  }

  /**
   * The draft of an account's invoice in a currency, for lines the database
   * writes itself: the first `lineCount` positions and their total. None
   * when the account has its invoice already.
   */
  reserve(
    account: string,
    currency: string,
    lineCount: number,
    totalMinor: number,
  ): InvoiceDraft | undefined {
    const key = draftKey(account, currency);
    if (this.issued.has(key)) {
      return undefined;
    }
    if (!Number.isSafeInteger(totalMinor)) {
      throw new RangeError(`The invoice total ${totalMinor} is too large`);
    }
    const draft = {
      id: randomUUID(),
      account,
      currency,
      lineCount,
      totalMinor,
    };
    this.drafts.set(key, draft);
    return draft;
  }

  ids(): string[] {
    return [...this.drafts.values()].map(d => d.id);
  }

  accounts(): string[] {
    return [...new Set([...this.drafts.values()].map(d => d.account))];
  }

  /** The invoice rows, numbered after the counter in the order of account and currency. */
  toRows(
    counter: { name: string; value: number },
    now: Date,
    costCenters: Map<string, string>,
  ): InvoiceRow[] {
    return [...this.drafts.entries()]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([, draft], i) => ({
        id: draft.id,
        number: formatNumber(counter.name, counter.value + 1 + i),
        account: draft.account,
        cost_center: costCenters.get(draft.account) ?? null,
        period: this.period,
        currency: draft.currency,
        total_minor: draft.totalMinor,
        status: 'issued',
        issued_at: now,
      }));
  }
}

function draftKey(account: string, currency: string) {
  return JSON.stringify([account, currency]);
}

/**
 * Invoices, their lines and credit notes; the only SQL about them. Invoices
 * are only ever inserted: this class has no method that changes or deletes
 * one, and the database refuses such statements (see the migration).
 * Document numbers come from a counter row locked in the transaction that
 * writes the document, so that they are sequential without gaps.
 */
export class InvoicesStore {
  private constructor(private readonly db: Knex) {}

  /** An invoice store on the store's database; the subscriptions store migrates it. */
  static async create(options: {
    database: DatabaseService;
  }): Promise<InvoicesStore> {
    return new InvoicesStore(await options.database.getClient());
  }

  /**
   * Issues the invoices of a period, one per billing account and currency,
   * with the next numbers of the year of `now` in the order of account and
   * currency, all in one transaction: the charges not invoiced yet that
   * were made before the period ended, then the period's usage as `rate`
   * prices it. Accounts invoiced for the period in a currency already are
   * left out, so running a period again issues nothing. Throws an
   * `InvoiceRaceError`, having written nothing, when some of the charges
   * were invoiced meanwhile.
   *
   * The usage is summed by the database while the transaction writes the
   * charge lines: on PostgreSQL on a connection of its own, so that the
   * run takes little longer than the sum itself. SQLite has one
   * connection; there the sum comes first.
   */
  async issue(run: InvoiceRun): Promise<StoredInvoice[]> {
    // Rated as it comes, while the transaction waits for the database.
    const usage = this.usageTotals(run.period).then(totals =>
      totals.flatMap(total => run.rate(total) ?? []),
    );
    // Awaited in the transaction, or not at all when it fails first.
    usage.catch(() => undefined);
    if (this.db.client.config.client !== 'pg') {
      await usage;
    }
    try {
      return await this.db.transaction(async trx => {
        // The counter is locked before looking for invoices issued already,
        // so that runs take turns and each sees what the one before issued.
        const counter = await this.lockCounter(trx, 'INV', run.now);
        const drafts = new InvoiceDrafts(
          run.period,
          await trx<InvoiceRow>(INVOICES)
            .where({ period: run.period })
            .select('account', 'currency'),
        );
        await this.invoiceCharges(trx, drafts, run.before);
        const usageLines = drafts.add(await usage);
        await insertRows(trx, INVOICE_LINES, usageLines);
        const invoices = drafts.toRows(
          counter,
          run.now,
          await run.costCentersOf(drafts.accounts()),
        );
        if (!invoices.length) {
          return [];
        }
        await trx(COUNTERS)
          .where({ name: counter.name })
          .update({ value: counter.value + invoices.length });
        await insertRows(trx, INVOICES, invoices);
        return invoices.map(row => toInvoice(row, 0));
      });
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new InvoiceRaceError();
      }
      throw error;
    }
  }

  /**
   * The usage of a period per subscription and dimension, summed by the
   * database: memory grows with subscriptions, not with events.
   */
  private async usageTotals(period: string): Promise<UsageTotal[]> {
    const sums = this.db(USAGE_EVENTS)
      .where({ period })
      .groupBy('subscription_id', 'dimension')
      .select('subscription_id', 'dimension')
      .sum({ quantity_micro: 'quantity_micro' })
      .as('u');
    const rows = await this.db
      .from(sums)
      .join(`${SUBSCRIPTIONS} as s`, 's.id', 'u.subscription_id')
      .select(
        'u.subscription_id',
        'u.dimension',
        'u.quantity_micro',
        's.owner',
        's.product_ref',
        's.product_title',
        's.plan_json',
      )
      .orderBy(['u.subscription_id', 'u.dimension']);
    // Subscriptions share a few plans: each is parsed once.
    const plans = new Map<string, SubscriptionPlan>();
    const planOf = (json: string) => {
      let plan = plans.get(json);
      if (!plan) {
        plan = JSON.parse(json) as SubscriptionPlan;
        plans.set(json, plan);
      }
      return plan;
    };
    return rows.map(row => ({
      subscriptionId: row.subscription_id,
      account: row.owner,
      productRef: row.product_ref,
      productTitle: row.product_title,
      plan: planOf(row.plan_json),
      dimension: row.dimension,
      quantityMicro: BigInt(String(row.quantity_micro)),
    }));
  }

  /**
   * Puts the charges not invoiced yet that were made before `before` on the
   * drafts of their accounts, first on each, in the order they were made,
   * and gives each charge the invoice of its line. An `InvoiceRaceError`
   * when some were invoiced meanwhile.
   *
   * On PostgreSQL the database copies the charges into lines itself: the
   * run only learns how many charges of how much each invoice gets.
   */
  private async invoiceCharges(
    trx: Knex.Transaction,
    drafts: InvoiceDrafts,
    before: Date,
  ) {
    const open = (query: Knex.QueryBuilder) =>
      query
        .from(`${SUBSCRIPTION_CHARGES} as c`)
        .join(`${SUBSCRIPTIONS} as s`, 's.id', 'c.subscription_id')
        .whereNull('c.invoice_id')
        .where('c.created_at', '<', before)
        .whereNot('c.amount_minor', 0);
    if (trx.client.config.client !== 'pg') {
      const rows: OpenChargeRow[] = await open(trx.queryBuilder())
        .select(
          'c.id',
          'c.subscription_id',
          'c.kind',
          'c.description',
          'c.amount_minor',
          'c.currency',
          's.owner',
          's.product_ref',
          's.product_title',
        )
        .orderBy([
          { column: 'c.created_at', order: 'asc' },
          { column: 'c.id', order: 'asc' },
        ]);
      const lines = drafts.add(
        rows.map(row => ({
          account: row.owner,
          kind: row.kind as InvoiceLineKind,
          description: row.description,
          subscriptionId: row.subscription_id,
          productRef: row.product_ref,
          productTitle: row.product_title,
          chargeId: row.id,
          amountMinor: Number(row.amount_minor),
          currency: row.currency,
        })),
      );
      await insertRows(trx, INVOICE_LINES, lines);
      await this.markInvoiced(trx, drafts.ids(), lines.length);
      return;
    }
    const sums: Array<{
      owner: string;
      currency: string;
      count: string | number;
      total: string | number;
    }> = await open(trx.queryBuilder())
      .groupBy('s.owner', 'c.currency')
      .select('s.owner', 'c.currency')
      .count({ count: '*' })
      .sum({ total: 'c.amount_minor' });
    let expected = 0;
    const invoices = sums.flatMap(sum => {
      const count = Number(sum.count);
      const draft = drafts.reserve(
        sum.owner,
        sum.currency,
        count,
        Number(sum.total),
      );
      expected += draft ? count : 0;
      return draft
        ? [{ account: sum.owner, currency: sum.currency, id: draft.id }]
        : [];
    });
    if (!invoices.length) {
      return;
    }
    const lines = open(trx.queryBuilder())
      .join(
        trx.raw(
          'json_to_recordset(?) as d(account text, currency text, id text)',
          [JSON.stringify(invoices)],
        ),
        join =>
          join.on('d.account', 's.owner').andOn('d.currency', 'c.currency'),
      )
      .select(
        trx.raw('gen_random_uuid()::text'),
        'd.id',
        trx.raw(
          'row_number() over (partition by d.id order by c.created_at, c.id) - 1',
        ),
        'c.kind',
        'c.description',
        'c.subscription_id',
        's.product_ref',
        's.product_title',
        'c.id',
        'c.amount_minor',
        'c.currency',
      );
    const result = await trx.raw(
      `WITH inserted AS (
         INSERT INTO ?? (id, invoice_id, position, kind, description,
           subscription_id, product_ref, product_title, charge_id,
           amount_minor, currency)
         ?
         RETURNING charge_id, invoice_id
       )
       UPDATE ?? AS c SET invoice_id = inserted.invoice_id
         FROM inserted
        WHERE c.id = inserted.charge_id AND c.invoice_id IS NULL`,
      [INVOICE_LINES, lines, SUBSCRIPTION_CHARGES],
    );
    if (result.rowCount !== expected) {
      // Charges were made or invoiced since they were counted; write nothing.
      throw new InvoiceRaceError();
    }
  }

  /**
   * Gives each charge on a line of the invoices the invoice of its line;
   * an `InvoiceRaceError` unless all `count` of them were still open.
   */
  private async markInvoiced(
    trx: Knex.Transaction,
    invoiceIds: string[],
    count: number,
  ) {
    let updated = 0;
    for (let i = 0; i < invoiceIds.length; i += 1000) {
      updated += await trx(SUBSCRIPTION_CHARGES)
        .whereIn(
          'id',
          trx(INVOICE_LINES)
            .whereIn('invoice_id', invoiceIds.slice(i, i + 1000))
            .whereNotNull('charge_id')
            .select('charge_id'),
        )
        .whereNull(`${SUBSCRIPTION_CHARGES}.invoice_id`)
        .update({
          invoice_id: trx(INVOICE_LINES)
            .where('charge_id', trx.ref(`${SUBSCRIPTION_CHARGES}.id`))
            .select('invoice_id'),
        });
    }
    if (updated !== count) {
      // Another run invoiced some of them first; write nothing.
      throw new InvoiceRaceError();
    }
  }

  /** An invoice with its lines, if it exists and the filter lets it through. */
  async get(
    id: string,
    permissionFilter?: SubscriptionPermissionFilter,
  ): Promise<
    | {
        invoice: StoredInvoice;
        lines: StoredInvoiceLine[];
        creditNotes: StoredCreditNote[];
      }
    | undefined
  > {
    const query = this.db<InvoiceRow>(INVOICES).where({ id });
    applyAccountFilter(query, permissionFilter);
    const row: InvoiceRow | undefined = await query.first();
    if (!row) {
      return undefined;
    }
    const [lines, notes] = await Promise.all([
      this.db<InvoiceLineRow>(INVOICE_LINES)
        .where({ invoice_id: id })
        .orderBy('position'),
      this.db<CreditNoteRow>(CREDIT_NOTES)
        .where({ invoice_id: id })
        .orderBy('number'),
    ]);
    const creditNotes = notes.map(toCreditNote);
    return {
      invoice: toInvoice(
        row,
        creditNotes.reduce((sum, n) => sum + n.totalMinor, 0),
      ),
      lines: lines.map(toInvoiceLine),
      creditNotes,
    };
  }

  /** A page of invoices, newest number first, after the cursor's number. */
  async list(options: {
    account?: string;
    period?: string;
    permissionFilter?: SubscriptionPermissionFilter;
    afterNumber?: string;
    limit: number;
  }): Promise<{ items: StoredInvoice[]; more: boolean }> {
    const query = this.db<InvoiceRow>(INVOICES);
    if (options.account) {
      query.where('account', options.account.toLocaleLowerCase('en-US'));
    }
    if (options.period) {
      query.where('period', options.period);
    }
    if (options.afterNumber) {
      query.where('number', '<', options.afterNumber);
    }
    applyAccountFilter(query, options.permissionFilter);
    const rows: InvoiceRow[] = await query
      .select('*')
      .orderBy('number', 'desc')
      .limit(options.limit + 1);
    const page = rows.slice(0, options.limit);
    const credited = await this.creditedTotals(page.map(r => r.id));
    return {
      items: page.map(row => toInvoice(row, credited.get(row.id) ?? 0)),
      more: rows.length > options.limit,
    };
  }

  /**
   * Issues a credit note against an invoice with the next number of the
   * year of `now`. The credits of an invoice never exceed its total.
   */
  async addCreditNote(options: {
    invoiceId: string;
    reason: string;
    lines: Array<{ description: string; amountMinor: number }>;
    createdBy: string;
    now: Date;
  }): Promise<StoredCreditNote> {
    const { invoiceId, now } = options;
    const total = options.lines.reduce((sum, l) => sum + l.amountMinor, 0);
    return this.db.transaction(async trx => {
      // Locking the counter first serializes credit notes, so the check of
      // what is left to credit holds until the note is written.
      const number = await this.nextNumber(trx, 'CN', now);
      const invoice = await trx<InvoiceRow>(INVOICES)
        .where({ id: invoiceId })
        .first();
      if (!invoice) {
        throw new NotFoundError(`No invoice ${invoiceId}`);
      }
      const credited = await this.creditedTotals([invoiceId], trx);
      const left = Number(invoice.total_minor) - (credited.get(invoiceId) ?? 0);
      if (total > left) {
        throw new InputError(
          `Invoice ${invoice.number} has ${left} minor units left to credit, less than ${total}`,
        );
      }
      const row: CreditNoteRow = {
        id: randomUUID(),
        number,
        invoice_id: invoiceId,
        reason: options.reason,
        lines_json: JSON.stringify(options.lines),
        total_minor: total,
        currency: invoice.currency,
        created_by: options.createdBy,
        created_at: now,
      };
      await trx<CreditNoteRow>(CREDIT_NOTES).insert(row);
      return toCreditNote(row);
    });
  }

  /**
   * Sums of invoice lines of the periods from `from` to `to` (inclusive),
   * in one currency, grouped by account, product or month.
   */
  async costs(options: {
    from: string;
    to: string;
    groupBy: CostGrouping;
    currency: string;
    account?: string;
    permissionFilter?: SubscriptionPermissionFilter;
  }): Promise<Array<{ key: string; label: string; amountMinor: number }>> {
    const key = {
      account: 'i.account',
      product: 'l.product_ref',
      month: 'i.period',
    }[options.groupBy];
    const label = options.groupBy === 'product' ? 'l.product_title' : key;
    const query = this.db(`${INVOICE_LINES} as l`)
      .join(`${INVOICES} as i`, 'i.id', 'l.invoice_id')
      .where('i.currency', options.currency)
      .whereBetween('i.period', [options.from, options.to])
      .groupBy(key)
      .select({ key })
      .max({ label })
      .sum({ amount: 'l.amount_minor' })
      .orderBy(key);
    if (options.account) {
      query.where('i.account', options.account.toLocaleLowerCase('en-US'));
    }
    applyAccountFilter(query, options.permissionFilter, 'i.account');
    const rows = (await query) as unknown as Array<{
      key: string;
      label: string;
      amount: string | number;
    }>;
    return rows.map(row => ({
      key: String(row.key),
      label: String(row.label),
      amountMinor: Number(row.amount),
    }));
  }

  private async creditedTotals(
    invoiceIds: string[],
    db: Knex | Knex.Transaction = this.db,
  ): Promise<Map<string, number>> {
    if (!invoiceIds.length) {
      return new Map();
    }
    const rows: Array<{ invoice_id: string; total: string | number }> =
      await db(CREDIT_NOTES)
        .whereIn('invoice_id', invoiceIds)
        .groupBy('invoice_id')
        .select('invoice_id')
        .sum({ total: 'total_minor' });
    return new Map(rows.map(r => [String(r.invoice_id), Number(r.total)]));
  }

  /** The next number of a document series of the year of `now`. */
  private async nextNumber(
    trx: Knex.Transaction,
    prefix: 'INV' | 'CN',
    now: Date,
  ): Promise<string> {
    const counter = await this.lockCounter(trx, prefix, now);
    const value = counter.value + 1;
    await trx(COUNTERS).where({ name: counter.name }).update({ value });
    return formatNumber(counter.name, value);
  }

  /**
   * The counter of a document series of the year of `now`, locked until
   * the transaction ends: the numbers after its value are the
   * transaction's to use, and to count into it before the end.
   */
  private async lockCounter(
    trx: Knex.Transaction,
    prefix: 'INV' | 'CN',
    now: Date,
  ): Promise<{ name: string; value: number }> {
    const name = `${prefix}-${now.getUTCFullYear()}`;
    await trx(COUNTERS).insert({ name, value: 0 }).onConflict('name').ignore();
    const query = trx<{ name: string; value: number }>(COUNTERS).where({
      name,
    });
    // SQLite serializes write transactions; PostgreSQL needs the row lock.
    if (trx.client.config.client === 'pg') {
      query.forUpdate();
    }
    const counter = await query.first();
    return { name, value: Number(counter!.value) };
  }
}

function formatNumber(series: string, value: number): string {
  return `${series}-${String(value).padStart(6, '0')}`;
}

function applyAccountFilter(
  query: Knex.QueryBuilder,
  permissionFilter: SubscriptionPermissionFilter,
  column = 'account',
) {
  if (permissionFilter) {
    query.where(inner =>
      applyCriteria(inner, permissionFilter, (q, condition) => {
        q.whereIn(column, condition.values);
      }),
    );
  }
}

function lineRowOf(
  invoiceId: string,
  position: number,
  line: NewInvoiceLine,
): InvoiceLineRow {
  return {
    id: randomUUID(),
    invoice_id: invoiceId,
    position,
    kind: line.kind,
    description: line.description,
    subscription_id: line.subscriptionId,
    product_ref: line.productRef,
    product_title: line.productTitle,
    dimension: line.dimension ?? null,
    quantity_micro:
      line.quantityMicro === undefined ? null : line.quantityMicro,
    charge_id: line.chargeId ?? null,
    amount_minor: line.amountMinor,
    currency: line.currency,
  };
}

function toInvoice(row: InvoiceRow, creditedMinor: number): StoredInvoice {
  return {
    id: row.id,
    number: row.number,
    account: row.account,
    ...(row.cost_center ? { costCenter: row.cost_center } : {}),
    period: row.period,
    currency: row.currency,
    totalMinor: Number(row.total_minor),
    creditedMinor,
    status: 'issued',
    issuedAt: toDate(row.issued_at).toISOString(),
  };
}

function toInvoiceLine(row: InvoiceLineRow): StoredInvoiceLine {
  return {
    id: row.id,
    kind: row.kind as InvoiceLineKind,
    description: row.description,
    subscriptionId: row.subscription_id,
    productRef: row.product_ref,
    productTitle: row.product_title,
    dimension: row.dimension ?? undefined,
    quantityMicro:
      row.quantity_micro === null ? undefined : Number(row.quantity_micro),
    chargeId: row.charge_id ?? undefined,
    amountMinor: Number(row.amount_minor),
    currency: row.currency,
  };
}

function toCreditNote(row: CreditNoteRow): StoredCreditNote {
  return {
    id: row.id,
    number: row.number,
    invoiceId: row.invoice_id,
    reason: row.reason,
    lines: JSON.parse(row.lines_json),
    totalMinor: Number(row.total_minor),
    currency: row.currency,
    createdBy: row.created_by,
    createdAt: toDate(row.created_at).toISOString(),
  };
}
