import { mockApis, renderInTestApp } from '@backstage/frontend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import { Order } from '@internal/plugin-store-common';
import { configure, screen } from '@testing-library/react';
import { OrderList, StoreApi, storeApiRef } from '../../api/StoreApi';
import { rootRouteRef } from '../../routes';
import { StoreRouter } from '../StoreRouter';
import { order, orderDetails } from '../testOrders';

// A file of its own: the permission API's answers are cached per module.
// The first render of the app takes a while on a loaded machine.
configure({ asyncUtilTimeout: 15_000 });
jest.setTimeout(60_000);
const slow = { timeout: 15_000 };

const failed = order({
  id: 'failed-1',
  productTitle: 'Redis Cache',
  status: 'failed',
  ownerGroup: 'group:default/team-web',
});

function mockStoreApi(pages: OrderList[]) {
  const listOrders = jest.fn(async (options: { cursor?: string }) =>
    options.cursor === 'page-2' ? pages[1] : pages[0],
  );
  return {
    listProducts: jest.fn(),
    getFacets: jest.fn(),
    getProduct: jest.fn(),
    previewOrder: jest.fn(),
    createOrder: jest.fn(),
    listOrders,
    getOrder: jest.fn(),
    decideOrder: jest.fn(
      async ({ id, action }: { id: string; action: string }) =>
        orderDetails({
          id,
          status: action === 'reopen' ? 'pending_approval' : 'cancelled',
        }),
    ),
  } as unknown as jest.Mocked<StoreApi>;
}

async function renderAdmin(
  api: StoreApi,
  options: { path?: string; allowed?: boolean } = {},
) {
  await renderInTestApp(<StoreRouter />, {
    apis: [
      [storeApiRef, api],
      [
        permissionApiRef,
        mockApis.permission({
          authorize:
            options.allowed === false
              ? AuthorizeResult.DENY
              : AuthorizeResult.ALLOW,
        }),
      ],
    ],
    mountPath: '/store/*',
    mountedRoutes: { '/store': rootRouteRef },
    initialRouteEntries: [options.path ?? '/store/admin/orders'],
  });
}

const page = (items: Order[], nextCursor?: string): OrderList => ({
  items,
  totalItems: items.length,
  nextCursor,
});

describe('OrdersAdminPage without permission', () => {
  it('is not available to those who may not administer orders', async () => {
    const api = mockStoreApi([page([failed])]);
    await renderAdmin(api, { allowed: false });
    expect(
      await screen.findByText('Not available', undefined, slow),
    ).toBeInTheDocument();
    expect(screen.queryByText('Redis Cache')).not.toBeInTheDocument();
  });
});
