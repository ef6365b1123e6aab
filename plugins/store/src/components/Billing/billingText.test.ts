import { invoiceSummary } from './__testUtils__/billing';
import {
  creditNoteRequest,
  invoiceRunMessage,
  isDecimalAmount,
  isMonth,
  recentMonths,
} from './billingText';

describe('billingText', () => {
  it('accepts decimal amounts only', () => {
    for (const ok of ['12', '12.50', '-3.25', ' 0.1 ']) {
      expect(isDecimalAmount(ok)).toBe(true);
    }
    for (const bad of ['', '1e3', '12,50', '12.', '.5', 'abc', '1.2.3']) {
      expect(isDecimalAmount(bad)).toBe(false);
    }
  });

  it('reads months', () => {
    expect(isMonth('2026-11')).toBe(true);
    expect(isMonth('2026-13')).toBe(false);
    expect(isMonth('2026-1')).toBe(false);
  });

  it('lists recent months across a year boundary, newest first', () => {
    expect(recentMonths(new Date('2026-02-15T00:00:00Z'), 4)).toEqual([
      '2026-02',
      '2026-01',
      '2025-12',
      '2025-11',
    ]);
  });

  it('makes a credit note request of a valid draft', () => {
    expect(
      creditNoteRequest({
        reason: ' Outage ',
        lines: [{ description: ' Downtime ', amount: ' 12.50 ' }],
      }),
    ).toEqual({
      request: {
        reason: 'Outage',
        lines: [{ description: 'Downtime', amount: '12.50' }],
      },
    });
  });

  it('says what is wrong with a draft', () => {
    expect(
      creditNoteRequest({
        reason: ' ',
        lines: [
          { description: '', amount: '' },
          { description: 'ok', amount: '1e3' },
          { description: 'ok', amount: '5' },
        ],
      }),
    ).toEqual({
      problems: {
        reason: 'Say why the credit is given',
        lines: [
          { description: 'Describe the line', amount: 'Enter an amount' },
          { amount: 'Enter a decimal amount, e.g. 12.50' },
          {},
        ],
      },
    });
    expect(creditNoteRequest({ reason: 'x', lines: [] })).toEqual({
      problems: { lines: [], form: 'Add at least one line' },
    });
  });

  it('says what an invoice run issued, the first five numbers of many', () => {
    const issued = Array.from({ length: 7 }, (_, i) =>
      invoiceSummary({ number: `INV-2026-00000${i + 1}` }),
    );
    expect(invoiceRunMessage({ period: '2026-11', issued })).toBe(
      'Issued 7 invoices for 2026-11: INV-2026-000001, INV-2026-000002, INV-2026-000003, INV-2026-000004, INV-2026-000005 and 2 more.',
    );
    expect(invoiceRunMessage({ period: '2026-11', issued: [] })).toMatch(
      /^No new invoices for 2026-11: the month is invoiced already/,
    );
  });
});
