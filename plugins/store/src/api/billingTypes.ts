import { CostGrouping } from '@internal/plugin-store-common';

/*
 * What the store client sends to the billing API. The API's answers
 * (invoices, credit notes, cost reports) are typed in
 * `@internal/plugin-store-common`.
 */

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

/** Which costs to sum. @public */
export type CostQuery = {
  /** First month, `YYYY-MM`, inclusive. */
  from: string;
  /** Last month, `YYYY-MM`, inclusive. */
  to: string;
  groupBy: CostGrouping;
  /** Only this billing account (a group entity ref). */
  account?: string;
};
