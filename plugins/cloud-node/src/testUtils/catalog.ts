import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';

/**
 * A stand-in for the catalog service that knows `group:default/web-team`,
 * the owner of the stacks in tests that start the cloud backend: stack
 * owners must be groups of the catalog.
 *
 * @public
 */
export function mockCatalogWithOwnerGroup() {
  return catalogServiceMock.factory({
    entities: [
      {
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'Group',
        metadata: { name: 'web-team', namespace: 'default' },
        spec: { type: 'team', children: [] },
      },
    ],
  });
}
