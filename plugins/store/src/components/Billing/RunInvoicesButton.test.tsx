import { configure, fireEvent, screen, within } from '@testing-library/react';
import { waitFor } from '@testing-library/react';
import { mockBillingApi, renderBilling } from './__testUtils__/billing';

configure({ asyncUtilTimeout: 30_000, defaultHidden: true });
jest.setTimeout(120_000);

// A file of its own: the answer of a basic permission is cached for the
// whole file, and here the caller is an administrator.
describe('RunInvoicesButton', () => {
  it('lets an administrator run the invoices of a month, and says when a second run issues nothing', async () => {
    const api = mockBillingApi();
    await renderBilling(api, '/store/billing', { admin: true });
    await screen.findByText('INV-2026-000001');
    fireEvent.click(
      await screen.findByRole('button', { name: 'Run invoices' }),
    );
    const dialog = within(screen.getByRole('dialog'));
    fireEvent.change(dialog.getByLabelText('Month'), {
      target: { value: '2026-11' },
    });
    fireEvent.click(dialog.getByRole('button', { name: 'Run invoices' }));
    await dialog.findByText('Issued 1 invoice for 2026-11: INV-2026-000001.');
    expect(api.runInvoices).toHaveBeenCalledWith({ period: '2026-11' });
    // The list is read again with what the run issued.
    await waitFor(() => expect(api.listInvoices).toHaveBeenCalledTimes(2));

    api.runInvoices.mockResolvedValueOnce({ period: '2026-11', issued: [] });
    fireEvent.click(dialog.getByRole('button', { name: 'Run invoices' }));
    await dialog.findByText(
      'No new invoices for 2026-11: the month is invoiced already, or nothing in it is left to invoice.',
    );
    expect(api.runInvoices).toHaveBeenCalledTimes(2);
  });
});
