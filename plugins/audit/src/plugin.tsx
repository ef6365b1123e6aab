import {
  ApiBlueprint,
  createFrontendPlugin,
  discoveryApiRef,
  fetchApiRef,
  PageBlueprint,
} from '@backstage/frontend-plugin-api';
import { AccessApiClient, AuditApiClient } from '@internal/plugin-audit-common';
import HistoryIcon from '@material-ui/icons/History';
import SecurityIcon from '@material-ui/icons/Security';
import { accessApiRef, auditApiRef } from './api';
import { accessRouteRef, rootRouteRef } from './routes';

const auditApi = ApiBlueprint.make({
  params: defineParams =>
    defineParams({
      api: auditApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new AuditApiClient({ discoveryApi, fetchApi }),
    }),
});

const accessApi = ApiBlueprint.make({
  name: 'access',
  params: defineParams =>
    defineParams({
      api: accessApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new AccessApiClient({ discoveryApi, fetchApi }),
    }),
});

const accessPage = PageBlueprint.make({
  name: 'access',
  params: {
    path: '/access',
    title: 'Access',
    icon: <SecurityIcon />,
    routeRef: accessRouteRef,
    noHeader: true,
    loader: () => import('./components/AccessPage').then(m => <m.AccessPage />),
  },
});

const auditPage = PageBlueprint.make({
  params: {
    path: '/audit',
    title: 'Audit log',
    icon: <HistoryIcon />,
    routeRef: rootRouteRef,
    // The page draws its own header, like the store's and the cloud's.
    noHeader: true,
    loader: () =>
      import('./components/AuditLogPage').then(m => <m.AuditLogPage />),
  },
});

/**
 * The Cloud Store audit log and Access page for administrators: who did
 * what, to which target, from which address, when, and whether it
 * succeeded; which policies give whom what, and why a decision is made.
 *
 * @public
 */
export const auditPlugin = createFrontendPlugin({
  pluginId: 'audit',
  title: 'Audit log',
  icon: <HistoryIcon />,
  routes: { root: rootRouteRef, access: accessRouteRef },
  extensions: [auditApi, accessApi, auditPage, accessPage],
});
