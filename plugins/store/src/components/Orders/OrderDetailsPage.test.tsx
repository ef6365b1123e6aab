import { renderInTestApp } from '@backstage/frontend-test-utils';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { StoreApi, storeApiRef } from '../../api/StoreApi';
import { rootRouteRef } from '../../routes';
import { StoreRouter } from '../StoreRouter';
import { orderDetails } from '../testOrders';

describe('OrderDetailsPage', () => {
  it('shows the timeline and cancels a pending order', async () => {
    const pending = orderDetails();
    const api = {
      getOrder: jest.fn(async () => pending),
      decideOrder: jest.fn(async () => orderDetails({ status: 'cancelled' })),
    } as unknown as jest.Mocked<StoreApi>;
    await renderInTestApp(<StoreRouter />, {
      apis: [[storeApiRef, api]],
      mountPath: '/store/*',
      mountedRoutes: { '/store': rootRouteRef },
      initialRouteEntries: ['/store/orders/o1'],
    });

    const timeline = await screen.findByRole('list', { name: 'Timeline' });
    expect(within(timeline).getByText('Ordered')).toBeInTheDocument();
    expect(screen.getByText('Waiting for approval')).toBeInTheDocument();

    await userEvent.click(screen.getByRole('button', { name: 'Cancel order' }));
    await waitFor(() =>
      expect(api.decideOrder).toHaveBeenCalledWith({
        id: 'o1',
        action: 'cancel',
      }),
    );
    // The order is read again to show its new status.
    await waitFor(() => expect(api.getOrder).toHaveBeenCalledTimes(2));
  });
});
