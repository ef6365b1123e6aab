import { createRouteRef } from '@backstage/frontend-plugin-api';

/** The audit log page. @public */
export const rootRouteRef = createRouteRef();
