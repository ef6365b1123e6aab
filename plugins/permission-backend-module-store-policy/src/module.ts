import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
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
      },
      async init({ policy, config, userInfo }) {
        policy.setPolicy(StorePolicy.create({ config, userInfo }));
      },
    });
  },
});
