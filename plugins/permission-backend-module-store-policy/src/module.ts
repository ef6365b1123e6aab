import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { CatalogGovernedTemplates } from './GovernedTemplates';
import { StorePolicy } from './StorePolicy';

/**
 * Installs the Cloud Store permission policy.
 *
 * @public
 */
export const permissionModuleStorePolicy = createBackendModule({
  pluginId: 'permission',
  moduleId: 'store-policy',
  register(reg) {
    reg.registerInit({
      deps: {
        policy: policyExtensionPoint,
        config: coreServices.rootConfig,
        userInfo: coreServices.userInfo,
        auth: coreServices.auth,
        catalog: catalogServiceRef,
      },
      async init({ policy, config, userInfo, auth, catalog }) {
        policy.setPolicy(
          StorePolicy.create({
            config,
            userInfo,
            governedTemplates: CatalogGovernedTemplates.create({
              auth,
              catalog,
            }),
          }),
        );
      },
    });
  },
});
