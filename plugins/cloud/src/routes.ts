import {
  createRouteRef,
  createSubRouteRef,
} from '@backstage/frontend-plugin-api';

/** The Resources page; stacks live below it at `stacks/:stackId`. @public */
export const rootRouteRef = createRouteRef();

/** The monitoring overview of every node, for admins. @public */
export const monitoringRouteRef = createSubRouteRef({
  parent: rootRouteRef,
  path: '/monitoring',
});
