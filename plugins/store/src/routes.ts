import {
  createRouteRef,
  createSubRouteRef,
} from '@backstage/frontend-plugin-api';

/** The store's front page. */
export const rootRouteRef = createRouteRef();

/** The datasheet of one product. */
export const productRouteRef = createSubRouteRef({
  parent: rootRouteRef,
  path: '/products/:namespace/:name',
});
