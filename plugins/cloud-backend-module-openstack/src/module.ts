import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { cloudProvidersExtensionPoint } from '@internal/plugin-cloud-node';
import { readOpenStackProviders } from './config';
import { OpenStackProvider } from './OpenStackProvider';

/**
 * Adds the OpenStack clouds of `cloud.openstack.providers` to the cloud
 * backend, one provider each; none when nothing is configured.
 *
 * @public
 */
export const cloudModuleOpenStack = createBackendModule({
  pluginId: 'cloud',
  moduleId: 'openstack',
  register(reg) {
    reg.registerInit({
      deps: {
        providers: cloudProvidersExtensionPoint,
        config: coreServices.rootConfig,
        logger: coreServices.logger,
      },
      async init({ providers, config, logger }) {
        const tag = config.getOptionalString('cloud.openstack.tag');
        const stackTimeoutMinutes = config.getOptionalNumber(
          'cloud.openstack.stackTimeoutMinutes',
        );
        for (const cloud of readOpenStackProviders(config)) {
          providers.addProvider(
            OpenStackProvider.create({
              ...cloud,
              tag,
              stackTimeoutMinutes,
              logger,
            }),
          );
          logger.info(
            `OpenStack provider '${cloud.id}' in ${cloud.regions
              .map(r => r.region)
              .join(', ')}`,
          );
        }
      },
    });
  },
});
