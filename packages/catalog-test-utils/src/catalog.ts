import { Entity } from '@backstage/catalog-model';
import { DefaultEntityPresentationApi } from '@backstage/plugin-catalog';
import {
  entityPresentationApiRef,
  entityRouteRef,
} from '@backstage/plugin-catalog-react';
import { catalogApiMock } from '@backstage/plugin-catalog-react/testUtils';

/**
 * A user or a group of the default namespace with a display name.
 *
 * @public
 */
export function catalogPrincipal(
  kind: 'User' | 'Group',
  name: string,
  displayName: string,
): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind,
    metadata: { name, namespace: 'default' },
    spec: {
      profile: { displayName },
      ...(kind === 'Group' ? { type: 'team', children: [] } : {}),
    },
  };
}

/**
 * The catalog's own entity presentation, reading display names from
 * `entities` in an in-memory catalog, as the app has it: the APIs to give
 * `renderInTestApp`. A fresh pair per call, so no names are cached between
 * tests.
 *
 * @public
 */
export function mockCatalogApis(entities: Entity[]) {
  const catalogApi = catalogApiMock({ entities });
  return [
    catalogApi,
    [
      entityPresentationApiRef,
      DefaultEntityPresentationApi.create({ catalogApi }),
    ],
  ] as const;
}

/**
 * Where the catalog's entity pages are mounted in a test app.
 *
 * @public
 */
export const catalogMountedRoutes = {
  '/catalog/:namespace/:kind/:name': entityRouteRef,
};
