import {
  BackstageCredentials,
  LoggerService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import {
  ConflictError,
  InputError,
  NotAllowedError,
  NotFoundError,
} from '@backstage/errors';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  ConditionTransformer,
  createConditionTransformer,
  PermissionRuleset,
} from '@backstage/plugin-permission-node';
import {
  CostGrouping,
  CostReport,
  CreditNote,
  formatMinorUnits,
  formatQuantityMicro,
  Invoice,
  InvoiceLine,
  InvoiceList,
  InvoiceRunResult,
  InvoiceSummary,
  MeteredPrice,
  parseSignedMinorUnits,
  storeBillingManagePermission,
  storeBillingReadPermission,
  Subscription,
  toMoney,
  usageRater,
} from '@internal/plugin-store-common';
import {
  InvoiceRaceError,
  InvoicesStore,
  NewInvoiceLine,
  StoredCreditNote,
  StoredInvoice,
  StoredInvoiceLine,
  UsageTotal,
} from '../database/InvoicesStore';
import { SubscriptionPermissionFilter } from '../database/SubscriptionsStore';
import { SubscriptionPermissionQuery } from '../permissions/subscriptionRules';
import { BillingAccounts } from './BillingAccounts';
import { periodEnd, periodOf } from './UsageReports';

const PERIOD = /^\d{4}-(0[1-9]|1[0-2])$/;
const DAY_MS = 86_400_000;
/** How often a run reads the charges again when another run took some. */
const MAX_RUN_ATTEMPTS = 3;

/** Whether `value` is a billing period such as `2026-01`. */
export function isPeriod(value: unknown): value is string {
  return typeof value === 'string' && PERIOD.test(value);
}

function assertPeriod(value: string, name = 'period') {
  if (!isPeriod(value)) {
    throw new InputError(`${name} "${value}" is not a month (YYYY-MM)`);
  }
}

/**
 * Invoices of billing accounts: the monthly run that issues them, the
 * credit notes that correct them and the reads and cost reports over them.
 * Everyone reads through the `store.billing.read` decision, one per
 * request and applied in the database; what a caller may not see is not
 * found. Runs and credit notes are for store administrators (the
 * `store.billing.manage` permission); credit notes also for finance, whom the
 * policy lets read all billing unconditionally.
 */
export class Invoices {
  /** The raters of the prices of the plans the store read, each made once. */
  private readonly raters = new WeakMap<
    MeteredPrice,
    (quantityMicro: bigint) => number
  >();

  private constructor(
    private readonly store: InvoicesStore,
    private readonly accounts: BillingAccounts,
    private readonly permissions: PermissionsService,
    private readonly transform: ConditionTransformer<SubscriptionPermissionQuery>,
    private readonly logger: LoggerService,
    private readonly currency: string,
    private readonly lateEventWindowDays: number,
    private readonly now: () => Date,
  ) {}

  static create(options: {
    store: InvoicesStore;
    /** Where the cost centres of the invoiced accounts are read at issue time. */
    accounts: BillingAccounts;
    permissions: PermissionsService;
    ruleset: PermissionRuleset<Subscription, SubscriptionPermissionQuery>;
    logger: LoggerService;
    /** The currency of cost reports unless one is asked for. */
    currency?: string;
    lateEventWindowDays: number;
    now?: () => Date;
  }): Invoices {
    return new Invoices(
      options.store,
      options.accounts,
      options.permissions,
      createConditionTransformer(options.ruleset),
      options.logger,
      options.currency ?? 'USD',
      options.lateEventWindowDays,
      options.now ?? (() => new Date()),
    );
  }

  /**
   * The latest period whose late-usage window has closed: the one the
   * scheduled run invoices.
   */
  closedPeriod(): string {
    const closedAt = new Date(
      this.now().getTime() - this.lateEventWindowDays * DAY_MS,
    );
    const [year, month] = periodOf(closedAt).split('-').map(Number);
    return periodOf(new Date(Date.UTC(year, month - 2, 1)));
  }

  /**
   * Issues the invoices of a period, one per billing account and currency:
   * the charges not invoiced yet that were made before the period ended,
   * and the period's usage rated per subscription and dimension, each
   * invoice issued to its account's cost centre of the moment. Accounts
   * invoiced for the period already are left alone, so a second run issues
   * nothing.
   */
  async run(period: string): Promise<InvoiceRunResult> {
    assertPeriod(period);
    const now = this.now();
    const end = periodEnd(period);
    if (now.getTime() < end.getTime()) {
      throw new InputError(`Period ${period} has not ended yet`);
    }
    for (let attempt = 1; ; attempt++) {
      try {
        const issued = await this.store.issue({
          period,
          before: end,
          now,
          rate: total => this.rate(total, period),
          costCentersOf: accounts => this.accounts.costCentersOf(accounts),
        });
        this.logger.info(
          `Invoice run for ${period} issued ${issued.length} invoices`,
        );
        return { period, issued: issued.map(toSummary) };
      } catch (error) {
        if (!(error instanceof InvoiceRaceError)) {
          throw error;
        }
        // Another run took some of the charges: read them again.
        if (attempt === MAX_RUN_ATTEMPTS) {
          throw new ConflictError(
            `Other invoice runs kept invoicing the charges of ${period}; run it again`,
          );
        }
      }
    }
  }

  /**
   * The invoice line of a subscription's usage in a dimension over a
   * period, rated by its plan's price; none, with a warning, when the plan
   * does not price the dimension.
   */
  private rate(total: UsageTotal, period: string): NewInvoiceLine | undefined {
    const price = total.plan.meteredPrices?.find(
      m => m.dimension === total.dimension,
    );
    if (!price) {
      this.logger.warn(
        `Subscription ${total.subscriptionId} has usage of ${total.dimension}, which its plan does not price; it is not invoiced`,
      );
      return undefined;
    }
    const quantity = formatQuantityMicro(total.quantityMicro);
    return {
      account: total.account,
      kind: 'usage',
      description: `${total.productTitle}, ${total.plan.title}: ${quantity} ${price.unit} of ${total.dimension} in ${period}`,
      subscriptionId: total.subscriptionId,
      productRef: total.productRef,
      productTitle: total.productTitle,
      dimension: total.dimension,
      quantityMicro: Number(total.quantityMicro),
      amountMinor: this.raterOf(price)(total.quantityMicro),
      currency: price.currency,
    };
  }

  private raterOf(price: MeteredPrice) {
    let rater = this.raters.get(price);
    if (!rater) {
      rater = usageRater(price);
      this.raters.set(price, rater);
    }
    return rater;
  }

  /** The invoice run for administrators. */
  async runFor(
    credentials: BackstageCredentials,
    period: string,
  ): Promise<InvoiceRunResult> {
    await this.assertAdmin(credentials);
    return this.run(period);
  }

  /** A page of the invoices the caller may see, newest number first. */
  async list(options: {
    credentials: BackstageCredentials;
    account?: string;
    period?: string;
    cursor?: string;
    limit?: number;
  }): Promise<InvoiceList> {
    if (options.period !== undefined) {
      assertPeriod(options.period);
    }
    const limit = options.limit ?? 50;
    if (!Number.isInteger(limit) || limit < 1 || limit > 200) {
      throw new InputError('limit must be a whole number from 1 to 200');
    }
    const filter = await this.readFilter(options.credentials);
    if (filter === 'deny') {
      throw new NotAllowedError(
        `Not allowed: ${storeBillingReadPermission.name}`,
      );
    }
    const afterNumber = options.cursor
      ? Buffer.from(options.cursor, 'base64url').toString('utf8')
      : undefined;
    if (afterNumber !== undefined && !/^INV-\d{4}-\d{6}$/.test(afterNumber)) {
      throw new InputError('Malformed cursor: it is not one this API returned');
    }
    const { items, more } = await this.store.list({
      account: options.account,
      period: options.period,
      permissionFilter: filter,
      afterNumber,
      limit,
    });
    const last = items.at(-1);
    return {
      items: items.map(toSummary),
      ...(more && last
        ? { nextCursor: Buffer.from(last.number).toString('base64url') }
        : {}),
    };
  }

  /** An invoice with its lines and credit notes; a 404 if the caller may not see it. */
  async get(credentials: BackstageCredentials, id: string): Promise<Invoice> {
    const filter = await this.readFilter(credentials);
    const found =
      filter === 'deny' ? undefined : await this.store.get(id, filter);
    if (!found) {
      throw new NotFoundError(`No invoice ${id}`);
    }
    return {
      ...toSummary(found.invoice),
      lines: found.lines.map(toLine),
      creditNotes: found.creditNotes.map(toCreditNote),
    };
  }

  /** The lines of an invoice as CSV, for spreadsheets. */
  async csv(credentials: BackstageCredentials, id: string): Promise<string> {
    const invoice = await this.get(credentials, id);
    const header = [
      'invoice',
      'period',
      'account',
      'cost_centre',
      'kind',
      'subscription',
      'product',
      'description',
      'dimension',
      'quantity',
      'amount',
      'currency',
    ];
    const rows = invoice.lines.map(line => [
      invoice.number,
      invoice.period,
      invoice.account,
      invoice.costCenter ?? '',
      line.kind,
      line.subscriptionId,
      line.productRef,
      line.description,
      line.dimension ?? '',
      line.quantity ?? '',
      line.amount.amount,
      line.amount.currency,
    ]);
    return `${[header, ...rows]
      .map(r => r.map(csvField).join(','))
      .join('\r\n')}\r\n`;
  }

  /** Corrects an issued invoice with a credit note; for admins and finance. */
  async addCreditNote(options: {
    credentials: BackstageCredentials;
    invoiceId: string;
    reason: string;
    lines: Array<{ description: string; amount: string }>;
  }): Promise<CreditNote> {
    const { credentials, invoiceId } = options;
    const invoice = await this.get(credentials, invoiceId);
    const filter = await this.readFilter(credentials);
    if (filter !== undefined && !(await this.isAdmin(credentials))) {
      throw new NotAllowedError(
        'Only store administrators and finance issue credit notes',
      );
    }
    if (!options.reason.trim()) {
      throw new InputError('A credit note needs a reason');
    }
    if (!options.lines.length) {
      throw new InputError('A credit note needs at least one line');
    }
    const lines = options.lines.map(line => {
      let amountMinor: number;
      try {
        amountMinor = parseSignedMinorUnits(
          line.amount,
          invoice.total.currency,
        );
      } catch (error) {
        throw new InputError((error as Error).message);
      }
      if (amountMinor <= 0) {
        throw new InputError(
          `A credit note line credits a positive amount, not ${line.amount}`,
        );
      }
      return { description: line.description, amountMinor };
    });
    const note = await this.store.addCreditNote({
      invoiceId,
      reason: options.reason,
      lines,
      createdBy: actorOf(credentials),
      now: this.now(),
    });
    return toCreditNote(note);
  }

  /** Sums of the invoice lines the caller may see, grouped one way. */
  async costs(options: {
    credentials: BackstageCredentials;
    from: string;
    to: string;
    groupBy: CostGrouping;
    account?: string;
    currency?: string;
  }): Promise<CostReport> {
    assertPeriod(options.from, 'from');
    assertPeriod(options.to, 'to');
    if (options.from > options.to) {
      throw new InputError(`from ${options.from} is after to ${options.to}`);
    }
    const currency = options.currency ?? this.currency;
    const filter = await this.readFilter(options.credentials);
    if (filter === 'deny') {
      throw new NotAllowedError(
        `Not allowed: ${storeBillingReadPermission.name}`,
      );
    }
    const rows = await this.store.costs({
      from: options.from,
      to: options.to,
      groupBy: options.groupBy,
      account: options.account,
      currency,
      permissionFilter: filter,
    });
    return {
      currency,
      rows: rows.map(row => ({
        key: row.key,
        label: row.label,
        amount: formatMinorUnits(row.amountMinor, currency),
      })),
    };
  }

  private async readFilter(
    credentials: BackstageCredentials,
  ): Promise<SubscriptionPermissionFilter | 'deny'> {
    const [decision] = await this.permissions.authorizeConditional(
      [{ permission: storeBillingReadPermission }],
      { credentials },
    );
    if (decision.result === AuthorizeResult.DENY) {
      return 'deny';
    }
    return decision.result === AuthorizeResult.CONDITIONAL
      ? this.transform(decision.conditions)
      : undefined;
  }

  private async isAdmin(credentials: BackstageCredentials) {
    const [decision] = await this.permissions.authorize(
      [{ permission: storeBillingManagePermission }],
      { credentials },
    );
    return decision.result === AuthorizeResult.ALLOW;
  }

  private async assertAdmin(credentials: BackstageCredentials) {
    if (!(await this.isAdmin(credentials))) {
      throw new NotAllowedError('Only store administrators run invoices');
    }
  }
}

function actorOf(credentials: BackstageCredentials): string {
  const principal = credentials.principal as {
    userEntityRef?: string;
    subject?: string;
  };
  return principal.userEntityRef ?? principal.subject ?? 'unknown';
}

function csvField(value: string): string {
  // A leading = + - @ would be a formula in a spreadsheet.
  const safe =
    /^[=+\-@\t\r]/.test(value) && !/^-\d/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

function toSummary(invoice: StoredInvoice): InvoiceSummary {
  return {
    id: invoice.id,
    number: invoice.number,
    account: invoice.account,
    ...(invoice.costCenter ? { costCenter: invoice.costCenter } : {}),
    period: invoice.period,
    status: invoice.status,
    total: toMoney(invoice.totalMinor, invoice.currency),
    credited: toMoney(invoice.creditedMinor, invoice.currency),
    issuedAt: invoice.issuedAt,
  };
}

function toLine(line: StoredInvoiceLine): InvoiceLine {
  return {
    id: line.id,
    kind: line.kind,
    description: line.description,
    subscriptionId: line.subscriptionId,
    productRef: line.productRef,
    productTitle: line.productTitle,
    ...(line.dimension ? { dimension: line.dimension } : {}),
    ...(line.quantityMicro !== undefined
      ? { quantity: formatQuantityMicro(line.quantityMicro) }
      : {}),
    ...(line.chargeId ? { chargeId: line.chargeId } : {}),
    amount: toMoney(line.amountMinor, line.currency),
  };
}

function toCreditNote(note: StoredCreditNote): CreditNote {
  return {
    id: note.id,
    number: note.number,
    invoiceId: note.invoiceId,
    reason: note.reason,
    lines: note.lines.map(l => ({
      description: l.description,
      amount: toMoney(l.amountMinor, note.currency),
    })),
    total: toMoney(note.totalMinor, note.currency),
    createdBy: note.createdBy,
    createdAt: note.createdAt,
  };
}
