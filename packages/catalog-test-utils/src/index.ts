/**
 * An in-memory catalog for frontend tests: users and groups with display
 * names, and the catalog's own entity presentation reading them, as the app
 * has it.
 *
 * @packageDocumentation
 */

export {
  catalogPrincipal,
  mockCatalogApis,
  catalogMountedRoutes,
} from './catalog';
