import { createBackend } from '@backstage/backend-defaults';
import { mockCatalogWithOwnerGroup } from '@internal/plugin-cloud-node/testUtils';

// The cloud plugin with the OpenStack provider alone: `yarn start` in this
// package (with cloud.openstack in the config), and the backend that the
// crash test runs as a real process and kills. Stack owners must be catalog
// groups; group:default/web-team stands in for a catalog.
const backend = createBackend();
backend.add(mockCatalogWithOwnerGroup());
backend.add(import('@internal/plugin-cloud-backend'));
backend.add(import('../src'));
backend.start();
