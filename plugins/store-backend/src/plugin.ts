import {
  coreServices,
  createBackendPlugin,
  readSchedulerServiceTaskScheduleDefinitionFromConfig,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { eventsServiceRef } from '@backstage/plugin-events-node';
import { storePermissions } from '@internal/plugin-store-common';
import { ProductsStore } from './database/ProductsStore';
import {
  productPermissionRules,
  productResourceRef,
} from './permissions/rules';
import { ProductIndexer } from './service/ProductIndexer';
import { CloudProviders } from './service/CloudProviders';
import { ProductService } from './service/ProductService';
import { createRouter } from './service/router';
import { createOrders } from './service/createOrders';
import { notificationService } from '@backstage/plugin-notifications-node';
import {
  storeClockServiceRef,
  storePaymentsExtensionPoint,
} from '@internal/plugin-store-node';
import { StorePayments } from './service/StorePayments';
import { createSubscriptions } from './service/createSubscriptions';
import { createBilling } from './service/createBilling';
import { actionsRegistryServiceRef } from '@backstage/backend-plugin-api/alpha';
import { registerStoreActions } from './service/actions';
import { registerSubscriptionActions } from './service/subscriptionActions';

/**
 * The Cloud Store backend: the product index and the store API.
 *
 * @public
 */
export const storePlugin = createBackendPlugin({
  pluginId: 'store',
  register(env) {
    const payments = new StorePayments();
    env.registerExtensionPoint(storePaymentsExtensionPoint, payments);

    env.registerInit({
      deps: {
        auditor: coreServices.auditor,
        auth: coreServices.auth,
        discovery: coreServices.discovery,
        notifications: notificationService,
        config: coreServices.rootConfig,
        database: coreServices.database,
        httpAuth: coreServices.httpAuth,
        httpRouter: coreServices.httpRouter,
        logger: coreServices.logger,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        scheduler: coreServices.scheduler,
        catalog: catalogServiceRef,
        events: eventsServiceRef,
        lifecycle: coreServices.lifecycle,
        clock: storeClockServiceRef,
        actionsRegistry: actionsRegistryServiceRef,
      },
      async init({
        auditor,
        auth,
        discovery,
        notifications,
        config,
        database,
        httpAuth,
        httpRouter,
        logger,
        permissions,
        permissionsRegistry,
        scheduler,
        catalog,
        events,
        lifecycle,
        clock,
        actionsRegistry,
      }) {
        const store = await ProductsStore.create({
          database,
          preparedStatements: config.getOptionalBoolean(
            'store.database.preparedStatements',
          ),
        });
        permissionsRegistry.addResourceType({
          resourceRef: productResourceRef,
          permissions: storePermissions,
          rules: Object.values(productPermissionRules),
          getResources: ids => store.getProductResources(ids),
        });

        const products = ProductService.create({
          store,
          auth,
          permissions,
          catalog,
          cloudProviders: CloudProviders.create({ discovery, auth, logger }),
          ruleset: permissionsRegistry.getPermissionRuleset(productResourceRef),
          priceCurrency: config.getOptionalString('store.currency'),
        });
        const subscriptions = await createSubscriptions({
          ...{ auditor, auth, catalog, config, database, discovery, logger },
          ...{ notifications, permissions, permissionsRegistry, payments },
          scheduler,
          productsStore: store,
          now: () => clock.now(),
        });
        // Billing: usage, invoices and their monthly run.
        const billing = await createBilling({
          ...{ auditor, auth, catalog, config, database, logger, permissions },
          ...{ permissionsRegistry, scheduler },
          now: () => clock.now(),
        });
        const orders = await createOrders({
          ...{ auditor, auth, catalog, config, database, discovery, lifecycle },
          logger,
          ...{ notifications, permissions, permissionsRegistry, scheduler },
          products,
          productsStore: store,
          onFulfilled: order => subscriptions.starter.start(order),
        });

        // The same operations for agents, served over MCP.
        registerStoreActions({
          actionsRegistry,
          products,
          orders: orders.orders,
          auditor,
          idempotencyKeys: orders.idempotencyKeys,
        });
        registerSubscriptionActions({
          actionsRegistry,
          subscriptions: subscriptions.service,
          auditor,
          idempotencyKeys: orders.idempotencyKeys,
        });

        const indexer = ProductIndexer.create({
          store,
          catalog,
          auth,
          logger,
        });
        // The catalog announces changed products, which are refreshed in a
        // second; the schedule catches what events miss (deletions, events
        // lost in a restart) and reads only etags unless something changed.
        await indexer.subscribe(events);
        lifecycle.addShutdownHook(() => indexer.stop());
        await indexer.schedule(
          scheduler,
          config.has('store.products.refresh')
            ? readSchedulerServiceTaskScheduleDefinitionFromConfig(
                config.getConfig('store.products.refresh'),
              )
            : {
                frequency: { seconds: 15 },
                timeout: { minutes: 5 },
                initialDelay: { seconds: 5 },
              },
        );

        httpRouter.use(
          await createRouter({
            httpAuth,
            products,
            orders,
            subscriptions: {
              auditor,
              subscriptions: subscriptions.service,
              idempotencyKeys: orders.idempotencyKeys,
            },
            billing,
          }),
        );
      },
    });
  },
});
