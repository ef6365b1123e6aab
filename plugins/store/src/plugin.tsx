import {
  ApiBlueprint,
  createFrontendPlugin,
  discoveryApiRef,
  fetchApiRef,
  PageBlueprint,
} from '@backstage/frontend-plugin-api';
import StorefrontIcon from '@material-ui/icons/Storefront';
import { storeApiRef } from './api/StoreApi';
import { StoreClient } from './api/StoreClient';
import {
  approvalsRouteRef,
  billingRouteRef,
  costsRouteRef,
  invoiceRouteRef,
  orderProductRouteRef,
  orderRouteRef,
  ordersAdminRouteRef,
  ordersRouteRef,
  productRouteRef,
  rootRouteRef,
  subscriptionRouteRef,
  subscriptionsRouteRef,
} from './routes';

const storeApi = ApiBlueprint.make({
  params: defineParams =>
    defineParams({
      api: storeApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new StoreClient({ discoveryApi, fetchApi }),
    }),
});

const storePage = PageBlueprint.make({
  params: {
    path: '/store',
    routeRef: rootRouteRef,
    title: 'Store',
    icon: <StorefrontIcon />,
    noHeader: true,
    loader: () =>
      import('./components/StoreRouter').then(m => <m.StoreRouter />),
  },
});

/**
 * The Cloud Store: browse and search products, read their datasheets, order
 * them, manage the subscriptions the orders became and read their bills.
 *
 * @public
 */
export const storePlugin = createFrontendPlugin({
  pluginId: 'store',
  title: 'Store',
  icon: <StorefrontIcon />,
  routes: {
    root: rootRouteRef,
    product: productRouteRef,
    orderProduct: orderProductRouteRef,
    orders: ordersRouteRef,
    order: orderRouteRef,
    approvals: approvalsRouteRef,
    ordersAdmin: ordersAdminRouteRef,
    subscriptions: subscriptionsRouteRef,
    subscription: subscriptionRouteRef,
    billing: billingRouteRef,
    invoice: invoiceRouteRef,
    costs: costsRouteRef,
  },
  extensions: [storeApi, storePage],
});
