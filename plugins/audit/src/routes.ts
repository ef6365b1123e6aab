import { createRouteRef } from '@backstage/frontend-plugin-api';

/** The audit log page. @public */
export const rootRouteRef = createRouteRef();

/** The Access page: policies, the matrix of groups and "explain why". @public */
export const accessRouteRef = createRouteRef();
