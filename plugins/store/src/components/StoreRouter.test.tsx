import { renderInTestApp } from '@backstage/frontend-test-utils';
import { screen } from '@testing-library/react';
import { StoreApi, storeApiRef } from '../api/StoreApi';
import { rootRouteRef } from '../routes';
import { StoreRouter } from './StoreRouter';
import { catalogApis, catalogMountedRoutes } from './__testUtils__/catalog';

describe('StoreRouter', () => {
  it('shows the not-found page for a path the store does not have', async () => {
    const api = { listProducts: jest.fn(), getFacets: jest.fn() };
    await renderInTestApp(<StoreRouter />, {
      apis: [
        [storeApiRef, api as Partial<StoreApi> as StoreApi],
        ...catalogApis(),
      ],
      mountPath: '/store/*',
      mountedRoutes: { '/store': rootRouteRef, ...catalogMountedRoutes },
      initialRouteEntries: ['/store/no/such/page'],
    });
    expect(await screen.findByText(/page not found/i)).toBeInTheDocument();
    expect(api.listProducts).not.toHaveBeenCalled();
  });

  it('shows the subscriptions at /store/subscriptions', async () => {
    const api = { listSubscriptions: jest.fn(async () => ({ items: [] })) };
    await renderInTestApp(<StoreRouter />, {
      apis: [
        [storeApiRef, api as Partial<StoreApi> as StoreApi],
        ...catalogApis(),
      ],
      mountPath: '/store/*',
      mountedRoutes: { '/store': rootRouteRef, ...catalogMountedRoutes },
      initialRouteEntries: ['/store/subscriptions'],
    });
    expect(await screen.findByText(/No subscriptions yet/)).toBeInTheDocument();
    expect(api.listSubscriptions).toHaveBeenCalledWith({ limit: 50 });
  });

  it('shows the billing pages under /store/billing', async () => {
    const api = {
      getCosts: jest.fn(async () => ({ currency: 'EUR', rows: [] })),
    };
    await renderInTestApp(<StoreRouter />, {
      apis: [
        [storeApiRef, api as Partial<StoreApi> as StoreApi],
        ...catalogApis(),
      ],
      mountPath: '/store/*',
      mountedRoutes: { '/store': rootRouteRef, ...catalogMountedRoutes },
      initialRouteEntries: ['/store/billing/costs?from=2026-01&to=2026-03'],
    });
    expect(await screen.findByText('Costs (EUR)')).toBeInTheDocument();
    expect(screen.getByText('No costs in these months.')).toBeInTheDocument();
    expect(api.getCosts).toHaveBeenCalledWith({
      from: '2026-01',
      to: '2026-03',
      groupBy: 'account',
      account: undefined,
    });
  });
});
