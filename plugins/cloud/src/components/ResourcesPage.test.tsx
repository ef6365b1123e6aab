import { mockApis, renderInTestApp } from '@backstage/frontend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import { cloudUsageReadPermission, Stack } from '@internal/plugin-cloud-common';
import { screen, waitFor } from '@testing-library/react';
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

function renderPage(options: { usageAllowed: boolean }) {
  const listStacks = jest.fn(async () => [stack]);
  const api: Partial<CloudApi> = {
    listStacks,
    listProviders: async () => [
      { id: 'local', title: 'Local host', regions: ['local'] },
    ],
  };
  const authorize = jest.fn(() =>
    options.usageAllowed ? AuthorizeResult.ALLOW : AuthorizeResult.DENY,
  );
  return {
    listStacks,
    authorize,
    rendered: renderInTestApp(<ResourcesPage />, {
      apis: [
        [cloudApiRef, api as CloudApi],
        [permissionApiRef, mockApis.permission({ authorize })],
      ],
      mountedRoutes: { '/cloud': rootRouteRef },
    }),
  };
}

describe('ResourcesPage', () => {
  it('lists stacks with owner, template, provider and status, linking to the stack page', async () => {
    const { listStacks, rendered } = renderPage({ usageAllowed: true });
    await rendered;
    const link = await screen.findByRole('link', { name: 'shop' });
    expect(link).toHaveAttribute('href', '/cloud/stacks/abc');
    expect(screen.getByText('group:default/web-team')).toBeInTheDocument();
    expect(
      screen.getByText('template:default/three-tier-web-app'),
    ).toBeInTheDocument();
    expect(screen.getByText('user:default/developer')).toBeInTheDocument();
    expect(listStacks).toHaveBeenCalledWith({});
    expect(
      await screen.findByRole('button', { name: 'Usage records' }),
    ).toBeInTheDocument();
  });

  it('offers usage records only to those who may read them', async () => {
    const { authorize, rendered } = renderPage({ usageAllowed: false });
    await rendered;
    expect(await screen.findByRole('link', { name: 'shop' })).toBeVisible();
    await waitFor(() =>
      expect(authorize).toHaveBeenCalledWith(
        expect.objectContaining({ permission: cloudUsageReadPermission }),
      ),
    );
    expect(
      screen.queryByRole('button', { name: 'Usage records' }),
    ).not.toBeInTheDocument();
  });
});
