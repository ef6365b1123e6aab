import {
  configure,
  fireEvent,
  screen,
  waitFor,
  within,
} from '@testing-library/react';
import {
  invoiceSummary,
  mockBillingApi,
  renderBilling,
} from './__testUtils__/billing';

configure({ asyncUtilTimeout: 30_000, defaultHidden: true });
jest.setTimeout(120_000);

const row = (text: string) => within(screen.getByText(text).closest('tr')!);

describe('BillingPage', () => {
  it('lists invoices with their account, period, total and CSV', async () => {
    const api = mockBillingApi();
    URL.createObjectURL = jest.fn(() => 'blob:csv');
    URL.revokeObjectURL = jest.fn();
    const downloads: string[] = [];
    const click = jest
      .spyOn(HTMLAnchorElement.prototype, 'click')
      .mockImplementation(function record(this: HTMLAnchorElement) {
        downloads.push(`${this.download} ${this.href}`);
      });
    await renderBilling(api, '/store/billing?account=group:default/team-a');

    const first = await screen.findByText('INV-2026-000001');
    expect(api.listInvoices).toHaveBeenCalledWith({
      account: 'group:default/team-a',
      period: undefined,
      limit: 50,
    });
    expect(first.closest('a')).toHaveAttribute(
      'href',
      '/store/billing/invoices/inv-1',
    );
    const a = row('INV-2026-000001');
    expect(await a.findByRole('link', { name: 'Team A' })).toHaveAttribute(
      'href',
      '/catalog/default/group/team-a',
    );
    expect(a.getByText('CC-1000')).toBeInTheDocument();
    expect(row('INV-2026-000002').getByText('—')).toBeInTheDocument();
    expect(a.getByText('2026-11')).toBeInTheDocument();
    expect(a.getByText('USD 107.50')).toBeInTheDocument();
    expect(row('INV-2026-000002').getByText('EUR -3.00')).toBeInTheDocument();
    expect(
      screen.getByRole('button', { name: 'Show more' }),
    ).toBeInTheDocument();
    expect(screen.getByText('Cost analytics').closest('a')).toHaveAttribute(
      'href',
      '/store/billing/costs',
    );
    // Members do not run invoices (administrators do, in
    // RunInvoicesButton.test.tsx: a basic permission's answer is cached for
    // the whole file, so each file has one role).
    expect(screen.queryByRole('button', { name: 'Run invoices' })).toBeNull();

    fireEvent.click(
      screen.getByRole('button', { name: 'Download INV-2026-000001 as CSV' }),
    );
    await waitFor(() => expect(click).toHaveBeenCalled());
    expect(api.getInvoiceCsv).toHaveBeenCalledWith({ id: 'inv-1' });
    expect(downloads).toEqual(['INV-2026-000001.csv blob:csv']);
    expect(URL.revokeObjectURL).toHaveBeenCalledWith('blob:csv');
    click.mockRestore();
  });

  it('filters by account and period', async () => {
    const api = mockBillingApi();
    api.listInvoices.mockResolvedValue({ items: [invoiceSummary()] });
    await renderBilling(api, '/store/billing');
    await screen.findByText('INV-2026-000001');
    expect(api.listInvoices).toHaveBeenLastCalledWith({
      account: undefined,
      period: undefined,
      limit: 50,
    });

    fireEvent.change(screen.getByLabelText('Billing account'), {
      target: { value: 'group:default/team-b' },
    });
    fireEvent.change(screen.getByLabelText('Period'), {
      target: { value: '2026-10' },
    });
    fireEvent.click(screen.getByRole('button', { name: 'Apply filters' }));
    await screen.findByText('INV-2026-000001');
    expect(api.listInvoices).toHaveBeenLastCalledWith({
      account: 'group:default/team-b',
      period: '2026-10',
      limit: 50,
    });
    expect(screen.queryByRole('button', { name: 'Show more' })).toBeNull();
  });
});
