import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { auditPermissions } from '@internal/plugin-audit-common';
import { AuditLogStore } from './database/AuditLogStore';
import { auditEventQueueServiceRef } from './service/AuditEventQueue';
import { createRouter } from './service/router';

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The audit log: stores the events that the auditor of every plugin queues
 * (see {@link auditorServiceFactory}) and serves them to administrators under
 * /api/audit. Records older than `audit.retentionDays` are removed once an hour.
 *
 * @public
 */
export const auditPlugin = createBackendPlugin({
  pluginId: 'audit',
  register(env) {
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
        lifecycle: coreServices.lifecycle,
        queue: auditEventQueueServiceRef,
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
        lifecycle,
        queue,
      }) {
        const store = await AuditLogStore.create(database);
        queue.attach(store);
        // What other plugins emit while they stop is still written.
        lifecycle.addShutdownHook(() => queue.flush());

        permissionsRegistry.addPermissions(auditPermissions);
        httpRouter.use(
          await createRouter({ store, httpAuth, permissions, auditor }),
        );

        const retentionDays = config.getOptionalNumber('audit.retentionDays');
        if (retentionDays !== undefined) {
          if (!(retentionDays > 0)) {
            throw new Error(
              `audit.retentionDays must be a positive number of days, got ${retentionDays}`,
            );
          }
          await scheduler.scheduleTask({
            id: 'audit-log-retention',
            frequency: { hours: 1 },
            timeout: { minutes: 10 },
            initialDelay: { minutes: 1 },
            fn: async () => {
              const removed = await store.purgeBefore(
                new Date(Date.now() - retentionDays * DAY_MS),
              );
              if (removed > 0) {
                logger.info(
                  `Removed ${removed} audit log records older than ${retentionDays} days`,
                );
              }
            },
          });
        }
      },
    });
  },
});
