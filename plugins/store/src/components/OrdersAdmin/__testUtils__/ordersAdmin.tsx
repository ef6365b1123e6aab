import { mockApis, renderInTestApp } from '@backstage/frontend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import { Order } from '@internal/plugin-store-common';
import { OrderList, StoreApi, storeApiRef } from '../../../api/StoreApi';
import { rootRouteRef } from '../../../routes';
import { StoreRouter } from '../../StoreRouter';
import { orderDetails } from '../../testOrders';
import { catalogApis, catalogMountedRoutes } from '../../__testUtils__/catalog';

/**
 * A store API whose order list answers with `pages` (the second for the
 * cursor `page-2`) and whose decisions return the decided order.
 */
export function mockStoreApi(pages: OrderList[]) {
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

/** Renders the store at the orders admin page, allowed or not. */
export async function renderAdmin(
  api: StoreApi,
  options: { path?: string; allowed?: boolean } = {},
) {
  await renderInTestApp(<StoreRouter />, {
    apis: [
      [storeApiRef, api],
      ...catalogApis(),
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
    mountedRoutes: { '/store': rootRouteRef, ...catalogMountedRoutes },
    initialRouteEntries: [options.path ?? '/store/admin/orders'],
  });
}

/** One page of an order list. */
export const page = (items: Order[], nextCursor?: string): OrderList => ({
  items,
  totalItems: items.length,
  nextCursor,
});
