import { renderInTestApp } from '@backstage/frontend-test-utils';
import {
  configure,
  act,
  fireEvent,
  screen,
  waitFor,
  within,
} from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { OrderPreview, StoreApi, storeApiRef } from '../../api/StoreApi';
import { rootRouteRef } from '../../routes';
import { StoreRouter } from '../StoreRouter';
import { orderDetails } from '../testOrders';
import { postgresql } from '../testProducts';
import { catalogApis, catalogMountedRoutes } from '../__testUtils__/catalog';

const templateParameters = [
  {
    title: 'Database',
    required: ['name'],
    properties: {
      name: { title: 'Name', type: 'string', pattern: '^[a-z][a-z0-9-]+$' },
      size: { title: 'Size', type: 'string', enum: ['small', 'large'] },
      nodes: { title: 'Nodes', type: 'integer', minimum: 1 },
    },
  },
];
const templateSecrets = {
  schema: {
    required: ['password'],
    properties: { password: { title: 'Password', type: 'string' } },
  },
};

function preview(plan: string): OrderPreview {
  const p = postgresql.plans.find(x => x.id === plan)!;
  return {
    product: postgresql.ref,
    plan,
    recurringPrice: p.price,
    approval: p.needsApproval
      ? {
          needed: true,
          count: 1,
          approverGroups: ['group:default/platform-admins'],
          sentence:
            'Needs one approval from platform-admins because the Enterprise plan costs more than USD 500.00/month.',
        }
      : {
          needed: false,
          count: 0,
          approverGroups: [],
          sentence: 'No approval needed: the order is provisioned right away.',
        },
    templateParameters,
    templateSecrets,
  };
}

function mockStoreApi() {
  return {
    listProducts: jest.fn(async () => ({ items: [] })),
    getFacets: jest.fn(),
    getProduct: jest.fn(async () => postgresql),
    previewOrder: jest.fn(async ({ plan }: { plan: string }) => preview(plan)),
    listProviderRegions: jest.fn(async () => ({
      kubernetes: ['eu-west'],
      local: ['local', 'eu-1'],
      openstack: ['RegionOne', 'RegionTwo'],
    })),
    createOrder: jest.fn(async () => orderDetails()),
    listOrders: jest.fn(),
    getOrder: jest.fn(async () => orderDetails()),
    decideOrder: jest.fn(),
  } as unknown as jest.Mocked<StoreApi>;
}

async function renderForm(api: StoreApi) {
  await renderInTestApp(<StoreRouter />, {
    apis: [[storeApiRef, api], ...catalogApis()],
    mountPath: '/store/*',
    mountedRoutes: { '/store': rootRouteRef, ...catalogMountedRoutes },
    initialRouteEntries: ['/store/products/default/postgresql/order'],
  });
}

async function choose(label: RegExp, option: RegExp) {
  await userEvent.click(await screen.findByRole('button', { name: label }));
  await userEvent.click(
    within(await screen.findByRole('listbox')).getByRole('option', {
      name: option,
    }),
  );
}

// The first render of the app and the scaffolder's form take a while on a
// loaded machine: wait for what appears, and type with change events.
configure({ asyncUtilTimeout: 30_000 });
jest.setTimeout(120_000);

describe('OrderFormPage', () => {
  it('previews the price and the approval as the plan changes', async () => {
    const api = mockStoreApi();
    await renderForm(api);

    const price = await screen.findByTestId('order-preview');
    expect(within(price).getByText('USD 0.00/month')).toBeInTheDocument();
    expect(
      within(price).getByText(
        'No approval needed: the order is provisioned right away.',
      ),
    ).toBeInTheDocument();

    await choose(/^Plan/, /^Enterprise/);

    await waitFor(() =>
      expect(api.previewOrder).toHaveBeenCalledWith({
        product: 'product:default/postgresql',
        plan: 'enterprise',
      }),
    );
    const updated = await screen.findByTestId('order-preview');
    expect(
      await within(updated).findByText('USD 999.00/month'),
    ).toBeInTheDocument();
    expect(
      within(updated).getByText(/Needs one approval from platform-admins/),
    ).toBeInTheDocument();
  });

  it('renders the template with the scaffolder form and places the order', async () => {
    const api = mockStoreApi();
    await renderForm(api);

    await choose(/^Plan/, /^Enterprise/);
    // Only the providers the cloud backend has are offered.
    await userEvent.click(
      await screen.findByRole('button', { name: /^Provider/ }),
    );
    expect(
      within(await screen.findByRole('listbox'))
        .getAllByRole('option')
        .map(o => o.textContent),
    ).toEqual(['kubernetes', 'local']);
    await userEvent.keyboard('{Escape}');
    await choose(/^Provider/, /^local$/);
    fireEvent.change(await screen.findByLabelText(/^Region/), {
      target: { value: 'eu-1' },
    });
    fireEvent.change(await screen.findByLabelText(/^Name/), {
      target: { value: 'db1' },
    });
    await choose(/^Size/, /^large$/);
    await userEvent.click(screen.getByRole('button', { name: 'Next' }));
    // The secrets step: the scaffolder's Secret field keeps the value out
    // of the form data.
    const password = await screen.findByLabelText(/^Password/);
    expect(password).toHaveAttribute('type', 'password');
    fireEvent.change(password, { target: { value: 's3cret' } });
    // The Secret field hands its value to the form's secrets 300 ms after
    // the last change (a debounce of the scaffolder's); a timer set later
    // runs after it.
    await act(() => new Promise(resolve => setTimeout(resolve, 350)));
    await userEvent.click(screen.getByRole('button', { name: 'Review' }));
    await userEvent.click(
      await screen.findByRole('button', { name: 'Place order' }),
    );

    await waitFor(() => expect(api.createOrder).toHaveBeenCalledTimes(1));
    expect(api.createOrder).toHaveBeenCalledWith(
      {
        product: 'product:default/postgresql',
        plan: 'enterprise',
        provider: 'local',
        region: 'eu-1',
        parameters: { name: 'db1', size: 'large' },
        secrets: { password: 's3cret' },
      },
      { idempotencyKey: expect.any(String) },
    );
    // The order's own page follows.
    expect(
      await screen.findByRole('heading', { name: 'PostgreSQL Database order' }),
    ).toBeInTheDocument();
    expect(api.getOrder).toHaveBeenCalledWith({ id: 'o1' });
  });

  it("warns before sending an order above its plan's limit, and names a plan that allows it", async () => {
    const api = mockStoreApi();
    api.getProduct.mockResolvedValue({
      ...postgresql,
      limitParameters: { instances: 'nodes' },
      plans: postgresql.plans.map(p =>
        p.id === 'free' ? { ...p, limits: { instances: 1 } } : p,
      ),
    });
    await renderForm(api);

    expect(
      await screen.findByText('Allows at most 1 instances (nodes)'),
    ).toBeInTheDocument();
    fireEvent.change(screen.getByLabelText(/^Name/), {
      target: { value: 'db1' },
    });
    fireEvent.change(screen.getByLabelText(/^Nodes/), {
      target: { value: '3' },
    });
    await userEvent.click(screen.getByRole('button', { name: 'Next' }));
    fireEvent.change(await screen.findByLabelText(/^Password/), {
      target: { value: 's3cret' },
    });
    await userEvent.click(screen.getByRole('button', { name: 'Review' }));
    await userEvent.click(
      await screen.findByRole('button', { name: 'Place order' }),
    );
    expect(await screen.findByTestId('order-limit-warning')).toHaveTextContent(
      'The Free plan allows at most 1 instances (nodes is 3); the Enterprise plan allows any number of instances. Choose another plan, or change the order.',
    );
    expect(api.createOrder).not.toHaveBeenCalled();

    await choose(/^Plan/, /^Enterprise/);
    expect(screen.queryByTestId('order-limit-warning')).toBeNull();
    await userEvent.click(screen.getByRole('button', { name: 'Place order' }));
    await waitFor(() => expect(api.createOrder).toHaveBeenCalledTimes(1));
    expect(api.createOrder.mock.calls[0][0]).toMatchObject({
      plan: 'enterprise',
      parameters: { name: 'db1', nodes: 3 },
    });
  });

  it('shows why the store refused an order', async () => {
    const api = mockStoreApi();
    const refusal = new Error(
      'The Standard plan allows at most 2 instances (nodes is 5); the Enterprise plan allows 10',
    );
    api.createOrder.mockRejectedValue(refusal);
    await renderForm(api);
    fireEvent.change(await screen.findByLabelText(/^Name/), {
      target: { value: 'db1' },
    });
    await userEvent.click(screen.getByRole('button', { name: 'Next' }));
    fireEvent.change(await screen.findByLabelText(/^Password/), {
      target: { value: 's3cret' },
    });
    await userEvent.click(screen.getByRole('button', { name: 'Review' }));
    await userEvent.click(
      await screen.findByRole('button', { name: 'Place order' }),
    );
    expect(await screen.findByText(refusal.message)).toBeInTheDocument();
  });

  it("fills the region with the chosen provider's default region", async () => {
    const api = mockStoreApi();
    api.getProduct.mockResolvedValue({
      ...postgresql,
      providers: ['local', 'openstack'],
      unavailableProviders: [],
    });
    await renderForm(api);

    const region = await screen.findByLabelText(/^Region/);
    await waitFor(() => expect(region).toHaveValue('local'));
    await choose(/^Provider/, /^openstack$/);
    expect(region).toHaveValue('RegionOne');
    expect(
      screen.getByText('Where openstack places it: RegionOne, RegionTwo'),
    ).toBeInTheDocument();
    // A region typed for a provider is kept for it, not for another one.
    fireEvent.change(region, { target: { value: 'RegionTwo' } });
    await choose(/^Provider/, /^local$/);
    expect(region).toHaveValue('local');
    await choose(/^Provider/, /^openstack$/);
    expect(region).toHaveValue('RegionTwo');

    fireEvent.change(screen.getByLabelText(/^Name/), {
      target: { value: 'db1' },
    });
    await userEvent.click(screen.getByRole('button', { name: 'Next' }));
    fireEvent.change(await screen.findByLabelText(/^Password/), {
      target: { value: 's3cret' },
    });
    await act(() => new Promise(resolve => setTimeout(resolve, 350)));
    await userEvent.click(screen.getByRole('button', { name: 'Review' }));
    await userEvent.click(
      await screen.findByRole('button', { name: 'Place order' }),
    );
    await waitFor(() => expect(api.createOrder).toHaveBeenCalledTimes(1));
    expect(api.createOrder.mock.calls[0][0]).toMatchObject({
      provider: 'openstack',
      region: 'RegionTwo',
    });
  });

  it('leaves the region to the provider when the regions cannot be read', async () => {
    const api = mockStoreApi();
    api.listProviderRegions.mockRejectedValue(new Error('No cloud backend'));
    await renderForm(api);

    const region = await screen.findByLabelText(/^Region/);
    await waitFor(() => expect(api.listProviderRegions).toHaveBeenCalled());
    expect(region).toHaveValue('');
    expect(
      screen.getByText('Where the provider places it; empty for its default'),
    ).toBeInTheDocument();
  });

  it('does not go on with missing required inputs', async () => {
    const api = mockStoreApi();
    await renderForm(api);
    await userEvent.click(await screen.findByRole('button', { name: 'Next' }));
    // Still on the first step: Name is required.
    expect(await screen.findByLabelText(/^Name/)).toBeInTheDocument();
    expect(screen.queryByLabelText(/^Password/)).toBeNull();
    expect(screen.queryByRole('button', { name: 'Place order' })).toBeNull();
    expect(api.createOrder).not.toHaveBeenCalled();
  });
});
