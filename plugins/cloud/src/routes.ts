import { createRouteRef } from '@backstage/frontend-plugin-api';

/** The Resources page; stacks live below it at `stacks/:stackId`. @public */
export const rootRouteRef = createRouteRef();
