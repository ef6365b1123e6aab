import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import { GroupAncestryResolver } from '@internal/plugin-catalog-node-groups';
import { AccessPolicy } from './AccessPolicy';
import { accessPolicyChangesServiceRef } from './decisionCache/accessPolicyChanges';
import { CatalogGovernedTemplates } from './GovernedTemplates';
import { CatalogPrincipals } from './service/CatalogPrincipals';
import { createAccessRouter } from './service/createAccessRouter';

/**
 * Installs the Cloud Store permission policy: the managed and custom
 * policies of `cloudStore.access` and their bindings; and the Access page's
 * API under /api/permission/access.
 *
 * @public
 */
export const permissionModuleStorePolicy = createBackendModule({
  pluginId: 'permission',
  moduleId: 'store-policy',
  register(reg) {
    reg.registerInit({
      deps: {
        policyExtension: policyExtensionPoint,
        config: coreServices.rootConfig,
        userInfo: coreServices.userInfo,
        auth: coreServices.auth,
        httpAuth: coreServices.httpAuth,
        httpRouter: coreServices.httpRouter,
        permissions: coreServices.permissions,
        discovery: coreServices.discovery,
        logger: coreServices.logger,
        catalog: catalogServiceRef,
        policyChanges: accessPolicyChangesServiceRef,
      },
      async init(deps) {
        const { config, auth, logger, catalog } = deps;
        const principals = CatalogPrincipals.create({ catalog, auth });
        const policy = AccessPolicy.create({
          config,
          logger,
          userInfo: deps.userInfo,
          groups: GroupAncestryResolver.create({ catalog, auth, logger }),
          governedTemplates: CatalogGovernedTemplates.create({ auth, catalog }),
          principals,
          // Kept decisions of the policy before are dropped.
          onChange: () => deps.policyChanges.notifyChanged(),
        });
        await AccessPolicy.checkBindingsAtStartUp({
          config,
          principals,
          logger,
        });
        deps.policyExtension.setPolicy(policy);
        deps.httpRouter.use(
          await createAccessRouter({
            policy,
            principals,
            httpAuth: deps.httpAuth,
            permissions: deps.permissions,
            discovery: deps.discovery,
            auth,
          }),
        );
      },
    });
  },
});
