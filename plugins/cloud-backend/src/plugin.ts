import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { cloudPermissions } from '@internal/plugin-cloud-common';
import { cloudProvidersExtensionPoint } from '@internal/plugin-cloud-node';
import { readCloudBackendConfig } from './config';
import { CloudStore } from './database/CloudStore';
import { IdempotencyStore } from './database/IdempotencyStore';
import { cloudStackResourceRef, cloudStackRules } from './service/permissions';
import { ProviderRegistry } from './service/ProviderRegistry';
import { Reconciler } from './service/Reconciler';
import { createRouter } from './service/router';
import { StackService } from './service/StackService';

/**
 * The cloud backend: providers, the inventory of stacks and nodes, lifecycle
 * operations and usage records, under /api/cloud.
 *
 * @public
 */
export const cloudPlugin = createBackendPlugin({
  pluginId: 'cloud',
  register(env) {
    const providers = new ProviderRegistry();
    env.registerExtensionPoint(cloudProvidersExtensionPoint, providers);

    env.registerInit({
      deps: {
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        database: coreServices.database,
        httpRouter: coreServices.httpRouter,
        httpAuth: coreServices.httpAuth,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        auditor: coreServices.auditor,
        scheduler: coreServices.scheduler,
      },
      async init({
        config,
        logger,
        database,
        httpRouter,
        httpAuth,
        permissions,
        permissionsRegistry,
        auditor,
        scheduler,
      }) {
        const cloudConfig = readCloudBackendConfig(config);
        const store = await CloudStore.create(database);
        const idempotency = await IdempotencyStore.create(database);
        const stacks = StackService.create({
          store,
          providers,
          logger,
          limits: cloudConfig.limits,
        });
        const reconciler = Reconciler.create({
          store,
          providers,
          stacks,
          logger,
          auditor,
        });

        permissionsRegistry.addResourceType({
          resourceRef: cloudStackResourceRef,
          permissions: cloudPermissions,
          rules: cloudStackRules,
          getResources: async refs =>
            Promise.all(refs.map(ref => store.getStack(ref))),
        });
        permissionsRegistry.addPermissions(cloudPermissions);

        // The inventory must be right before the first request is served.
        await reconciler.reconcile();
        await scheduler.scheduleTask({
          id: 'cloud-reconcile',
          ...cloudConfig.reconcile,
          fn: async () => {
            await reconciler.reconcile();
          },
        });

        httpRouter.use(
          await createRouter({
            stacks,
            store,
            idempotency,
            providers,
            httpAuth,
            permissions,
            permissionsRegistry,
            auditor,
          }),
        );
      },
    });
  },
});
