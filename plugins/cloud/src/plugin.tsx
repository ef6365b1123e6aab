import {
  ApiBlueprint,
  createFrontendPlugin,
  discoveryApiRef,
  fetchApiRef,
  PageBlueprint,
} from '@backstage/frontend-plugin-api';
import { EntityCardBlueprint } from '@backstage/plugin-catalog-react/alpha';
import CloudIcon from '@material-ui/icons/Cloud';
import { CloudApiClient } from '@internal/plugin-cloud-common';
import { cloudApiRef } from './api/CloudApi';
import { isCloudStackEntity } from './components/isCloudStackEntity';
import { monitoringRouteRef, rootRouteRef } from './routes';

const cloudApi = ApiBlueprint.make({
  params: defineParams =>
    defineParams({
      api: cloudApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new CloudApiClient({ discoveryApi, fetchApi }),
    }),
});

const cloudPage = PageBlueprint.make({
  params: {
    path: '/cloud',
    title: 'Resources',
    icon: <CloudIcon />,
    routeRef: rootRouteRef,
    // The pages draw their own header, like the store's.
    noHeader: true,
    loader: () => import('./components/CloudPage').then(m => <m.CloudPage />),
  },
});

/** The charts of a stack on the page of the Resource entity mirroring it. */
const stackMetricsCard = EntityCardBlueprint.make({
  name: 'stack-metrics',
  params: {
    type: 'content',
    filter: isCloudStackEntity,
    loader: () =>
      import('./components/StackMetricsCard').then(m => <m.StackMetricsCard />),
  },
});

/**
 * Cloud Store resources: stacks, their nodes, lifecycle operations and usage
 * records.
 *
 * @public
 */
export const cloudPlugin = createFrontendPlugin({
  pluginId: 'cloud',
  title: 'Resources',
  icon: <CloudIcon />,
  routes: { root: rootRouteRef, monitoring: monitoringRouteRef },
  extensions: [cloudApi, cloudPage, stackMetricsCard],
});
