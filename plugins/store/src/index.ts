/**
 * The Cloud Store frontend plugin.
 *
 * @packageDocumentation
 */

export { storePlugin as default } from './plugin';
export { storeApiRef } from './api/StoreApi';
export type {
  StoreApi,
  ProductPage,
  CancellationTime,
  SubscriptionList,
  SubscriptionListOptions,
} from './api/StoreApi';
export type {
  CostQuery,
  CreditNoteRequest,
  InvoiceListOptions,
} from './api/billingTypes';
export { StoreClient } from './api/StoreClient';
export { OrdersAdminSidebarItem } from './components/OrdersAdmin/OrdersAdminSidebarItem';
export { SubscriptionsSidebarItem } from './components/Subscriptions/SubscriptionsSidebarItem';
export { BillingSidebarItem } from './components/Billing/BillingSidebarItem';
