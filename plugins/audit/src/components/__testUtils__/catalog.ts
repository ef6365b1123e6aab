import {
  catalogPrincipal as principal,
  mockCatalogApis,
} from '@internal/catalog-test-utils';

export { catalogMountedRoutes } from '@internal/catalog-test-utils';

/** The people and groups of the audit pages' test data, with their profiles. */
const CATALOG_PRINCIPALS = [
  principal('User', 'developer', 'Dana Developer'),
  principal('User', 'data-scientist', 'Dora Data-Scientist'),
  principal('Group', 'developers', 'Developers'),
  principal('Group', 'platform-admins', 'Platform Admins'),
];

/** An in-memory catalog of {@link CATALOG_PRINCIPALS}, fresh per render. */
export function catalogApis() {
  return mockCatalogApis(CATALOG_PRINCIPALS);
}
