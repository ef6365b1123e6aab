import { ReactRouterV6PageRouter } from '@backstage/frontend-adapter-react-router-v6';
import { NotFoundErrorPage } from '@backstage/frontend-plugin-api';
import { Route, Routes } from 'react-router-dom';
import { BillingPage } from './Billing/BillingPage';
import { CostAnalyticsPage } from './Billing/CostAnalyticsPage';
import { InvoicePage } from './Billing/InvoicePage';
import { OrderFormPage } from './OrderForm/OrderFormPage';
import { ApprovalsPage } from './Orders/ApprovalsPage';
import { OrderDetailsPage } from './Orders/OrderDetailsPage';
import { OrdersPage } from './Orders/OrdersPage';
import { OrdersAdminPage } from './OrdersAdmin/OrdersAdminPage';
import { ProductPage } from './ProductPage/ProductPage';
import { StorePage } from './StorePage/StorePage';
import { SubscriptionPage } from './Subscriptions/SubscriptionPage';
import { SubscriptionsPage } from './Subscriptions/SubscriptionsPage';

/**
 * The store's pages: shop window, datasheets, ordering, approvals,
 * subscriptions and billing.
 */
export function StoreRouter() {
  return (
    <ReactRouterV6PageRouter>
      <Routes>
        <Route path="/" element={<StorePage />} />
        <Route path="/products/:namespace/:name" element={<ProductPage />} />
        <Route
          path="/products/:namespace/:name/order"
          element={<OrderFormPage />}
        />
        <Route path="/orders" element={<OrdersPage />} />
        <Route path="/orders/:id" element={<OrderDetailsPage />} />
        <Route path="/approvals" element={<ApprovalsPage />} />
        <Route path="/admin/orders" element={<OrdersAdminPage />} />
        <Route path="/subscriptions" element={<SubscriptionsPage />} />
        <Route path="/subscriptions/:id" element={<SubscriptionPage />} />
        <Route path="/billing" element={<BillingPage />} />
        <Route path="/billing/costs" element={<CostAnalyticsPage />} />
        <Route path="/billing/invoices/:id" element={<InvoicePage />} />
        <Route path="*" element={<NotFoundErrorPage />} />
      </Routes>
    </ReactRouterV6PageRouter>
  );
}
