import {
  createRouteRef,
  createSubRouteRef,
} from '@backstage/frontend-plugin-api';

/** The store's front page. */
export const rootRouteRef = createRouteRef();

/** The datasheet of one product. */
export const productRouteRef = createSubRouteRef({
  parent: rootRouteRef,
  path: '/products/:namespace/:name',
});

/** The order form of one product. */
export const orderProductRouteRef = createSubRouteRef({
  parent: rootRouteRef,
  path: '/products/:namespace/:name/order',
});

/** The caller's orders. */
export const ordersRouteRef = createSubRouteRef({
  parent: rootRouteRef,
  path: '/orders',
});

/** One order and its timeline. */
export const orderRouteRef = createSubRouteRef({
  parent: rootRouteRef,
  path: '/orders/:id',
});

/** Orders waiting for the caller's decision. */
export const approvalsRouteRef = createSubRouteRef({
  parent: rootRouteRef,
  path: '/approvals',
});

/** Every order, for store administrators. */
export const ordersAdminRouteRef = createSubRouteRef({
  parent: rootRouteRef,
  path: '/admin/orders',
});

/** The subscriptions the caller may see. */
export const subscriptionsRouteRef = createSubRouteRef({
  parent: rootRouteRef,
  path: '/subscriptions',
});

/** One subscription: its plan, charges, stacks and timeline. */
export const subscriptionRouteRef = createSubRouteRef({
  parent: rootRouteRef,
  path: '/subscriptions/:id',
});

/** The invoices of the billing accounts the caller may see. */
export const billingRouteRef = createSubRouteRef({
  parent: rootRouteRef,
  path: '/billing',
});

/** One invoice, printable, with its credit notes. */
export const invoiceRouteRef = createSubRouteRef({
  parent: rootRouteRef,
  path: '/billing/invoices/:id',
});

/** Costs by billing account, product and month. */
export const costsRouteRef = createSubRouteRef({
  parent: rootRouteRef,
  path: '/billing/costs',
});
