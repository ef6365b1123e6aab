import { configure, fireEvent, screen, within } from '@testing-library/react';
import { responseError } from '../Subscriptions/__testUtils__/subscriptions';
import {
  invoice,
  mockBillingApi,
  renderBilling,
} from './__testUtils__/billing';

configure({ asyncUtilTimeout: 30_000, defaultHidden: true });
jest.setTimeout(120_000);

const cells = (row: HTMLElement) =>
  within(row)
    .getAllByRole('cell')
    .map(cell => cell.textContent);

describe('InvoicePage', () => {
  it('shows the header, lines, total and credit notes, and prints', async () => {
    const api = mockBillingApi();
    const print = jest.fn();
    window.print = print;
    await renderBilling(api, '/store/billing/invoices/inv-1');

    await screen.findByRole('heading', {
      name: 'Invoice INV-2026-000001',
      level: 2,
    });
    expect(api.getInvoice).toHaveBeenCalledWith({ id: 'inv-1' });
    expect(await screen.findByRole('link', { name: 'Team A' })).toHaveAttribute(
      'href',
      '/catalog/default/group/team-a',
    );
    // The cost centre the invoice was issued to, as the printed sheet shows.
    expect(screen.getByText('Cost centre').nextSibling).toHaveTextContent(
      'CC-1000',
    );
    expect(screen.getByText('2026-11')).toBeInTheDocument();

    const lines = within(screen.getByRole('table', { name: 'Invoice lines' }));
    const rows = lines.getAllByRole('row');
    expect(
      within(rows[0])
        .getAllByRole('columnheader')
        .map(h => h.textContent),
    ).toEqual(['Kind', 'Description', 'Quantity', 'Amount']);
    expect(cells(rows[1])).toEqual([
      'Recurring',
      'PostgreSQL Database, Standard, 2026-11PostgreSQL Database',
      '2',
      'USD 100.00',
    ]);
    expect(cells(rows[2])).toEqual([
      'Proration',
      'Plan change to Enterprise, 3 daysRedis Cache',
      '',
      'USD 12.50',
    ]);
    expect(cells(rows[3])).toEqual([
      'Credit',
      'Cancellation creditKafka',
      '',
      'USD -5.00',
    ]);
    expect(cells(rows[4])).toEqual(['Total', 'USD 107.50']);
    expect(
      lines.getByRole('link', { name: 'PostgreSQL Database' }),
    ).toHaveAttribute('href', '/store/subscriptions/s1');

    expect(screen.getByText('Credit note CN-2026-000001')).toBeInTheDocument();
    const note = within(
      screen.getByRole('table', { name: 'Credit note CN-2026-000001 lines' }),
    );
    expect(note.getAllByRole('row').map(cells)).toEqual([
      ['Six hours of downtime', 'USD -7.25'],
      ['Total credited', 'USD -7.25'],
    ]);
    expect(screen.getByText(/Outage on 2026-11-12/)).toBeInTheDocument();

    // Members may not issue credit notes.
    expect(screen.queryByRole('button', { name: 'Credit note' })).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Print' }));
    expect(print).toHaveBeenCalledTimes(1);
    // Printed, the app's chrome is hidden, over the display its own
    // classes give it.
    const css = Array.from(document.querySelectorAll('style'))
      .map(style => style.textContent)
      .join('\n');
    expect(css).toMatch(
      /@media print\s*{\s*nav, header, \[data-testid="sidebar-root"\]\s*{\s*display: none !important;/,
    );
  });

  it('says when the invoice cannot be seen', async () => {
    const api = mockBillingApi();
    api.getInvoice.mockRejectedValue(
      await responseError(404, 'NotFoundError', 'No invoice inv-9'),
    );
    await renderBilling(api, '/store/billing/invoices/inv-9');
    await screen.findByText(/The invoice could not be loaded/);
    expect(screen.getByText(/No invoice inv-9/)).toBeInTheDocument();
  });

  // Each test that is allowed to credit reads another account: the
  // permission hook caches its answers by resource for the whole file.
  it('lets finance issue a valid credit note, then shows it', async () => {
    const api = mockBillingApi();
    const account = 'group:default/credited-here';
    api.getInvoice
      .mockResolvedValueOnce(invoice({ account, creditNotes: [] }))
      .mockResolvedValue(invoice({ account }));
    await renderBilling(api, '/store/billing/invoices/inv-1', {
      finance: true,
    });
    fireEvent.click(await screen.findByRole('button', { name: 'Credit note' }));
    const dialog = within(screen.getByRole('dialog'));
    const issue = dialog.getByRole('button', { name: 'Issue credit note' });

    // Nothing typed: every field says what it needs, nothing is posted.
    fireEvent.click(issue);
    await dialog.findByText('Say why the credit is given');
    expect(dialog.getByText('Describe the line')).toBeInTheDocument();
    expect(dialog.getByText('Enter an amount')).toBeInTheDocument();

    fireEvent.change(dialog.getByLabelText('Reason'), {
      target: { value: 'Outage on 2026-11-12' },
    });
    fireEvent.change(dialog.getByLabelText('Line 1 description'), {
      target: { value: 'Six hours of downtime' },
    });
    fireEvent.change(dialog.getByLabelText('Line 1 amount'), {
      target: { value: '7,25' },
    });
    fireEvent.click(dialog.getByRole('button', { name: 'Add line' }));
    fireEvent.change(dialog.getByLabelText('Line 2 description'), {
      target: { value: 'Support hours' },
    });
    fireEvent.change(dialog.getByLabelText('Line 2 amount'), {
      target: { value: '2.75' },
    });
    fireEvent.click(issue);
    await dialog.findByText('Enter a decimal amount, e.g. 12.50');
    expect(dialog.queryByText('Say why the credit is given')).toBeNull();
    expect(api.createCreditNote).not.toHaveBeenCalled();

    fireEvent.change(dialog.getByLabelText('Line 1 amount'), {
      target: { value: '7.25' },
    });
    fireEvent.click(issue);
    await screen.findByText('Credit note CN-2026-000001');
    expect(api.createCreditNote).toHaveBeenCalledTimes(1);
    expect(api.createCreditNote).toHaveBeenCalledWith({
      id: 'inv-1',
      request: {
        reason: 'Outage on 2026-11-12',
        lines: [
          { description: 'Six hours of downtime', amount: '7.25' },
          { description: 'Support hours', amount: '2.75' },
        ],
      },
    });
    expect(api.getInvoice).toHaveBeenCalledTimes(2);
    expect(screen.queryByRole('dialog')).toBeNull();
  });

  it('shows why the backend refused a credit note', async () => {
    const api = mockBillingApi();
    api.getInvoice.mockResolvedValue(
      invoice({ account: 'group:default/refused-here' }),
    );
    api.createCreditNote.mockRejectedValue(
      await responseError(403, 'NotAllowedError', 'Only finance may credit'),
    );
    await renderBilling(api, '/store/billing/invoices/inv-1', {
      finance: true,
    });
    fireEvent.click(await screen.findByRole('button', { name: 'Credit note' }));
    const dialog = within(screen.getByRole('dialog'));
    fireEvent.change(dialog.getByLabelText('Reason'), {
      target: { value: 'Goodwill' },
    });
    fireEvent.change(dialog.getByLabelText('Line 1 description'), {
      target: { value: 'Goodwill' },
    });
    fireEvent.change(dialog.getByLabelText('Line 1 amount'), {
      target: { value: '10' },
    });
    fireEvent.click(dialog.getByRole('button', { name: 'Issue credit note' }));
    await dialog.findByText('Only finance may credit');
    expect(api.getInvoice).toHaveBeenCalledTimes(1);
  });
});
