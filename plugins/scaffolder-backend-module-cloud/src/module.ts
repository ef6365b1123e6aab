import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import {
  createCloudNodeScriptAction,
  createCloudStackDeleteAction,
  createCloudStackDeployAction,
  createCloudStackScaleAction,
} from './actions';
import { CloudClient } from './CloudClient';

/**
 * Adds the cloud:* actions to the scaffolder.
 *
 * @public
 */
export const scaffolderModuleCloud = createBackendModule({
  pluginId: 'scaffolder',
  moduleId: 'cloud',
  register(reg) {
    reg.registerInit({
      deps: {
        scaffolder: scaffolderActionsExtensionPoint,
        auth: coreServices.auth,
        discovery: coreServices.discovery,
      },
      async init({ scaffolder, auth, discovery }) {
        const client = new CloudClient({ auth, discovery });
        scaffolder.addActions(
          createCloudStackDeployAction({ client }),
          createCloudStackDeleteAction({ client }),
          createCloudStackScaleAction({ client }),
          createCloudNodeScriptAction({ client }),
        );
      },
    });
  },
});
