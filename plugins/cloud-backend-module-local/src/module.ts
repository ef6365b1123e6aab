import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { cloudProvidersExtensionPoint } from '@internal/plugin-cloud-node';
import { resolve } from 'node:path';
import { LocalProvider } from './LocalProvider';
import { Runtimes } from './runtimes';

/**
 * Adds the local provider to the cloud backend.
 *
 * @public
 */
export const cloudModuleLocal = createBackendModule({
  pluginId: 'cloud',
  moduleId: 'local',
  register(reg) {
    reg.registerInit({
      deps: {
        providers: cloudProvidersExtensionPoint,
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        lifecycle: coreServices.rootLifecycle,
      },
      async init({ providers, config, logger, lifecycle }) {
        const dataDir = resolve(
          config.getOptionalString('cloud.local.dataDir') ??
            'data/local-provider',
        );
        const provider = await LocalProvider.create({
          dataDir,
          logger,
          routerPort: config.getOptionalNumber('cloud.local.routerPort'),
          regions: config.getOptionalStringArray('cloud.local.regions'),
          hostId: config.getOptionalString('cloud.local.hostId'),
          limits: Runtimes.readLimits(
            config.getOptionalConfig('cloud.local.limits'),
          ),
          runtimes: Runtimes.readConfig(
            config.getOptionalConfig('cloud.local.runtimes'),
          ),
        });
        logger.info(
          `Local provider ${provider.hostId} keeps stacks in ${dataDir}; stacks answer on http://<stack>.localhost:${provider.routerPort}`,
        );
        // Nodes end with the backend; the next start brings back what should run.
        lifecycle.addShutdownHook(() => provider.shutdown());
        providers.addProvider(provider);
      },
    });
  },
});
