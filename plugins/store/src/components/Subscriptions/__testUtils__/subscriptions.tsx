import { renderInTestApp } from '@backstage/frontend-test-utils';
import { ResponseError } from '@backstage/errors';
import { Subscription } from '@internal/plugin-store-common';
import { StoreApi, storeApiRef } from '../../../api/StoreApi';
import { rootRouteRef } from '../../../routes';
import { Route, Routes } from 'react-router-dom';
import { SubscriptionPage } from '../SubscriptionPage';
import { SubscriptionsPage } from '../SubscriptionsPage';
import { postgresql } from '../../testProducts';
import {
  freeToEnterprise,
  renewalQuote,
  subscriptionDetails,
} from '../../testSubscriptions';
import { catalogApis, catalogMountedRoutes } from '../../__testUtils__/catalog';

/**
 * A store API with `subscriptions` in one page, the PostgreSQL product for
 * its plans, the canonical plan change quote, and mutations that answer the
 * changed subscription.
 */
export function mockStoreApi(subscriptions: Subscription[]) {
  return {
    getProduct: jest.fn(async () => postgresql),
    listSubscriptions: jest.fn(async () => ({ items: subscriptions })),
    getSubscription: jest.fn(async () => subscriptionDetails()),
    quoteRenewal: jest.fn(async ({ periods }: { periods: number }) =>
      renewalQuote(periods),
    ),
    quotePlanChange: jest.fn(async () => freeToEnterprise),
    quoteCancellation: jest.fn(async ({ when }: { when: string }) => ({
      subscriptionId: 's1',
      when,
      endsOn: when === 'now' ? '2026-12-01' : '2027-11-25',
      credit: { amount: when === 'now' ? '-3.14' : '0.00', currency: 'USD' },
      stackChanges: ['stack-1: deleted'],
    })),
    renewSubscription: jest.fn(async () => subscriptionDetails()),
    changeSubscriptionPlan: jest.fn(async () => subscriptionDetails()),
    cancelSubscription: jest.fn(async () =>
      subscriptionDetails({ status: 'cancelled' }),
    ),
    setSubscriptionAutoRenew: jest.fn(async () => subscriptionDetails()),
  } as unknown as jest.Mocked<StoreApi>;
}

/**
 * Renders the subscription pages at `path`, without the rest of the store's
 * router: its order form pulls in the scaffolder, which is slow to load.
 */
export async function renderStore(api: StoreApi, path: string) {
  const pages = (
    <Routes>
      <Route path="/store/subscriptions" element={<SubscriptionsPage />} />
      <Route path="/store/subscriptions/:id" element={<SubscriptionPage />} />
    </Routes>
  );
  await renderInTestApp(pages, {
    apis: [[storeApiRef, api], ...catalogApis()],
    mountedRoutes: { '/store': rootRouteRef, ...catalogMountedRoutes },
    initialRouteEntries: [path],
  });
}

/** The error the store client throws for a Backstage error response. */
export function responseError(status: number, name: string, message: string) {
  return ResponseError.fromResponse(
    new Response(
      JSON.stringify({
        error: { name, message },
        response: { statusCode: status },
      }),
      { status, headers: { 'Content-Type': 'application/json' } },
    ),
  );
}
