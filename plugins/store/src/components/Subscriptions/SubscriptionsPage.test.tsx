import {
  configure,
  fireEvent,
  screen,
  waitFor,
  within,
} from '@testing-library/react';
import { subscription } from '../testSubscriptions';
import {
  mockStoreApi,
  renderStore,
  responseError,
} from './__testUtils__/subscriptions';

// The first render of the app takes a while on a loaded machine. Queries by
// role skip the costly visibility check of every element: the dialog's
// queries are scoped to it.
configure({ asyncUtilTimeout: 30_000, defaultHidden: true });
jest.setTimeout(120_000);

const active = subscription();
const cancelled = subscription({
  id: 's2',
  productTitle: 'Redis Cache',
  productRef: 'product:default/redis',
  status: 'cancelled',
  autoRenew: false,
  nextRenewalPrice: undefined,
});

const row = (title: string) => screen.getByText(title).closest('tr')!;
const buttonsOf = (element: HTMLElement) =>
  within(element)
    .queryAllByRole('button')
    .map(b => b.textContent);

/** Waits for the table, then opens an action of a row. */
async function openAction(title: string, action: string) {
  await screen.findByText(title);
  fireEvent.click(within(row(title)).getByText(action));
}

describe('SubscriptionsPage', () => {
  it('lists the subscriptions with their period, renewal and actions', async () => {
    const api = mockStoreApi([active, cancelled]);
    await renderStore(api, '/store/subscriptions');

    const title = await screen.findByText('PostgreSQL Database');
    expect(title.closest('a')).toHaveAttribute(
      'href',
      '/store/subscriptions/s1',
    );
    expect(api.listSubscriptions).toHaveBeenCalledWith({ limit: 50 });
    const first = within(row('PostgreSQL Database'));
    expect(first.getByText('Free')).toBeInTheDocument();
    expect(first.getByText('Active')).toBeInTheDocument();
    expect(first.getByText('2026-11-25')).toBeInTheDocument();
    expect(first.getByText('2027-11-25')).toBeInTheDocument();
    expect(first.getByText('On')).toBeInTheDocument();
    expect(first.getByText('USD 0.00')).toBeInTheDocument();
    expect(buttonsOf(row('PostgreSQL Database'))).toEqual([
      'Renew',
      'Change plan',
      'Cancel',
      'Auto-renew off',
    ]);
    expect(within(row('Redis Cache')).getByText('Cancelled')).toBeVisible();
    expect(buttonsOf(row('Redis Cache'))).toEqual([]);
  });

  it('tells apart two subscriptions of one product by their stacks and order', async () => {
    const web = subscription({
      id: 's3',
      orderId: '5f0c2a9e-1b7d-4c8e-9a21-3d4e5f6a7b8c',
      stacks: ['web-prod'],
      startedAt: '2026-10-01T09:00:00.000Z',
    });
    const staging = subscription({
      id: 's4',
      orderId: '9d8c7b6a-5e4f-4a3b-8c2d-1e0f9a8b7c6d',
      stacks: ['web-staging', 'web-staging-db'],
      startedAt: '2026-11-02T09:00:00.000Z',
    });
    const api = mockStoreApi([web, staging]);
    await renderStore(api, '/store/subscriptions');

    const [first, second] = (
      await screen.findAllByText('PostgreSQL Database')
    ).map(title => within(title.closest('tr')!));
    expect(first.getByText('web-prod').closest('a')).toHaveAttribute(
      'href',
      '/cloud/stacks/web-prod',
    );
    const order = first.getByText('5f0c2a9e');
    expect(order.closest('a')).toHaveAttribute(
      'href',
      '/store/orders/5f0c2a9e-1b7d-4c8e-9a21-3d4e5f6a7b8c',
    );
    expect(first.getByText('started 2026-10-01')).toBeInTheDocument();
    expect(second.getByText('web-staging')).toBeInTheDocument();
    expect(second.getByText('web-staging-db')).toBeInTheDocument();
    expect(second.getByText('9d8c7b6a').closest('a')).toHaveAttribute(
      'href',
      '/store/orders/9d8c7b6a-5e4f-4a3b-8c2d-1e0f9a8b7c6d',
    );
    expect(second.getByText('started 2026-11-02')).toBeInTheDocument();
    expect(screen.getAllByRole('columnheader').map(h => h.textContent)).toEqual(
      expect.arrayContaining(['Stacks', 'Order']),
    );
  });

  it('shows the breakdown of a plan change before changing it', async () => {
    const api = mockStoreApi([active]);
    await renderStore(api, '/store/subscriptions');
    await openAction('PostgreSQL Database', 'Change plan');
    const dialog = screen.getByRole('dialog');
    // The plans come from the product; the current one is not offered.
    await within(dialog).findByText('Enterprise — USD 999.00/month');
    expect(
      within(dialog)
        .getAllByRole('option')
        .map(o => o.textContent),
    ).toEqual([
      'Choose a plan',
      'Standard — USD 49.00/month',
      'Enterprise — USD 999.00/month',
    ]);
    expect(api.getProduct).toHaveBeenCalledWith({
      namespace: 'default',
      name: 'postgresql',
    });
    const confirm = within(dialog).getByRole('button', { name: 'Change plan' });
    expect(confirm).toBeDisabled();

    fireEvent.change(within(dialog).getByLabelText('New plan'), {
      target: { value: 'enterprise' },
    });
    const quote = await within(dialog).findByRole('table', { name: 'Quote' });
    const line = (label: string) =>
      within(quote).getByRole('rowheader', { name: label }).nextSibling
        ?.textContent;
    expect(line('Current plan')).toBe('Free — USD 0.00/month');
    expect(line('New plan')).toBe('Enterprise — USD 999.00/month');
    expect(line('Days left')).toBe('364');
    expect(line('Daily difference')).toBe('USD 32.23');
    expect(line('Total charge')).toBe('USD 11730.19');
    expect(line('Stacks')).toBe('stack-1: 1 → 5 instances');
    expect(api.quotePlanChange).toHaveBeenCalledWith({
      id: 's1',
      planId: 'enterprise',
    });
    expect(api.changeSubscriptionPlan).not.toHaveBeenCalled();

    fireEvent.click(confirm);
    // The table is read again once the plan changed.
    await waitFor(() => expect(api.listSubscriptions).toHaveBeenCalledTimes(2));
    expect(api.changeSubscriptionPlan).toHaveBeenCalledTimes(1);
    expect(api.changeSubscriptionPlan).toHaveBeenCalledWith({
      id: 's1',
      planId: 'enterprise',
      version: 1,
      idempotencyKey: expect.stringMatching(/^[0-9a-f-]{32,36}$/),
    });
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
  });

  it('shows why a plan change was refused, and resends the same key', async () => {
    const api = mockStoreApi([active]);
    api.changeSubscriptionPlan.mockRejectedValueOnce(
      await responseError(
        409,
        'ConflictError',
        'The subscription changed since the quote',
      ),
    );
    await renderStore(api, '/store/subscriptions');
    await openAction('PostgreSQL Database', 'Change plan');
    const dialog = screen.getByRole('dialog');
    await within(dialog).findByText(/Enterprise/);
    fireEvent.change(within(dialog).getByLabelText('New plan'), {
      target: { value: 'enterprise' },
    });
    await within(dialog).findByText('USD 11730.19');
    const confirm = within(dialog).getByRole('button', { name: 'Change plan' });
    fireEvent.click(confirm);

    expect(
      await within(dialog).findByText(
        'The subscription changed since the quote',
      ),
    ).toBeInTheDocument();
    expect(screen.getByRole('dialog')).toBe(dialog);
    expect(api.listSubscriptions).toHaveBeenCalledTimes(1);

    // Confirming again is the same request: the same Idempotency-Key.
    fireEvent.click(confirm);
    await waitFor(() => expect(api.listSubscriptions).toHaveBeenCalledTimes(2));
    const [first, second] = api.changeSubscriptionPlan.mock.calls.map(
      ([options]) => options.idempotencyKey,
    );
    expect(first).toEqual(expect.any(String));
    expect(second).toBe(first);
  });

  it('renews only by a whole number of periods, 1 or more', async () => {
    const api = mockStoreApi([active]);
    await renderStore(api, '/store/subscriptions');
    await openAction('PostgreSQL Database', 'Renew');
    const dialog = screen.getByRole('dialog');
    await within(dialog).findByText('2028-11-25');
    const periods = within(dialog).getByLabelText(/Periods/);
    const confirm = within(dialog).getByRole('button', { name: 'Renew' });
    expect(confirm).toBeEnabled();

    for (const refused of ['0', '1.5']) {
      fireEvent.change(periods, { target: { value: refused } });
      expect(
        within(dialog).getByText('Enter a whole number of periods, 1 or more'),
      ).toBeInTheDocument();
      expect(confirm).toBeDisabled();
      expect(within(dialog).queryByRole('table')).not.toBeInTheDocument();
    }
    expect(api.quoteRenewal.mock.calls.map(([o]) => o.periods)).toEqual([1]);

    fireEvent.change(periods, { target: { value: '2' } });
    await within(dialog).findByText('2029-11-25');
    fireEvent.click(confirm);
    await waitFor(() => expect(api.renewSubscription).toHaveBeenCalled());
    expect(api.renewSubscription).toHaveBeenCalledWith({
      id: 's1',
      periods: 2,
      version: 1,
      idempotencyKey: expect.any(String),
    });
  });

  it('turns auto-renewal off after saying what follows', async () => {
    const api = mockStoreApi([active]);
    await renderStore(api, '/store/subscriptions');
    await openAction('PostgreSQL Database', 'Auto-renew off');
    const dialog = screen.getByRole('dialog');
    expect(
      within(dialog).getByText(/is not renewed on 2027-11-25/),
    ).toBeInTheDocument();
    fireEvent.click(within(dialog).getByRole('button', { name: 'Turn off' }));
    await waitFor(() => expect(api.listSubscriptions).toHaveBeenCalledTimes(2));
    expect(api.setSubscriptionAutoRenew).toHaveBeenCalledWith({
      id: 's1',
      autoRenew: false,
      version: 1,
      idempotencyKey: expect.any(String),
    });
  });
});
