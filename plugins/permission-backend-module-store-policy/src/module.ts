import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import { GroupAncestryResolver } from '@internal/plugin-catalog-node-groups';
import { CatalogGovernedTemplates } from './GovernedTemplates';
import { AccessPolicy } from './AccessPolicy';

/**
 * Installs the Cloud Store permission policy: the managed and custom
 * policies of `cloudStore.access` and their bindings.
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
        logger: coreServices.logger,
        catalog: catalogServiceRef,
      },
      async init({ policy, config, userInfo, auth, logger, catalog }) {
        policy.setPolicy(
          AccessPolicy.create({
            config,
            logger,
            userInfo,
            groups: GroupAncestryResolver.create({ catalog, auth, logger }),
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
