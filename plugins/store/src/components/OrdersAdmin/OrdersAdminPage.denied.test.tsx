import { configure, screen } from '@testing-library/react';
import { order } from '../testOrders';
import { mockStoreApi, page, renderAdmin } from './__testUtils__/ordersAdmin';

// A file of its own: the permission API's answers are cached per module.
// The first render of the app takes a while on a loaded machine.
configure({ asyncUtilTimeout: 30_000 });
jest.setTimeout(120_000);
const slow = { timeout: 15_000 };

const failed = order({
  id: 'failed-1',
  productTitle: 'Redis Cache',
  status: 'failed',
  ownerGroup: 'group:default/team-web',
});

describe('OrdersAdminPage without permission', () => {
  it('is not available to those who may not administer orders', async () => {
    const api = mockStoreApi([page([failed])]);
    await renderAdmin(api, { allowed: false });
    expect(
      await screen.findByText('Not available', undefined, slow),
    ).toBeInTheDocument();
    expect(screen.queryByText('Redis Cache')).not.toBeInTheDocument();
  });
});
