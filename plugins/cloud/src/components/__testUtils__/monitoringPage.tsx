import { mockApis, renderInTestApp } from '@backstage/frontend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { entityPresentationApiRef } from '@backstage/plugin-catalog-react';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import { MonitoringOverview } from '@internal/plugin-cloud-common';
import { CloudApi, cloudApiRef } from '../../api/CloudApi';
import { rootRouteRef } from '../../routes';
import { MonitoringPage } from '../MonitoringPage';
import { MonitoringSidebarItem } from '../MonitoringSidebarItem';
import { catalogMountedRoutes, entityPresentationApi } from './catalog';

const MIB = 1024 * 1024;

/** Two stacks: one busy and near its limit, one silent with an alert. */
export const overview: MonitoringOverview = {
  busiest: [
    {
      stackId: 'abc',
      stackName: 'shop',
      owner: 'group:default/web-team',
      nodeName: 'app-1',
      reportedAt: '2026-11-25T10:00:00.000Z',
      cpu: 93.25,
      memoryBytes: 480 * MIB,
      memoryLimitBytes: 512 * MIB,
    },
  ],
  nearLimits: [
    {
      stackId: 'abc',
      stackName: 'shop',
      owner: 'group:default/web-team',
      nodeName: 'app-1',
      reportedAt: '2026-11-25T10:00:00.000Z',
      cpu: 93.25,
      memoryBytes: 480 * MIB,
      memoryLimitBytes: 512 * MIB,
    },
  ],
  notReporting: [
    {
      stackId: 'def',
      stackName: 'blog',
      owner: 'group:default/web-team',
      nodeName: 'db-1',
    },
  ],
  alerts: [
    {
      id: 'a1',
      stackId: 'def',
      stackName: 'blog',
      owner: 'group:default/web-team',
      nodeName: 'db-1',
      rule: 'not-reporting',
      state: 'firing',
      message: 'db-1 has not reported for 2 minutes',
      since: '2026-11-25T09:58:00.000Z',
      firedAt: '2026-11-25T10:00:00.000Z',
    },
  ],
};

/**
 * Renders the monitoring overview and its sidebar entry for a user who may
 * or may not read every node's metrics.
 */
export function renderMonitoring(options: { allowed: boolean }) {
  const getMonitoringOverview = jest.fn(async () => overview);
  const api: Partial<CloudApi> = { getMonitoringOverview };
  const authorize = jest.fn(() =>
    options.allowed ? AuthorizeResult.ALLOW : AuthorizeResult.DENY,
  );
  renderInTestApp(
    <>
      <MonitoringSidebarItem />
      <MonitoringPage />
    </>,
    {
      apis: [
        [cloudApiRef, api as CloudApi],
        [permissionApiRef, mockApis.permission({ authorize })],
        [entityPresentationApiRef, entityPresentationApi],
      ],
      mountedRoutes: { '/cloud': rootRouteRef, ...catalogMountedRoutes },
    },
  );
  return { getMonitoringOverview, authorize };
}
