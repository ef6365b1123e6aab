import { mockApis, renderInTestApp } from '@backstage/frontend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { entityPresentationApiRef } from '@backstage/plugin-catalog-react';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import {
  CursorPage,
  PageRequest,
  Stack,
  StackListFilter,
} from '@internal/plugin-cloud-common';
import { screen } from '@testing-library/react';
import { CloudApi, cloudApiRef } from '../../api/CloudApi';
import { rootRouteRef } from '../../routes';
import { ResourcesPage } from '../ResourcesPage';
import { catalogMountedRoutes, entityPresentationApi } from './catalog';

/**
 * How long the test app may take to show the page's data. Its first render
 * is slow: measured on 2 cores at load 12, the render itself took 8 s and
 * the stacks were asked for 4 s after it; at rest it takes well under 1 s.
 */
export const FIRST_RENDER = { timeout: 30_000 };

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
 * read usage records, and resolves once the stack is shown.
 *
 * It waits with a query by text: a query by role reads the computed style
 * of every element, and the first one in a test file takes seconds on a
 * loaded machine, longer than the whole wait of a `findByRole`.
 */
export async function renderPage(options: {
  usageAllowed: boolean;
  /** The pages of stacks, by the cursor that asks for them; `stack` alone by default. */
  pages?: Record<string, CursorPage<Stack>>;
}) {
  const pages = options.pages ?? { '': { items: [stack] } };
  const listStacks = jest.fn(
    async (filter?: StackListFilter & PageRequest) =>
      pages[filter?.cursor ?? ''],
  );
  const api: Partial<CloudApi> = {
    listStacks,
    listProviders: async () => [
      { id: 'local', title: 'Local host', regions: ['local'] },
    ],
  };
  const authorize = jest.fn(() =>
    options.usageAllowed ? AuthorizeResult.ALLOW : AuthorizeResult.DENY,
  );
  renderInTestApp(<ResourcesPage />, {
    apis: [
      [cloudApiRef, api as CloudApi],
      [permissionApiRef, mockApis.permission({ authorize })],
      [entityPresentationApiRef, entityPresentationApi],
    ],
    mountedRoutes: { '/cloud': rootRouteRef, ...catalogMountedRoutes },
  });
  await screen.findByText(stack.name, undefined, FIRST_RENDER);
  return { listStacks, authorize };
}
