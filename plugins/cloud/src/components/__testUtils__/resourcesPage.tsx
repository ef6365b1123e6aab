import { mockApis, renderInTestApp } from '@backstage/frontend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import { Stack } from '@internal/plugin-cloud-common';
import { CloudApi, cloudApiRef } from '../../api/CloudApi';
import { rootRouteRef } from '../../routes';
import { ResourcesPage } from '../ResourcesPage';

/** A running stack of the web team. */
export const stack: Stack = {
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

/**
 * Renders the Resources page listing `stack`, for a user who may or may not
 * read usage records.
 */
export function renderPage(options: { usageAllowed: boolean }) {
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
