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
import { CloudApiClient } from '@internal/plugin-cloud-common';

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
        const options = {
          api: new CloudApiClient({ discoveryApi: discovery }),
          auth,
        };
        scaffolder.addActions(
          createCloudStackDeployAction(options),
          createCloudStackDeleteAction(options),
          createCloudStackScaleAction(options),
          createCloudNodeScriptAction(options),
        );
      },
    });
  },
});
