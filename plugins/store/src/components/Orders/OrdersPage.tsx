import {
  Content,
  Header,
  Link,
  Page,
  ResponseErrorPanel,
  Table,
  TableColumn,
} from '@backstage/core-components';
import { useApi, useRouteRef } from '@backstage/frontend-plugin-api';
import { formatPrice, Order } from '@internal/plugin-store-common';
import useAsync from 'react-use/esm/useAsync';
import { storeApiRef } from '../../api/StoreApi';
import { approvalsRouteRef, orderRouteRef, rootRouteRef } from '../../routes';
import { OrderStatusLabel } from './OrderStatusLabel';

/** The caller's orders, newest first. */
export function OrdersPage() {
  const storeApi = useApi(storeApiRef);
  const orderRoute = useRouteRef(orderRouteRef);
  const storeRoute = useRouteRef(rootRouteRef);
  const approvalsRoute = useRouteRef(approvalsRouteRef);
  const orders = useAsync(
    () => storeApi.listOrders({ scope: 'mine', limit: 100 }),
    [storeApi],
  );
  const columns: TableColumn<Order>[] = [
    {
      title: 'Product',
      render: order => (
        <Link to={orderRoute?.({ id: order.id }) ?? '#'}>
          {order.productTitle}
        </Link>
      ),
    },
    { title: 'Plan', field: 'planId' },
    { title: 'Provider', field: 'provider' },
    { title: 'Price', render: order => formatPrice(order.price) },
    {
      title: 'Status',
      render: order => <OrderStatusLabel status={order.status} />,
    },
    {
      title: 'Ordered',
      render: order => new Date(order.createdAt).toLocaleString(),
    },
  ];
  return (
    <Page themeId="home">
      <Header
        title="My orders"
        type="Store"
        typeLink={storeRoute?.() ?? '/store'}
      />
      <Content>
        {orders.error ? (
          <ResponseErrorPanel
            error={orders.error}
            title="Your orders could not be loaded"
          />
        ) : (
          <Table<Order>
            title="My orders"
            isLoading={orders.loading}
            options={{ paging: false, search: false }}
            columns={columns}
            data={orders.value?.items ?? []}
            emptyContent={
              <Content>
                No orders yet. Find a product in the{' '}
                <Link to={storeRoute?.() ?? '/store'}>store</Link>, or decide on
                the orders in your{' '}
                <Link to={approvalsRoute?.() ?? '/store/approvals'}>
                  approval inbox
                </Link>
                .
              </Content>
            }
          />
        )}
      </Content>
    </Page>
  );
}
