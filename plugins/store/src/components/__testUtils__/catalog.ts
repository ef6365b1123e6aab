import {
  catalogPrincipal as principal,
  mockCatalogApis,
} from '@internal/catalog-test-utils';

export { catalogMountedRoutes } from '@internal/catalog-test-utils';

/** The people and groups of the store's test data, with their profiles. */
const CATALOG_PRINCIPALS = [
  principal('User', 'developer', 'Dana Developer'),
  principal('User', 'approver', 'Avery Approver'),
  principal('User', 'finance', 'Fran Finance'),
  principal('Group', 'platform-admins', 'Platform Admins'),
  principal('Group', 'team-a', 'Team A'),
  principal('Group', 'team-b', 'Team B'),
  principal('Group', 'team-web', 'Web Team'),
];

/** An in-memory catalog of {@link CATALOG_PRINCIPALS}, fresh per render. */
export function catalogApis() {
  return mockCatalogApis(CATALOG_PRINCIPALS);
}
