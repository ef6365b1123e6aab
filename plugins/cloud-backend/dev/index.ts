import { createBackend } from '@backstage/backend-defaults';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';

// The cloud plugin alone, with the local provider: `yarn start` in this
// package, and the backend that the crash tests run as a real process and
// kill. Stack owners must be catalog groups; without a catalog backend here,
// the groups of the demo organisation stand in for it.
const group = (name: string, parent?: string): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Group',
  metadata: { name, namespace: 'default' },
  spec: { type: 'team', children: [], ...(parent ? { parent } : {}) },
});

const backend = createBackend();
backend.add(
  catalogServiceMock.factory({
    entities: [
      group('acme'),
      group('engineering', 'acme'),
      group('developers', 'engineering'),
      group('team-web', 'developers'),
      group('team-data', 'developers'),
      group('finance', 'acme'),
    ],
  }),
);
backend.add(import('../src'));
backend.add(import('@internal/plugin-cloud-backend-module-local'));
backend.start();
