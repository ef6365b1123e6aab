import { renderInTestApp } from '@backstage/frontend-test-utils';
import { InputError } from '@backstage/errors';
import { ProductFacets } from '@internal/plugin-store-common';
import { configure, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { StoreApi, storeApiRef } from '../../api/StoreApi';
import { rootRouteRef } from '../../routes';
import { summary } from '../testProducts';
import { StorePage } from './StorePage';
import { catalogApis, catalogMountedRoutes } from '../__testUtils__/catalog';

// The first render of the app, and the catalog names after it, take a
// while on a loaded machine.
configure({ asyncUtilTimeout: 30_000 });
jest.setTimeout(60_000);

const facets: ProductFacets = {
  category: [
    { value: 'Databases', count: 2 },
    { value: 'Caches', count: 1 },
  ],
  type: [{ value: 'resource', count: 3 }],
  provider: [{ value: 'local', count: 3 }],
  tag: [{ value: 'sql', count: 1 }],
  owner: [{ value: 'group:default/platform-admins', count: 3 }],
  freePlan: [{ value: 'true', count: 2 }],
};

function mockStoreApi(overrides: Partial<StoreApi> = {}) {
  return {
    listProducts: jest.fn(async () => ({
      items: [
        summary('postgresql', {
          title: 'PostgreSQL Database',
          needsApproval: true,
          tags: ['sql'],
        }),
        summary('redis', {
          title: 'Redis Cache',
          category: 'Caches',
          hasFreePlan: false,
          fromPrice: { amount: '29.00', currency: 'USD', interval: 'month' },
        }),
      ],
    })),
    getFacets: jest.fn(async () => ({ facets, totalItems: 2 })),
    getProduct: jest.fn(),
    ...overrides,
  } as jest.Mocked<StoreApi>;
}

describe('StorePage', () => {
  it('shows categories with counts and product cards', async () => {
    const api = mockStoreApi();
    await renderInTestApp(<StorePage />, {
      apis: [[storeApiRef, api], ...catalogApis()],
      mountedRoutes: { '/store': rootRouteRef, ...catalogMountedRoutes },
    });

    expect(await screen.findByText('PostgreSQL Database')).toBeInTheDocument();
    expect(screen.getByText('Redis Cache')).toBeInTheDocument();
    expect(screen.getByText('2 products')).toBeInTheDocument();
    expect(screen.getByText('from USD 0.00/month')).toBeInTheDocument();
    expect(screen.getByText('from USD 29.00/month')).toBeInTheDocument();
    expect(screen.getByText('Needs approval')).toBeInTheDocument();
    expect(screen.getByText('Free plan available (2)')).toBeInTheDocument();
    const categories = screen.getByRole('navigation', {
      name: 'Store filters',
    });
    expect(categories).toHaveTextContent('Databases2');
    expect(categories).toHaveTextContent('Caches1');
    // Owners are filtered by their groups' display names.
    expect(
      await screen.findByLabelText('Platform Admins (3)'),
    ).toBeInTheDocument();
  });

  it('marks the drafts that the store shows their owners', async () => {
    const api = mockStoreApi({
      listProducts: jest.fn(async () => ({
        items: [
          summary('postgresql', { title: 'PostgreSQL Database' }),
          summary('wordpress', {
            title: 'WordPress Site',
            lifecycle: 'draft',
            orderable: false,
          }),
        ],
      })),
    });
    await renderInTestApp(<StorePage />, {
      apis: [[storeApiRef, api], ...catalogApis()],
      mountedRoutes: { '/store': rootRouteRef, ...catalogMountedRoutes },
    });

    const draft = await screen.findByTestId('product-card-wordpress');
    expect(within(draft).getByTestId('lifecycle-badge')).toHaveTextContent(
      'Draft',
    );
    expect(
      within(screen.getByTestId('product-card-postgresql')).queryByTestId(
        'lifecycle-badge',
      ),
    ).toBeNull();
  });

  it('keeps the search and filters in the query it sends', async () => {
    const api = mockStoreApi();
    await renderInTestApp(<StorePage />, {
      apis: [[storeApiRef, api], ...catalogApis()],
      mountedRoutes: { '/store': rootRouteRef, ...catalogMountedRoutes },
      initialRouteEntries: ['/?q=postgres&category=Databases&freePlan=true'],
    });
    await screen.findByText('PostgreSQL Database');
    expect(api.listProducts).toHaveBeenLastCalledWith({
      query: { q: 'postgres', category: ['Databases'], freePlan: true },
      sort: 'name',
      limit: 24,
    });
    expect(screen.getByLabelText('Search the store')).toHaveValue('postgres');

    await userEvent.click(screen.getByText('Caches'));
    await waitFor(() =>
      expect(api.listProducts).toHaveBeenLastCalledWith(
        expect.objectContaining({
          query: { q: 'postgres', category: ['Caches'], freePlan: true },
        }),
      ),
    );

    await userEvent.click(screen.getByLabelText('sql (1)'));
    await waitFor(() =>
      expect(api.listProducts).toHaveBeenLastCalledWith(
        expect.objectContaining({
          query: expect.objectContaining({ tag: ['sql'] }),
        }),
      ),
    );
  });

  it('designs the empty state', async () => {
    const api = mockStoreApi({
      listProducts: jest.fn(async () => ({ items: [] })),
    });
    await renderInTestApp(<StorePage />, {
      apis: [[storeApiRef, api], ...catalogApis()],
      mountedRoutes: { '/store': rootRouteRef, ...catalogMountedRoutes },
      initialRouteEntries: ['/?q=nothing'],
    });
    expect(await screen.findByText('No products match')).toBeInTheDocument();
    await userEvent.click(screen.getByText('Clear search and filters'));
    await waitFor(() =>
      expect(api.listProducts).toHaveBeenLastCalledWith(
        expect.objectContaining({ query: {} }),
      ),
    );
  });

  it('shows what went wrong when the store cannot be loaded', async () => {
    const api = mockStoreApi({
      listProducts: jest.fn(async () => {
        throw new InputError('Malformed cursor');
      }),
    });
    await renderInTestApp(<StorePage />, {
      apis: [[storeApiRef, api], ...catalogApis()],
      mountedRoutes: { '/store': rootRouteRef, ...catalogMountedRoutes },
    });
    expect(
      await screen.findByText(/The store could not be loaded/),
    ).toBeInTheDocument();
    expect(screen.getAllByText(/Malformed cursor/).length).toBeGreaterThan(0);
  });
});
