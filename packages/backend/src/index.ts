import { createBackend } from '@backstage/backend-defaults';
import {
  coreServices,
  createBackendFeatureLoader,
} from '@backstage/backend-plugin-api';
import { auditorServiceFactory } from '@internal/plugin-audit-backend';
import { cachedPermissionsServiceFactory } from '@internal/plugin-permission-backend-module-store-policy';
import { storeTestClockFactory } from './storeTestClock';

const backend = createBackend();

// The audit log: every plugin's auditor also stores its events in the
// database, hash-chained, for admins under /api/audit.
backend.add(import('@internal/plugin-audit-backend'));
backend.add(auditorServiceFactory);

backend.add(import('@backstage/plugin-app-backend'));
backend.add(import('@backstage/plugin-proxy-backend'));

// Auth: the development sign-in with demo users, and single sign-on through
// OIDC (configured in app-config.production.yaml); both audit each sign-in.
backend.add(import('@backstage/plugin-auth-backend'));
backend.add(import('@internal/plugin-auth-backend-module-demo-provider'));
backend.add(import('@internal/plugin-auth-backend-module-oidc-provider'));

// Catalog, with the Template kind and its relations.
backend.add(import('@backstage/plugin-catalog-backend'));
backend.add(
  import('@backstage/plugin-catalog-backend-module-scaffolder-entity-model'),
);
backend.add(import('@backstage/plugin-catalog-backend-module-logs'));
backend.add(import('@internal/plugin-catalog-backend-module-store'));

// The store: product index and API, and internal chargeback to the cost
// centres of the groups as the default payment method of subscriptions.
backend.add(import('@internal/plugin-store-backend'));
backend.add(import('@internal/plugin-store-backend-module-chargeback'));
// The end-to-end tests move the store's billing calendar (playwright.config.ts).
if (process.env.CLOUDSTORE_STORE_CLOCK_FILE) {
  backend.add(storeTestClockFactory(process.env.CLOUDSTORE_STORE_CLOCK_FILE));
}

// Scaffolder: runs the templates that fulfil store orders.
backend.add(import('@backstage/plugin-scaffolder-backend'));
backend.add(
  import('@backstage/plugin-scaffolder-backend-module-notifications'),
);

// Permissions, decided by the Cloud Store policy.
backend.add(import('@backstage/plugin-permission-backend'));
backend.add(import('@internal/plugin-permission-backend-module-store-policy'));
// Every plugin keeps a user's decisions for a few seconds, until the policy
// changes: a list read costs no round trip to the permission backend.
backend.add(cachedPermissionsServiceFactory);

// Search: PostgreSQL full-text search in production, the in-memory engine on
// SQLite; the catalog is indexed.
backend.add(import('@backstage/plugin-search-backend'));
backend.add(
  createBackendFeatureLoader({
    deps: { config: coreServices.rootConfig },
    *loader({ config }) {
      if (config.getString('backend.database.client') === 'pg') {
        yield import('@backstage/plugin-search-backend-module-pg');
      }
    },
  }),
);
backend.add(import('@backstage/plugin-search-backend-module-catalog'));
backend.add(import('@internal/plugin-search-backend-module-store'));

// Cloud: inventory and lifecycle of stacks, the embedded local provider and
// the scaffolder actions that deploy through it.
backend.add(import('@internal/plugin-cloud-backend'));
backend.add(import('@internal/plugin-cloud-backend-module-local'));
// OpenStack clouds of cloud.openstack.providers (none unless configured).
backend.add(import('@internal/plugin-cloud-backend-module-openstack'));
backend.add(import('@internal/plugin-scaffolder-backend-module-cloud'));
// Each stack is also a Resource entity in the catalog.
backend.add(import('@internal/plugin-catalog-backend-module-cloud'));

// The registered actions of the store as MCP tools, for agents acting for
// their users (servers in app-config.yaml).
backend.add(import('@backstage/plugin-mcp-actions-backend'));

backend.add(import('@backstage/plugin-events-backend'));
backend.add(import('@backstage/plugin-notifications-backend'));
backend.add(import('@backstage/plugin-signals-backend'));
backend.add(import('@backstage/plugin-user-settings-backend'));

backend.start();
