import { renderInTestApp } from '@backstage/frontend-test-utils';
import { ResponseError } from '@backstage/errors';
import { configure, screen, within } from '@testing-library/react';
import { StoreApi, storeApiRef } from '../../api/StoreApi';
import { rootRouteRef } from '../../routes';
import { StoreRouter } from '../StoreRouter';
import { postgresql, summary } from '../testProducts';
import { catalogApis, catalogMountedRoutes } from '../__testUtils__/catalog';

// The first render of the app, and the catalog names after it, take a
// while on a loaded machine.
configure({ asyncUtilTimeout: 30_000 });
jest.setTimeout(60_000);

function mockStoreApi(overrides: Partial<StoreApi> = {}) {
  return {
    listProducts: jest.fn(async () => ({
      items: [postgresql, summary('mysql', { title: 'MySQL Database' })],
    })),
    getFacets: jest.fn(),
    getProduct: jest.fn(async () => postgresql),
    ...overrides,
  } as jest.Mocked<StoreApi>;
}

describe('ProductPage', () => {
  it('shows the datasheet of a product', async () => {
    const api = mockStoreApi();
    await renderInTestApp(<StoreRouter />, {
      apis: [[storeApiRef, api], ...catalogApis()],
      mountPath: '/store/*',
      mountedRoutes: { '/store': rootRouteRef, ...catalogMountedRoutes },
      initialRouteEntries: ['/store/products/default/postgresql'],
    });

    expect(
      await screen.findByRole('heading', { name: 'PostgreSQL Database' }),
    ).toBeInTheDocument();
    expect(api.getProduct).toHaveBeenCalledWith({
      namespace: 'default',
      name: 'postgresql',
    });
    expect(
      screen.getByText('PostgreSQL 15 with daily backups.'),
    ).toBeInTheDocument();
    expect(screen.getByText('99.95% monthly uptime')).toBeInTheDocument();
    expect(screen.getByText('kubernetes')).toBeInTheDocument();
    expect(
      screen.getByText('openstack: not available here'),
    ).toBeInTheDocument();
    // The owner in the header and the approvers by their groups' display
    // names, linked to the groups' catalog pages.
    const groups = await screen.findAllByRole('link', {
      name: 'Platform Admins',
    });
    expect(groups).toHaveLength(2);
    for (const group of groups) {
      expect(group).toHaveAttribute(
        'href',
        '/catalog/default/group/platform-admins',
      );
    }
    expect(screen.getByText(/^Plans above/)).toHaveTextContent(
      'Plans above USD 500.00 per month need 1 approval from Platform Admins.',
    );
    expect(screen.getByText('Why: Capacity review')).toBeInTheDocument();
    expect(screen.getByText('User guide')).toBeInTheDocument();

    const enterprise = screen.getByTestId('plan-enterprise');
    expect(
      within(enterprise).getByText('USD 999.00/month'),
    ).toBeInTheDocument();
    expect(within(enterprise).getByText('Needs approval')).toBeInTheDocument();
    expect(
      within(enterprise).getByText('storage: USD 0.02 per GiB-month'),
    ).toBeInTheDocument();
    const standard = screen.getByTestId('plan-standard');
    expect(within(standard).getByText('14-day trial')).toBeInTheDocument();
    expect(within(standard).queryByText('Needs approval')).toBeNull();
    // Each limit, and the order input it governs.
    const limits = within(standard).getByRole('table', {
      name: 'Standard limits',
    });
    expect(within(limits).getByText('instances')).toBeInTheDocument();
    expect(
      within(limits).getByText('limits nodes of an order'),
    ).toBeInTheDocument();
    expect(within(limits).getByText('2')).toBeInTheDocument();
    // The nodes a change to the plan scales its stacks to.
    expect(
      within(standard).getByText('Provides app: 2 nodes'),
    ).toBeInTheDocument();

    // A router link styled as a button, so its role is button.
    expect(screen.getByRole('button', { name: 'Order' })).toHaveAttribute(
      'href',
      '/store/products/default/postgresql/order',
    );
    expect(await screen.findByText('MySQL Database')).toBeInTheDocument();
  });

  it('tells a subscriber of a deprecated product, and offers no order', async () => {
    const api = mockStoreApi({
      getProduct: jest.fn(async () => ({
        ...postgresql,
        lifecycle: 'deprecated' as const,
        orderable: false,
        subscribed: true,
      })),
    });
    await renderInTestApp(<StoreRouter />, {
      apis: [[storeApiRef, api], ...catalogApis()],
      mountPath: '/store/*',
      mountedRoutes: { '/store': rootRouteRef, ...catalogMountedRoutes },
      initialRouteEntries: ['/store/products/default/postgresql'],
    });
    expect(
      await screen.findByText(
        /This product is deprecated — you have an active subscription/,
      ),
    ).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Order' })).toBeNull();
  });

  it("shows a draft's owners its badge and why the catalog rejected its descriptor", async () => {
    const api = mockStoreApi({
      getProduct: jest.fn(async () => ({
        ...postgresql,
        lifecycle: 'draft' as const,
        orderable: false,
        processingErrors: [
          {
            name: 'InputError',
            message:
              'spec.plans[1].id "free" duplicates the id of spec.plans[0]',
          },
        ],
      })),
    });
    await renderInTestApp(<StoreRouter />, {
      apis: [[storeApiRef, api], ...catalogApis()],
      mountPath: '/store/*',
      mountedRoutes: { '/store': rootRouteRef, ...catalogMountedRoutes },
      initialRouteEntries: ['/store/products/default/postgresql'],
    });

    expect(await screen.findByTestId('lifecycle-badge')).toHaveTextContent(
      'Draft',
    );
    expect(
      screen.getByText(/Only its owners and store publishers see this product/),
    ).toBeInTheDocument();
    expect(
      screen.getByText(
        /The catalog rejected the latest descriptor of this product \(1 error\)/,
      ),
    ).toBeInTheDocument();
    const errors = screen.getByRole('list', { name: 'Processing errors' });
    expect(
      within(errors).getByText(
        'spec.plans[1].id "free" duplicates the id of spec.plans[0]',
      ),
    ).toBeInTheDocument();
    expect(within(errors).getByText('InputError')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Order' })).toBeNull();
  });

  it('shows no badge and no errors panel for a published product without errors', async () => {
    await renderInTestApp(<StoreRouter />, {
      apis: [[storeApiRef, mockStoreApi()], ...catalogApis()],
      mountPath: '/store/*',
      mountedRoutes: { '/store': rootRouteRef, ...catalogMountedRoutes },
      initialRouteEntries: ['/store/products/default/postgresql'],
    });
    expect(
      await screen.findByRole('heading', { name: 'PostgreSQL Database' }),
    ).toBeInTheDocument();
    expect(screen.queryByTestId('lifecycle-badge')).toBeNull();
    expect(
      screen.queryByRole('list', { name: 'Processing errors' }),
    ).toBeNull();
  });

  it('says so when the product is not offered', async () => {
    const api = mockStoreApi({
      // What StoreClient throws for a 404 from the store backend.
      getProduct: jest.fn(async () => {
        throw await ResponseError.fromResponse(
          new Response(
            JSON.stringify({
              error: { name: 'NotFoundError', message: 'No product' },
              response: { statusCode: 404 },
            }),
            { status: 404, headers: { 'Content-Type': 'application/json' } },
          ),
        );
      }),
    });
    await renderInTestApp(<StoreRouter />, {
      apis: [[storeApiRef, api], ...catalogApis()],
      mountPath: '/store/*',
      mountedRoutes: { '/store': rootRouteRef, ...catalogMountedRoutes },
      initialRouteEntries: ['/store/products/default/secret'],
    });
    expect(
      await screen.findByText(
        /This product does not exist, or it is not offered to you/,
      ),
    ).toBeInTheDocument();
  });

  it('says why a product on no available provider cannot be ordered', async () => {
    const api = mockStoreApi({
      getProduct: jest.fn(async () => ({
        ...postgresql,
        providers: [],
        unavailableProviders: ['kubernetes', 'openstack'],
        orderable: false,
      })),
    });
    await renderInTestApp(<StoreRouter />, {
      apis: [[storeApiRef, api], ...catalogApis()],
      mountPath: '/store/*',
      mountedRoutes: { '/store': rootRouteRef, ...catalogMountedRoutes },
      initialRouteEntries: ['/store/products/default/postgresql'],
    });
    expect(
      await screen.findByText(/This product cannot be ordered here/),
    ).toBeInTheDocument();
    expect(
      screen.getByText(
        /None of the providers it runs on is available here: kubernetes, openstack\./,
      ),
    ).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Order' })).toBeNull();
  });
});
