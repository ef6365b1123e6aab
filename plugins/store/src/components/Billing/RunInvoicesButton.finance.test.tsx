import { configure, screen } from '@testing-library/react';
import { mockBillingApi, renderBilling } from './__testUtils__/billing';

configure({ asyncUtilTimeout: 30_000, defaultHidden: true });
jest.setTimeout(120_000);

// A file of its own: the answer of a basic permission is cached for the
// whole file, and here the caller is finance.
describe('RunInvoicesButton for finance', () => {
  it('is not offered to finance, who read all billing but do not manage it', async () => {
    const api = mockBillingApi();
    await renderBilling(api, '/store/billing', { finance: true });
    await screen.findByText('INV-2026-000001');
    // Finance may read every invoice: the page is fully rendered.
    expect(
      await screen.findByRole('link', { name: 'Team B' }),
    ).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Run invoices' })).toBeNull();
    expect(api.runInvoices).not.toHaveBeenCalled();
  });
});
