import { Money } from './subscriptions';

/*
 * The billing API of the store: usage reports, invoices, credit notes and
 * cost analytics. Money is a decimal string with its currency.
 */

/** One usage measurement reported to the store. @public */
export type UsageEvent = {
  /** Chosen by the reporter; the same id is counted once. */
  id: string;
  /** The subscription used; or give `stackId`. */
  subscriptionId?: string;
  /** A stack of a subscription, which resolves to the subscription. */
  stackId?: string;
  /** A dimension that the subscription's plan meters, e.g. `node-hours`. */
  dimension: string;
  /** A non-negative decimal with at most six decimals. */
  quantity: string;
  /** When the usage happened (ISO timestamp). */
  occurredAt: string;
};

/** The answer to a usage report. @public */
export type UsageReportResult = {
  /** New events, counted. */
  accepted: number;
  /** Events already received with the same content, not counted again. */
  duplicates: number;
  /** Events refused, with the reason. */
  rejected: Array<{ id: string; reason: string }>;
};

/** What an invoice line bills. @public */
export type InvoiceLineKind = 'recurring' | 'proration' | 'credit' | 'usage';

/** One line of an invoice. @public */
export type InvoiceLine = {
  id: string;
  kind: InvoiceLineKind;
  description: string;
  subscriptionId: string;
  productRef: string;
  productTitle: string;
  /** For usage lines: the dimension and the quantity used in the period. */
  dimension?: string;
  quantity?: string;
  /** For charge lines: the subscription charge it bills. */
  chargeId?: string;
  amount: Money;
};

/** The status of an invoice; issued invoices never change. @public */
export type InvoiceStatus = 'issued';

/** An invoice without its lines, as lists show it. @public */
export type InvoiceSummary = {
  id: string;
  /** Sequential per year without gaps, e.g. `INV-2026-000001`. */
  number: string;
  /** The billing account: the owning group's entity ref. */
  account: string;
  /**
   * The cost centre the invoice was issued to: the billing account's, from
   * its Group's catalog annotation when the invoice was issued. Absent when
   * the group had none, and on invoices issued before cost centres were
   * recorded.
   */
  costCenter?: string;
  /** The month billed, `YYYY-MM`. */
  period: string;
  status: InvoiceStatus;
  total: Money;
  /** The sum of its credit notes (a positive amount, or zero). */
  credited: Money;
  issuedAt: string;
};

/** One line of a credit note. @public */
export type CreditNoteLine = {
  description: string;
  /** The amount credited, positive. */
  amount: Money;
};

/** A correction of an issued invoice. @public */
export type CreditNote = {
  id: string;
  /** Sequential per year without gaps, e.g. `CN-2026-000001`. */
  number: string;
  invoiceId: string;
  reason: string;
  lines: CreditNoteLine[];
  total: Money;
  createdBy: string;
  createdAt: string;
};

/** An invoice with its lines and credit notes. @public */
export type Invoice = InvoiceSummary & {
  lines: InvoiceLine[];
  creditNotes: CreditNote[];
};

/** A page of invoices. @public */
export type InvoiceList = {
  items: InvoiceSummary[];
  nextCursor?: string;
};

/** How cost rows are grouped. @public */
export type CostGrouping = 'account' | 'product' | 'month';

/** One row of a cost report: the sum of invoice lines of a group. @public */
export type CostRow = {
  /** The account ref, product ref or month (`YYYY-MM`). */
  key: string;
  label: string;
  /** A decimal string in the report's currency. */
  amount: string;
};

/** Costs from invoices, grouped. @public */
export type CostReport = {
  currency: string;
  rows: CostRow[];
};

/** The answer of an invoice run. @public */
export type InvoiceRunResult = {
  period: string;
  /** The invoices this run issued; empty when the period was invoiced. */
  issued: InvoiceSummary[];
};
