import { mockApis, renderInTestApp } from '@backstage/frontend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import { Route, Routes } from 'react-router-dom';
import {
  Invoice,
  InvoiceSummary,
  storeBillingManagePermission,
} from '@internal/plugin-store-common';
import { StoreApi, storeApiRef } from '../../../api/StoreApi';
import { rootRouteRef } from '../../../routes';
import { BillingPage } from '../BillingPage';
import { CostAnalyticsPage } from '../CostAnalyticsPage';
import { InvoicePage } from '../InvoicePage';
import { catalogApis, catalogMountedRoutes } from '../../__testUtils__/catalog';

/** An invoice of team A for November 2026, without lines. */
export function invoiceSummary(
  overrides: Partial<InvoiceSummary> = {},
): InvoiceSummary {
  return {
    id: 'inv-1',
    number: 'INV-2026-000001',
    account: 'group:default/team-a',
    costCenter: 'CC-1000',
    period: '2026-11',
    status: 'issued',
    total: { amount: '107.50', currency: 'USD' },
    credited: { amount: '0.00', currency: 'USD' },
    issuedAt: '2026-12-01T00:00:00Z',
    ...overrides,
  };
}

/** The November invoice of team A: a subscription, a proration, a credit. */
export function invoice(overrides: Partial<Invoice> = {}): Invoice {
  return {
    ...invoiceSummary(),
    lines: [
      {
        id: 'l1',
        kind: 'recurring',
        description: 'PostgreSQL Database, Standard, 2026-11',
        subscriptionId: 's1',
        productRef: 'product:default/postgresql',
        productTitle: 'PostgreSQL Database',
        quantity: '2',
        amount: { amount: '100.00', currency: 'USD' },
      },
      {
        id: 'l2',
        kind: 'proration',
        description: 'Plan change to Enterprise, 3 days',
        subscriptionId: 's2',
        productRef: 'product:default/redis',
        productTitle: 'Redis Cache',
        amount: { amount: '12.50', currency: 'USD' },
      },
      {
        id: 'l3',
        kind: 'credit',
        description: 'Cancellation credit',
        subscriptionId: 's3',
        productRef: 'product:default/kafka',
        productTitle: 'Kafka',
        amount: { amount: '-5.00', currency: 'USD' },
      },
    ],
    creditNotes: [
      {
        id: 'cn-1',
        number: 'CN-2026-000001',
        invoiceId: 'inv-1',
        reason: 'Outage on 2026-11-12',
        createdBy: 'user:default/finance',
        createdAt: '2026-12-02T00:00:00Z',
        total: { amount: '-7.25', currency: 'USD' },
        lines: [
          {
            description: 'Six hours of downtime',
            amount: { amount: '-7.25', currency: 'USD' },
          },
        ],
      },
    ],
    ...overrides,
  };
}

/** A store API answering the billing calls with the test invoice. */
export function mockBillingApi() {
  return {
    listInvoices: jest.fn(async () => ({
      items: [
        invoiceSummary(),
        invoiceSummary({
          id: 'inv-2',
          number: 'INV-2026-000002',
          account: 'group:default/team-b',
          costCenter: undefined,
          total: { amount: '-3.00', currency: 'EUR' },
          credited: { amount: '0.00', currency: 'EUR' },
        }),
      ],
      nextCursor: 'page-2',
    })),
    getInvoice: jest.fn(async () => invoice()),
    getInvoiceCsv: jest.fn(
      async () => new Blob(['number\nINV-2026-000001\n'], { type: 'text/csv' }),
    ),
    createCreditNote: jest.fn(async () => invoice().creditNotes[0]),
    runInvoices: jest.fn(async ({ period }: { period: string }) => ({
      period,
      issued: [invoiceSummary({ period })],
    })),
    getCosts: jest.fn(async (query: { groupBy: string; account?: string }) => {
      if (query.groupBy === 'product') {
        return {
          currency: 'USD',
          rows: query.account
            ? [
                {
                  key: 'product:default/redis',
                  label: 'Redis Cache',
                  amount: '42.00',
                },
              ]
            : [
                {
                  key: 'product:default/postgresql',
                  label: 'PostgreSQL Database',
                  amount: '1200.00',
                },
                {
                  key: 'product:default/redis',
                  label: 'Redis Cache',
                  amount: '99.90',
                },
              ],
        };
      }
      if (query.groupBy === 'month') {
        return {
          currency: 'USD',
          rows: [
            { key: '2026-10', label: '2026-10', amount: '600.00' },
            { key: '2026-11', label: '2026-11', amount: '699.90' },
          ],
        };
      }
      // As the store labels accounts: by their refs.
      return {
        currency: 'USD',
        rows: [
          {
            key: 'group:default/team-a',
            label: 'group:default/team-a',
            amount: '1234.56',
          },
          {
            key: 'group:default/team-b',
            label: 'group:default/team-b',
            amount: '65.34',
          },
        ],
      };
    }),
  } as unknown as jest.Mocked<StoreApi>;
}

/**
 * Renders the billing pages at `path`, without the rest of the store's
 * router, as a store administrator (allowed everything), as finance
 * (allowed to read all billing, not to manage it) or as a member.
 */
export async function renderBilling(
  api: StoreApi,
  path: string,
  options: { finance?: boolean; admin?: boolean } = {},
) {
  const pages = (
    <Routes>
      <Route path="/store/billing" element={<BillingPage />} />
      <Route path="/store/billing/costs" element={<CostAnalyticsPage />} />
      <Route path="/store/billing/invoices/:id" element={<InvoicePage />} />
    </Routes>
  );
  await renderInTestApp(pages, {
    apis: [
      [storeApiRef, api],
      ...catalogApis(),
      [
        permissionApiRef,
        mockApis.permission({
          authorize: ({ permission }) => {
            if (options.admin) {
              return AuthorizeResult.ALLOW;
            }
            return options.finance &&
              permission.name !== storeBillingManagePermission.name
              ? AuthorizeResult.ALLOW
              : AuthorizeResult.DENY;
          },
        }),
      ],
    ],
    mountedRoutes: { '/store': rootRouteRef, ...catalogMountedRoutes },
    initialRouteEntries: [path],
  });
}
