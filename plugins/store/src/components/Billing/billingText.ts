import {
  InvoiceLineKind,
  InvoiceRunResult,
} from '@internal/plugin-store-common';
import { CreditNoteRequest } from '../../api/billingTypes';

const LINE_KINDS: Record<InvoiceLineKind, string> = {
  recurring: 'Recurring',
  proration: 'Proration',
  credit: 'Credit',
  usage: 'Usage',
};

/** How the kind of an invoice line is said to people. */
export function invoiceLineKindLabel(kind: InvoiceLineKind): string {
  return LINE_KINDS[kind] ?? kind;
}

/** A decimal amount as typed: `12`, `12.5`, `-3.25`; no exponent, no commas. */
export function isDecimalAmount(text: string): boolean {
  return /^-?\d+(\.\d+)?$/.test(text.trim());
}

/** A `YYYY-MM` month. */
export function isMonth(text: string): boolean {
  return /^\d{4}-(0[1-9]|1[0-2])$/.test(text);
}

/** The `count` months up to the month of `now` (UTC), newest first. */
export function recentMonths(now: Date, count: number): string[] {
  const months: string[] = [];
  for (let back = 0; back < count; back++) {
    const day = new Date(
      Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - back, 1),
    );
    months.push(day.toISOString().slice(0, 7));
  }
  return months;
}

/**
 * What an invoice run did, said to people: the numbers it issued, or that
 * it issued nothing new, as a second run of a month does.
 */
export function invoiceRunMessage(result: InvoiceRunResult): string {
  const { period, issued } = result;
  if (!issued.length) {
    return `No new invoices for ${period}: the month is invoiced already, or nothing in it is left to invoice.`;
  }
  const shown = issued.slice(0, 5).map(i => i.number);
  const more = issued.length - shown.length;
  return `Issued ${issued.length} ${
    issued.length === 1 ? 'invoice' : 'invoices'
  } for ${period}: ${shown.join(', ')}${more ? ` and ${more} more` : ''}.`;
}

/** One line of a credit note as it is being typed. */
export type CreditNoteLineDraft = { description: string; amount: string };

/** A credit note as it is being typed. */
export type CreditNoteDraft = {
  reason: string;
  lines: CreditNoteLineDraft[];
};

/** What is wrong with a credit note draft, per field. */
export type CreditNoteProblems = {
  reason?: string;
  lines: Array<{ description?: string; amount?: string }>;
  form?: string;
};

/**
 * The request a credit note draft makes, or what is wrong with it: a
 * reason, at least one line, and each line a description and a decimal
 * amount. The backend checks the amounts against the invoice.
 */
export function creditNoteRequest(
  draft: CreditNoteDraft,
): { request: CreditNoteRequest } | { problems: CreditNoteProblems } {
  const problems: CreditNoteProblems = { lines: [] };
  let valid = true;
  if (!draft.reason.trim()) {
    problems.reason = 'Say why the credit is given';
    valid = false;
  }
  if (draft.lines.length === 0) {
    problems.form = 'Add at least one line';
    valid = false;
  }
  draft.lines.forEach((line, index) => {
    const lineProblems: { description?: string; amount?: string } = {};
    if (!line.description.trim()) {
      lineProblems.description = 'Describe the line';
    }
    if (!line.amount.trim()) {
      lineProblems.amount = 'Enter an amount';
    } else if (!isDecimalAmount(line.amount)) {
      lineProblems.amount = 'Enter a decimal amount, e.g. 12.50';
    }
    if (lineProblems.description || lineProblems.amount) {
      valid = false;
    }
    problems.lines[index] = lineProblems;
  });
  if (!valid) {
    return { problems };
  }
  return {
    request: {
      reason: draft.reason.trim(),
      lines: draft.lines.map(line => ({
        description: line.description.trim(),
        amount: line.amount.trim(),
      })),
    },
  };
}

/**
 * The height of a bar for a decimal amount. Charts draw with numbers; the
 * amounts shown in text stay the backend's decimals.
 */
export function chartValue(amount: string): number {
  return Number(amount);
}
