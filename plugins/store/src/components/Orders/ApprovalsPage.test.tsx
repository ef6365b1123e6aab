import { renderInTestApp } from '@backstage/frontend-test-utils';
import { configure, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { StoreApi, storeApiRef } from '../../api/StoreApi';
import { rootRouteRef } from '../../routes';
import { StoreRouter } from '../StoreRouter';
import { order, orderDetails } from '../testOrders';
import { catalogApis, catalogMountedRoutes } from '../__testUtils__/catalog';

// The first render of the app, and the catalog names after it, take a
// while on a loaded machine.
configure({ asyncUtilTimeout: 30_000 });
jest.setTimeout(60_000);

function mockStoreApi() {
  let pending = [order(), order({ id: 'o2', productTitle: 'Redis Cache' })];
  return {
    listProducts: jest.fn(),
    getFacets: jest.fn(),
    getProduct: jest.fn(),
    previewOrder: jest.fn(),
    createOrder: jest.fn(),
    listOrders: jest.fn(async () => ({
      items: pending,
      totalItems: pending.length,
    })),
    getOrder: jest.fn(),
    decideOrder: jest.fn(async ({ id }: { id: string }) => {
      pending = pending.filter(o => o.id !== id);
      return orderDetails({ id, status: 'approved' });
    }),
  } as unknown as jest.Mocked<StoreApi>;
}

async function renderInbox(api: StoreApi) {
  await renderInTestApp(<StoreRouter />, {
    apis: [[storeApiRef, api], ...catalogApis()],
    mountPath: '/store/*',
    mountedRoutes: { '/store': rootRouteRef, ...catalogMountedRoutes },
    initialRouteEntries: ['/store/approvals'],
  });
}

describe('ApprovalsPage', () => {
  it('shows pending orders with price and requester', async () => {
    const api = mockStoreApi();
    await renderInbox(api);
    const card = await screen.findByTestId('pending-o1');
    expect(within(card).getByText('USD 999.00/month')).toBeInTheDocument();
    // The requester by the display name of their catalog profile.
    const requester = await within(card).findByRole('link', {
      name: 'Dana Developer',
    });
    expect(requester).toHaveAttribute(
      'href',
      '/catalog/default/user/developer',
    );
    expect(card).toHaveTextContent(/Requested by Dana Developer on /);
    expect(screen.queryByText(/user:default\/developer/)).toBeNull();
    expect(api.listOrders).toHaveBeenCalledWith({
      scope: 'inbox',
      status: ['pending_approval'],
      limit: 100,
    });
  });

  it('approves an order with a comment', async () => {
    const api = mockStoreApi();
    await renderInbox(api);
    const card = await screen.findByTestId('pending-o1');
    await userEvent.type(within(card).getByLabelText('Comment'), 'Go ahead');
    await userEvent.click(
      within(card).getByRole('button', { name: 'Approve' }),
    );

    await waitFor(() =>
      expect(api.decideOrder).toHaveBeenCalledWith({
        id: 'o1',
        action: 'approve',
        comment: 'Go ahead',
      }),
    );
    await waitFor(() =>
      expect(screen.queryByTestId('pending-o1')).not.toBeInTheDocument(),
    );
    expect(screen.getByTestId('pending-o2')).toBeInTheDocument();
  });

  it('rejects an order', async () => {
    const api = mockStoreApi();
    await renderInbox(api);
    const card = await screen.findByTestId('pending-o2');
    await userEvent.click(within(card).getByRole('button', { name: 'Reject' }));
    await waitFor(() =>
      expect(api.decideOrder).toHaveBeenCalledWith({
        id: 'o2',
        action: 'reject',
        comment: undefined,
      }),
    );
  });
});
