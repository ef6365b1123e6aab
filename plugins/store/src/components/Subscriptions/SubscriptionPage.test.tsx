import {
  configure,
  fireEvent,
  screen,
  waitFor,
  within,
} from '@testing-library/react';
import { subscriptionDetails } from '../testSubscriptions';
import { mockStoreApi, renderStore } from './__testUtils__/subscriptions';

// Queries by role skip the costly visibility check of every element.
configure({ asyncUtilTimeout: 30_000, defaultHidden: true });
jest.setTimeout(120_000);

const details = subscriptionDetails({
  stacks: ['stack-1', 'stack-2'],
  charges: [
    {
      id: 'c1',
      subscriptionId: 's1',
      kind: 'proration',
      description: 'Free to Standard, 30 days',
      amount: { amount: '48.33', currency: 'USD' },
      periodStart: '2026-11-26',
      periodEnd: '2026-12-25',
      createdAt: '2026-11-26T10:00:00.000Z',
    },
  ],
});

describe('SubscriptionPage', () => {
  it('shows the plan, stacks, charges and timeline, and cancels now', async () => {
    const api = mockStoreApi([]);
    api.getSubscription.mockResolvedValue(details);
    await renderStore(api, '/store/subscriptions/s1');

    const timeline = (await screen.findByText('Subscribed')).closest('ul')!;
    expect(timeline).toHaveAttribute('aria-label', 'Timeline');
    expect(api.getSubscription).toHaveBeenCalledWith({ id: 's1' });
    const limits = screen.getByLabelText('Plan limits');
    expect(within(limits).getByText('Instances: 1')).toBeInTheDocument();
    expect(within(limits).getByText('Memory: 1Gi')).toBeInTheDocument();
    expect(screen.getByText('2026-11-25 to 2027-11-25')).toBeInTheDocument();
    // The header tells it apart from other subscriptions of the product.
    expect(screen.getByText('stack-1, stack-2')).toBeInTheDocument();
    expect(screen.getByText('2026-11-25', { exact: true })).toBeInTheDocument();
    const order = screen.getAllByText('o1');
    expect(order.map(o => o.closest('a')?.getAttribute('href'))).toContain(
      '/store/orders/o1',
    );
    expect(screen.getByText('stack-2').closest('a')).toHaveAttribute(
      'href',
      '/cloud/stacks/stack-2',
    );
    expect(screen.getByText('the order').closest('a')).toHaveAttribute(
      'href',
      '/store/orders/o1',
    );
    // The owning group in the header and the overview, the requester and
    // who did what in the timeline, by their catalog names and linked.
    const teamA = await screen.findAllByRole('link', { name: 'Team A' });
    expect(teamA.map(link => link.getAttribute('href'))).toEqual([
      '/catalog/default/group/team-a',
      '/catalog/default/group/team-a',
    ]);
    expect(screen.getByText('Billed to').nextSibling).toHaveTextContent(
      'Team A',
    );
    expect(
      within(
        screen.getByText('Ordered by').nextSibling as HTMLElement,
      ).getByRole('link', { name: 'Dana Developer' }),
    ).toHaveAttribute('href', '/catalog/default/user/developer');
    expect(
      within(timeline).getByRole('link', { name: 'Dana Developer' }),
    ).toHaveAttribute('href', '/catalog/default/user/developer');
    expect(screen.queryByText(/(user|group):default\//)).toBeNull();
    const charge = screen.getByText('Free to Standard, 30 days').closest('tr')!;
    expect(within(charge).getByText('USD 48.33')).toBeInTheDocument();
    // No invoice yet, so no invoice column.
    expect(screen.queryByText('Invoice')).not.toBeInTheDocument();

    fireEvent.click(screen.getByText('Cancel'));
    const dialog = screen.getByRole('dialog');
    await within(dialog).findByText('2027-11-25');
    fireEvent.click(within(dialog).getByLabelText('Now'));
    await within(dialog).findByText('2026-12-01');
    expect(within(dialog).getByText('USD 3.14')).toBeInTheDocument();
    expect(within(dialog).getByText('stack-1: deleted')).toBeInTheDocument();
    fireEvent.click(
      within(dialog).getByRole('button', { name: 'Cancel subscription' }),
    );
    await waitFor(() => expect(api.getSubscription).toHaveBeenCalledTimes(2));
    expect(api.cancelSubscription).toHaveBeenCalledWith({
      id: 's1',
      when: 'now',
      version: 1,
      idempotencyKey: expect.any(String),
    });
  });

  it('says so when the subscription is not visible', async () => {
    const api = mockStoreApi([]);
    api.getSubscription.mockRejectedValue(new Error('Not found: s9'));
    await renderStore(api, '/store/subscriptions/s9');
    expect(
      await screen.findByText(/The subscription could not be loaded/),
    ).toBeInTheDocument();
  });
});
