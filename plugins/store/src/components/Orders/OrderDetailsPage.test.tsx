import { renderInTestApp } from '@backstage/frontend-test-utils';
import { configure, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { StoreApi, storeApiRef } from '../../api/StoreApi';
import { rootRouteRef } from '../../routes';
import { StoreRouter } from '../StoreRouter';
import { orderDetails } from '../testOrders';
import { catalogApis, catalogMountedRoutes } from '../__testUtils__/catalog';

// The first render of the app, and the catalog names after it, take a
// while on a loaded machine.
configure({ asyncUtilTimeout: 30_000 });
jest.setTimeout(60_000);

describe('OrderDetailsPage', () => {
  it('shows the timeline and cancels a pending order', async () => {
    const pending = orderDetails();
    const api = {
      getOrder: jest.fn(async () => pending),
      decideOrder: jest.fn(async () => orderDetails({ status: 'cancelled' })),
    } as unknown as jest.Mocked<StoreApi>;
    await renderInTestApp(<StoreRouter />, {
      apis: [[storeApiRef, api], ...catalogApis()],
      mountPath: '/store/*',
      mountedRoutes: { '/store': rootRouteRef, ...catalogMountedRoutes },
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

  it('names the requester and who did what by their catalog names', async () => {
    const approved = orderDetails({
      status: 'provisioning',
      events: [
        {
          id: 1,
          orderId: 'o1',
          action: 'create',
          toStatus: 'pending_approval',
          actor: 'user:default/developer',
          createdAt: '2026-11-25T10:00:00.000Z',
        },
        {
          id: 2,
          orderId: 'o1',
          action: 'approve',
          fromStatus: 'pending_approval',
          toStatus: 'approved',
          actor: 'user:default/approver',
          createdAt: '2026-11-25T11:00:00.000Z',
        },
        {
          id: 3,
          orderId: 'o1',
          action: 'provision',
          fromStatus: 'approved',
          toStatus: 'provisioning',
          actor: 'plugin:store',
          createdAt: '2026-11-25T11:00:01.000Z',
        },
      ],
    });
    const api = {
      getOrder: jest.fn(async () => approved),
    } as unknown as jest.Mocked<StoreApi>;
    await renderInTestApp(<StoreRouter />, {
      apis: [[storeApiRef, api], ...catalogApis()],
      mountPath: '/store/*',
      mountedRoutes: { '/store': rootRouteRef, ...catalogMountedRoutes },
      initialRouteEntries: ['/store/orders/o1'],
    });

    const header = await screen.findByRole('banner');
    expect(
      await within(header).findByRole('link', { name: 'Dana Developer' }),
    ).toHaveAttribute('href', '/catalog/default/user/developer');

    // The groups that may approve it, by their names.
    expect(
      await within(
        screen.getByText('Approvers').nextElementSibling as HTMLElement,
      ).findByRole('link', { name: 'Platform Admins' }),
    ).toHaveAttribute('href', '/catalog/default/group/platform-admins');

    const timeline = await screen.findByRole('list', { name: 'Timeline' });
    const entry = (title: string) =>
      within(timeline).getByText(title).closest('li')!;
    expect(
      await within(entry('Ordered')).findByRole('link', {
        name: 'Dana Developer',
      }),
    ).toHaveAttribute('href', '/catalog/default/user/developer');
    expect(
      await within(entry('Approved')).findByRole('link', {
        name: 'Avery Approver',
      }),
    ).toHaveAttribute('href', '/catalog/default/user/approver');
    // The store itself has no catalog page: it is named as recorded.
    const provisioning = entry('Provisioning started');
    expect(provisioning).toHaveTextContent('plugin:store');
    expect(
      within(provisioning).queryByRole('link', { name: /store/ }),
    ).toBeNull();
    expect(screen.queryByText(/user:default\//)).toBeNull();
  });
});
