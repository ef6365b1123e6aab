import { Money } from '@internal/plugin-store-common';

/*
 * The billing API's types. They move to `@internal/plugin-store-common`
 * (`src/invoices.ts`) once the billing backend lands there.
 */

/** An invoice as invoice lists show it. @public */
export type InvoiceSummary = {
  id: string;
  /** E.g. `INV-2026-000001`. */
  number: string;
  /** The billing account: a group entity ref. */
  account: string;
  costCenter?: string;
  /** The billed month, `YYYY-MM`. */
  period: string;
  status: 'issued';
  total: Money;
  issuedAt: string;
};

/** What a line of an invoice charges for. @public */
export type InvoiceLineKind = 'recurring' | 'proration' | 'credit' | 'usage';

/** One line of an invoice. @public */
export type InvoiceLine = {
  id: string;
  kind: InvoiceLineKind;
  description: string;
  subscriptionId?: string;
  productTitle?: string;
  /** A decimal. */
  quantity?: string;
  unitPrice?: Money;
  amount: Money;
};

/** A credit note issued against an invoice. @public */
export type CreditNote = {
  id: string;
  /** E.g. `CN-2026-000001`. */
  number: string;
  reason: string;
  issuedAt: string;
  total: Money;
  lines: Array<{ description: string; amount: Money }>;
};

/** An invoice with its lines and credit notes. @public */
export type Invoice = InvoiceSummary & {
  lines: InvoiceLine[];
  creditNotes: CreditNote[];
};

/** A page of invoices. @public */
export type InvoiceList = {
  items: InvoiceSummary[];
  /** Where the next page starts; absent on the last page. */
  nextCursor?: string;
};

/** Which invoices to list; the caller sees only those it may read. @public */
export type InvoiceListOptions = {
  /** A billing account's group entity ref. */
  account?: string;
  /** `YYYY-MM`. */
  period?: string;
  cursor?: string;
  limit?: number;
};

/** What a credit note is issued with; amounts are decimals. @public */
export type CreditNoteRequest = {
  reason: string;
  lines: Array<{ description: string; amount: string }>;
};

/** How costs are grouped. @public */
export type CostGroupBy = 'account' | 'product' | 'month';

/** Which costs to sum. @public */
export type CostQuery = {
  /** First month, `YYYY-MM`, inclusive. */
  from: string;
  /** Last month, `YYYY-MM`, inclusive. */
  to: string;
  groupBy: CostGroupBy;
  /** Only this billing account (a group entity ref). */
  account?: string;
};

/** Costs summed per group, in one currency. @public */
export type CostReport = {
  currency: string;
  rows: Array<{ key: string; label: string; amount: string }>;
};
