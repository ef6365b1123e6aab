import {
  ApiBlueprint,
  createFrontendPlugin,
  discoveryApiRef,
  fetchApiRef,
  PageBlueprint,
} from '@backstage/frontend-plugin-api';
import { AuditApiClient } from '@internal/plugin-audit-common';
import HistoryIcon from '@material-ui/icons/History';
import { auditApiRef } from './api';
import { rootRouteRef } from './routes';

const auditApi = ApiBlueprint.make({
  params: defineParams =>
    defineParams({
      api: auditApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new AuditApiClient({ discoveryApi, fetchApi }),
    }),
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
 * The Cloud Store audit log for administrators: who did what, to which
 * target, from which address, when, and whether it succeeded.
 *
 * @public
 */
export const auditPlugin = createFrontendPlugin({
  pluginId: 'audit',
  title: 'Audit log',
  icon: <HistoryIcon />,
  routes: { root: rootRouteRef },
  extensions: [auditApi, auditPage],
});
