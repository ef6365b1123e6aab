import { Entity } from '@backstage/catalog-model';
import { DefaultEntityPresentationApi } from '@backstage/plugin-catalog';
import {
  entityPresentationApiRef,
  entityRouteRef,
} from '@backstage/plugin-catalog-react';
import { catalogApiMock } from '@backstage/plugin-catalog-react/testUtils';

function principal(
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

/** The people and groups of the store's test data, with their profiles. */
export const CATALOG_PRINCIPALS: Entity[] = [
  principal('User', 'developer', 'Dana Developer'),
  principal('User', 'approver', 'Avery Approver'),
  principal('User', 'finance', 'Fran Finance'),
  principal('Group', 'platform-admins', 'Platform Admins'),
  principal('Group', 'team-a', 'Team A'),
  principal('Group', 'team-b', 'Team B'),
  principal('Group', 'team-web', 'Web Team'),
];

/**
 * The catalog's own entity presentation, reading display names from
 * {@link CATALOG_PRINCIPALS} in an in-memory catalog, as the app has it.
 * A fresh pair per render, so no names are cached between tests.
 */
export function catalogApis() {
  const catalogApi = catalogApiMock({ entities: CATALOG_PRINCIPALS });
  return [
    catalogApi,
    [
      entityPresentationApiRef,
      DefaultEntityPresentationApi.create({ catalogApi }),
    ],
  ] as const;
}

/** Where the catalog's entity pages are mounted in a test app. */
export const catalogMountedRoutes = {
  '/catalog/:namespace/:kind/:name': entityRouteRef,
};
