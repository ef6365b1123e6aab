import {
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import { ServerPermissionClient } from '@backstage/plugin-permission-node';
import { accessPolicyChangesServiceRef } from './accessPolicyChanges';
import { CachedPermissionsService } from './CachedPermissionsService';

/**
 * The permissions service of every plugin, as Backstage's default one, with
 * a user's decisions kept for a few seconds and dropped when the access
 * policy changes (see {@link CachedPermissionsService}).
 *
 * @public
 */
export const cachedPermissionsServiceFactory = createServiceFactory({
  service: coreServices.permissions,
  deps: {
    auth: coreServices.auth,
    config: coreServices.rootConfig,
    discovery: coreServices.discovery,
    policyChanges: accessPolicyChangesServiceRef,
  },
  async factory({ auth, config, discovery, policyChanges }) {
    return CachedPermissionsService.create({
      permissions: ServerPermissionClient.fromConfig(config, {
        auth,
        discovery,
      }),
      auth,
      policyChanges,
    });
  },
});
