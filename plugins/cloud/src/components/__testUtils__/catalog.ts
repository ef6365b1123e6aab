import {
  defaultEntityPresentation,
  EntityPresentationApi,
  entityRouteRef,
} from '@backstage/plugin-catalog-react';

/** The display names the catalog knows, by entity ref. */
export const DISPLAY_NAMES: Record<string, string> = {
  'group:default/web-team': 'Web Team',
  'user:default/developer': 'Dana Developer',
};

/**
 * An entity presentation API that names the entities of
 * {@link DISPLAY_NAMES} the way the catalog's does from their profiles.
 */
export const entityPresentationApi: EntityPresentationApi = {
  forEntity(entityOrRef, context) {
    const fallback = defaultEntityPresentation(entityOrRef, context);
    const displayName = DISPLAY_NAMES[fallback.entityRef];
    const snapshot = displayName
      ? { ...fallback, primaryTitle: displayName }
      : fallback;
    return { snapshot, promise: Promise.resolve(snapshot) };
  },
};

/** Where the catalog's entity pages are mounted in a test app. */
export const catalogMountedRoutes = {
  '/catalog/:namespace/:kind/:name': entityRouteRef,
};
