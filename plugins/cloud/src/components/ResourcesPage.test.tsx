import { renderInTestApp } from '@backstage/frontend-test-utils';
import { Stack } from '@internal/plugin-cloud-common';
import { screen } from '@testing-library/react';
import { CloudApi, cloudApiRef } from '../api/CloudApi';
import { rootRouteRef } from '../routes';
import { ResourcesPage } from './ResourcesPage';

const stack: Stack = {
  id: 'abc',
  name: 'shop',
  owner: 'group:default/web-team',
  template: 'template:default/three-tier-web-app',
  provider: 'local',
  region: 'local',
  status: 'running',
  spec: { roles: [] },
  createdBy: 'user:default/developer',
  createdAt: '2026-11-25T10:00:00.000Z',
};

describe('ResourcesPage', () => {
  it('lists stacks with owner, template, provider and status, linking to the stack page', async () => {
    const listStacks = jest.fn(async () => [stack]);
    const api: Partial<CloudApi> = {
      listStacks,
      listProviders: async () => [
        { id: 'local', title: 'Local host', regions: ['local'] },
      ],
    };
    await renderInTestApp(<ResourcesPage />, {
      apis: [[cloudApiRef, api as CloudApi]],
      mountedRoutes: { '/cloud': rootRouteRef },
    });
    const link = await screen.findByRole('link', { name: 'shop' });
    expect(link).toHaveAttribute('href', '/cloud/stacks/abc');
    expect(screen.getByText('group:default/web-team')).toBeInTheDocument();
    expect(
      screen.getByText('template:default/three-tier-web-app'),
    ).toBeInTheDocument();
    expect(screen.getByText('user:default/developer')).toBeInTheDocument();
    expect(listStacks).toHaveBeenCalledWith({});
  });
});
