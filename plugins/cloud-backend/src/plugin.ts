import {
  coreServices,
  createBackendPlugin,
  readSchedulerServiceTaskScheduleDefinitionFromConfig,
} from '@backstage/backend-plugin-api';
import { ConfigReader, readDurationFromConfig } from '@backstage/config';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { notificationService } from '@backstage/plugin-notifications-node';
import { durationToMilliseconds } from '@backstage/types';
import { IdempotencyStore } from '@internal/backend-idempotency-node';
import { cloudPermissions } from '@internal/plugin-cloud-common';
import { cloudProvidersExtensionPoint } from '@internal/plugin-cloud-node';
import { randomUUID } from 'node:crypto';
import { UsageReporter } from './service/UsageReporter';
import { AlertStore } from './database/AlertStore';
import { CloudStore } from './database/CloudStore';
import { MetricsStore } from './database/MetricsStore';
import { AlertEvaluator } from './service/AlertEvaluator';
import { AlertRules } from './service/AlertRules';
import { cloudClockServiceRef } from './service/clock';
import {
  MetricsCollector,
  readMetricsRetention,
} from './service/MetricsCollector';
import { MetricsService } from './service/MetricsService';
import { createStackServices } from './service/createStackServices';
import { cloudStackResourceRef, cloudStackRules } from './service/permissions';
import { ProviderRegistry } from './service/ProviderRegistry';
import { createRouter } from './service/router';
import { registerCloudActions } from './service/actions';
import { actionsRegistryServiceRef } from '@backstage/backend-plugin-api/alpha';

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
        discovery: coreServices.discovery,
        httpRouter: coreServices.httpRouter,
        httpAuth: coreServices.httpAuth,
        auth: coreServices.auth,
        userInfo: coreServices.userInfo,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        auditor: coreServices.auditor,
        scheduler: coreServices.scheduler,
        lifecycle: coreServices.lifecycle,
        catalog: catalogServiceRef,
        notifications: notificationService,
        clock: cloudClockServiceRef,
        actionsRegistry: actionsRegistryServiceRef,
      },
      async init({
        config,
        logger,
        database,
        discovery,
        httpRouter,
        httpAuth,
        auth,
        userInfo,
        permissions,
        permissionsRegistry,
        auditor,
        scheduler,
        lifecycle,
        catalog,
        notifications,
        clock,
        actionsRegistry,
      }) {
        const store = await CloudStore.create(database);
        // The table comes with the migrations that CloudStore runs.
        const idempotency = IdempotencyStore.create({
          knex: await database.getClient(),
          table: 'cloud_idempotency_keys',
        });
        const instanceConfig = config.getOptionalConfig('cloud.instance');
        const heartbeat = instanceConfig?.has('heartbeat')
          ? readDurationFromConfig(instanceConfig, { key: 'heartbeat' })
          : { seconds: 10 };
        const { stacks, reconciler, leases, hosts } = createStackServices({
          store,
          providers,
          logger,
          auditor,
          auth,
          permissions,
          userInfo,
          catalog,
          limits: {
            maxNodesPerRole:
              config.getOptionalNumber('cloud.maxNodesPerRole') ?? 10,
            maxScriptTimeoutSeconds:
              config.getOptionalNumber('cloud.maxScriptTimeoutSeconds') ?? 300,
          },
          instanceId: randomUUID(),
          baseUrl:
            instanceConfig?.getOptionalString('baseUrl') ??
            (await discovery.getBaseUrl('cloud')),
          // a host whose instance missed three heartbeats is not served
          hostAliveMs: 3 * durationToMilliseconds(heartbeat),
        });

        permissionsRegistry.addResourceType({
          resourceRef: cloudStackResourceRef,
          permissions: cloudPermissions,
          rules: cloudStackRules,
          getResources: async refs =>
            Promise.all(refs.map(ref => store.getStack(ref))),
        });
        permissionsRegistry.addPermissions(cloudPermissions);

        // One instance serves each host: the calls that leases of earlier
        // lives of this instance covered ended with them.
        for (const hostId of hosts.ownHosts()) {
          const released = await leases.releaseStale(hostId);
          if (released) {
            logger.info(
              `Released ${released} stack leases of host ${hostId} held before this start`,
            );
          }
        }
        await hosts.heartbeat();
        lifecycle.addShutdownHook(() => hosts.release());
        await scheduler.scheduleTask({
          id: 'cloud-host-heartbeat',
          scope: 'local',
          frequency: heartbeat,
          timeout: heartbeat,
          fn: async () => {
            await hosts.heartbeat();
          },
        });
        // Idempotency-Keys are for retries, which come within minutes.
        await scheduler.scheduleTask({
          id: 'cloud-idempotency-housekeeping',
          frequency: { hours: 1 },
          timeout: { minutes: 5 },
          initialDelay: { minutes: 1 },
          fn: async () => {
            await idempotency.deleteOlderThan(
              new Date(Date.now() - 24 * 60 * 60 * 1000),
            );
          },
        });

        // The inventory must be right before the first request is served.
        await reconciler.reconcile();
        const { scope: _scope, ...reconcileOverrides } = (config
          .getOptionalConfig('cloud.reconcile')
          ?.get<Record<string, unknown>>() ?? {}) as Record<string, unknown>;
        const schedule = readSchedulerServiceTaskScheduleDefinitionFromConfig(
          new ConfigReader({
            frequency: { minutes: 1 },
            timeout: { minutes: 5 },
            initialDelay: { minutes: 1 },
            ...reconcileOverrides,
          }),
        );
        // Each host is reconciled by the instance serving it, whichever
        // instance runs the reconciliation of providers without hosts.
        for (const hostId of hosts.ownHosts()) {
          await scheduler.scheduleTask({
            id: `cloud-reconcile:${hostId}`,
            ...schedule,
            fn: async () => {
              await reconciler.reconcile('hosts');
            },
          });
        }
        if (providers.list().some(p => !p.hostId)) {
          await scheduler.scheduleTask({
            id: 'cloud-reconcile',
            ...schedule,
            fn: async () => {
              await reconciler.reconcile('shared');
            },
          });
        }

        // Node-hours of the stacks, for the store to bill.
        const usageReporter = UsageReporter.create({
          store,
          auth,
          discovery,
          logger,
        });
        await scheduler.scheduleTask({
          id: 'cloud-usage-report',
          ...readSchedulerServiceTaskScheduleDefinitionFromConfig(
            new ConfigReader({
              frequency: { minutes: 15 },
              timeout: { minutes: 5 },
              initialDelay: { minutes: 2 },
              ...(config
                .getOptionalConfig('cloud.usage.report')
                ?.get<Record<string, unknown>>() ?? {}),
            }),
          ),
          fn: async () => {
            await usageReporter.report();
          },
        });

        // Monitoring: each host's nodes are read by the instance serving the
        // host, the other providers' by any one instance; the alert rules
        // are judged over what each round read, in the same task.
        const db = await database.getClient();
        const metricsStore = MetricsStore.create(db);
        const alertStore = AlertStore.create(db);
        const retention = readMetricsRetention(config);
        const alertRules = AlertRules.fromConfig(config);
        const collector = MetricsCollector.create({
          store,
          metrics: metricsStore,
          providers,
          logger,
          retention,
          now: clock.now,
        });
        const alerts = AlertEvaluator.create({
          alerts: alertStore,
          metrics: metricsStore,
          store,
          rules: alertRules,
          auditor,
          logger,
          notifications,
          now: clock.now,
        });
        const collectSchedule =
          readSchedulerServiceTaskScheduleDefinitionFromConfig(
            new ConfigReader({
              frequency: { seconds: 15 },
              timeout: { minutes: 1 },
              ...(config
                .getOptionalConfig('cloud.monitoring.collect')
                ?.get<Record<string, unknown>>() ?? {}),
            }),
          );
        for (const hostId of hosts.ownHosts()) {
          await scheduler.scheduleTask({
            id: `cloud-metrics-collect:${hostId}`,
            ...collectSchedule,
            fn: async () => {
              await alerts.evaluate(await collector.collect({ hostId }));
            },
          });
        }
        if (providers.list().some(p => !p.hostId && p.collectMetrics)) {
          await scheduler.scheduleTask({
            id: 'cloud-metrics-collect',
            ...collectSchedule,
            fn: async () => {
              await alerts.evaluate(await collector.collect('shared'));
            },
          });
        }
        await scheduler.scheduleTask({
          id: 'cloud-metrics-purge',
          frequency: { minutes: 10 },
          timeout: { minutes: 10 },
          initialDelay: { minutes: 1 },
          fn: async () => {
            await collector.purge();
            // resolved alerts are kept as long as the longest-kept metrics
            await alerts.purge(clock.now() - retention['1d']);
          },
        });

        // The stack operations for agents, served over MCP.
        registerCloudActions({
          ...{ actionsRegistry, stacks, permissions, permissionsRegistry },
          ...{ auditor, idempotency },
        });

        httpRouter.use(
          await createRouter({
            metrics: MetricsService.create({
              store,
              metrics: metricsStore,
              alerts: alertStore,
              rules: alertRules,
              providers,
              retention,
              now: clock.now,
            }),
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
