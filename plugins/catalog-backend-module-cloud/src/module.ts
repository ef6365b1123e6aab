import {
  coreServices,
  createBackendModule,
  readSchedulerServiceTaskScheduleDefinitionFromConfig,
} from '@backstage/backend-plugin-api';
import { catalogProcessingExtensionPoint } from '@backstage/plugin-catalog-node';
import { CloudStackEntityProvider } from './CloudStackEntityProvider';

/**
 * Mirrors cloud stacks into the catalog as `Resource` entities of type
 * `cloud-stack`.
 *
 * @public
 */
export const catalogModuleCloud = createBackendModule({
  pluginId: 'catalog',
  moduleId: 'cloud',
  register(reg) {
    reg.registerInit({
      deps: {
        catalog: catalogProcessingExtensionPoint,
        config: coreServices.rootConfig,
        auth: coreServices.auth,
        discovery: coreServices.discovery,
        logger: coreServices.logger,
        scheduler: coreServices.scheduler,
      },
      async init({ catalog, config, auth, discovery, logger, scheduler }) {
        const scheduleConfig = config.getOptionalConfig(
          'cloud.catalog.schedule',
        );
        const taskRunner = scheduler.createScheduledTaskRunner(
          scheduleConfig
            ? readSchedulerServiceTaskScheduleDefinitionFromConfig(
                scheduleConfig,
              )
            : {
                frequency: { seconds: 30 },
                timeout: { minutes: 1 },
                initialDelay: { seconds: 5 },
              },
        );
        catalog.addEntityProvider(
          CloudStackEntityProvider.create({
            auth,
            discovery,
            logger,
            taskRunner,
            appBaseUrl: config.getString('app.baseUrl'),
            defaultOwner: config.getOptionalString(
              'cloud.catalog.defaultOwner',
            ),
          }),
        );
      },
    });
  },
});
