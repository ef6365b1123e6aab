import { ResponseError } from '@backstage/errors';
import {
  configure,
  fireEvent,
  screen,
  waitFor,
  within,
} from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { order } from '../testOrders';
import { mockStoreApi, page, renderAdmin } from './__testUtils__/ordersAdmin';

// The first render of the app takes a while on a loaded machine.
configure({ asyncUtilTimeout: 30_000 });
jest.setTimeout(120_000);
const slow = { timeout: 30_000 };

const failed = order({
  id: 'failed-1',
  productTitle: 'Redis Cache',
  status: 'failed',
  ownerGroup: 'group:default/team-web',
});
const pending = order({ id: 'pending-1', productTitle: 'PostgreSQL Database' });
const cancelled = order({
  id: 'cancelled-1',
  productTitle: 'Static website',
  status: 'cancelled',
  requester: 'user:default/web-developer',
});

describe('OrdersAdminPage', () => {
  it('lists every order with the actions its status allows', async () => {
    const api = mockStoreApi([page([failed, pending, cancelled])]);
    await renderAdmin(api);

    expect(
      await screen.findByText('Orders (3)', undefined, slow),
    ).toBeInTheDocument();
    expect(api.listOrders).toHaveBeenCalledWith({ scope: 'all', limit: 50 });
    const row = (title: string) => screen.getByText(title).closest('tr')!;
    // People and groups by their catalog display names, linked to their
    // pages; one the catalog does not know by its name.
    expect(
      await within(row('Redis Cache')).findByRole('link', { name: 'Web Team' }),
    ).toHaveAttribute('href', '/catalog/default/group/team-web');
    expect(
      await within(row('Redis Cache')).findByRole('link', {
        name: 'Dana Developer',
      }),
    ).toHaveAttribute('href', '/catalog/default/user/developer');
    expect(
      within(row('Static website')).getByRole('link', {
        name: 'web-developer',
      }),
    ).toHaveAttribute('href', '/catalog/default/user/web-developer');
    const actions = (title: string) =>
      within(row(title))
        .queryAllByRole('button')
        .map(b => b.textContent);
    expect(actions('Redis Cache')).toEqual(['Retry', 'Close']);
    expect(actions('PostgreSQL Database')).toEqual(['Close']);
    expect(actions('Static website')).toEqual(['Reopen']);
  });

  it('reads its filters from the URL and sends them to the API', async () => {
    const api = mockStoreApi([page([failed])]);
    await renderAdmin(api, {
      path: '/store/admin/orders?status=failed&status=cancelled&product=product%3Adefault%2Fredis&requester=developer&group=team-web&from=2026-01-01&to=2026-01-31',
    });
    await screen.findByText('Orders (1)', undefined, slow);
    expect(api.listOrders).toHaveBeenLastCalledWith({
      scope: 'all',
      limit: 50,
      status: ['failed', 'cancelled'],
      product: ['product:default/redis'],
      requester: ['developer'],
      group: ['team-web'],
      createdAfter: '2026-01-01T00:00:00Z',
      createdBefore: '2026-02-01T00:00:00Z',
    });
    expect(screen.getByLabelText('Requester')).toHaveValue('developer');
    expect(screen.getByLabelText('Created to')).toHaveValue('2026-01-31');
  });

  it('applies filters typed into the form', async () => {
    const api = mockStoreApi([page([failed, pending])]);
    await renderAdmin(api);
    await screen.findByText('Orders (2)', undefined, slow);
    fireEvent.change(screen.getByLabelText('Group'), {
      target: { value: 'developers' },
    });
    await userEvent.click(
      screen.getByRole('button', { name: 'Apply filters' }),
    );
    await waitFor(() =>
      expect(api.listOrders).toHaveBeenLastCalledWith({
        scope: 'all',
        limit: 50,
        group: ['developers'],
      }),
    );
  });

  it('refuses a date range that ends before it starts', async () => {
    const api = mockStoreApi([page([failed])]);
    await renderAdmin(api, {
      path: '/store/admin/orders?from=2026-02-01&to=2026-01-01',
    });
    expect(
      await screen.findByText(
        /The start date 2026-02-01 is after the end date 2026-01-01/,
        undefined,
        slow,
      ),
    ).toBeInTheDocument();
    expect(api.listOrders).not.toHaveBeenCalled();
  });

  it('loads the next page with the cursor', async () => {
    const api = mockStoreApi([page([failed], 'page-2'), page([pending])]);
    await renderAdmin(api);
    await screen.findByText('Redis Cache', undefined, slow);
    await userEvent.click(screen.getByRole('button', { name: 'Show more' }));
    expect(
      await screen.findByText('PostgreSQL Database', undefined, slow),
    ).toBeInTheDocument();
    expect(api.listOrders).toHaveBeenLastCalledWith({
      scope: 'all',
      limit: 50,
      cursor: 'page-2',
    });
    expect(
      screen.queryByRole('button', { name: 'Show more' }),
    ).not.toBeInTheDocument();
  });

  it('closes an order after a confirmation with a comment', async () => {
    const api = mockStoreApi([page([failed])]);
    await renderAdmin(api);
    await userEvent.click(
      await screen.findByRole('button', { name: 'Close order failed-1' }, slow),
    );
    const dialog = await screen.findByRole('dialog', undefined, slow);
    expect(dialog).toHaveTextContent('Close order: Redis Cache');
    fireEvent.change(within(dialog).getByLabelText('Comment'), {
      target: { value: 'Template is broken' },
    });
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Close order' }),
    );
    await waitFor(() =>
      expect(api.decideOrder).toHaveBeenCalledWith({
        id: 'failed-1',
        action: 'close',
        comment: 'Template is broken',
      }),
    );
    await waitFor(() =>
      expect(screen.queryByRole('dialog')).not.toBeInTheDocument(),
    );
    // The list is loaded again to show the new status.
    expect(api.listOrders).toHaveBeenCalledTimes(2);
  });

  it('shows why an action failed and keeps the dialog open', async () => {
    const api = mockStoreApi([page([cancelled])]);
    api.decideOrder.mockRejectedValue(
      await ResponseError.fromResponse(
        new Response(
          JSON.stringify({
            error: {
              name: 'ConflictError',
              message: 'Order cancelled-1 was changed by someone else',
            },
            request: { method: 'POST', url: '/orders/cancelled-1/reopen' },
            response: { statusCode: 409 },
          }),
          { status: 409, headers: { 'content-type': 'application/json' } },
        ) as any,
      ),
    );
    await renderAdmin(api);
    await userEvent.click(
      await screen.findByRole(
        'button',
        { name: 'Reopen order cancelled-1' },
        slow,
      ),
    );
    const dialog = await screen.findByRole('dialog', undefined, slow);
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Reopen' }),
    );
    expect(
      await within(dialog).findByText(/was changed by someone else/),
    ).toBeInTheDocument();
    expect(
      within(dialog).getByText(/The order could not be reopened/),
    ).toBeInTheDocument();
  });
});
