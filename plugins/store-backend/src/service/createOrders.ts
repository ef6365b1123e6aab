import {
  AuditorService,
  AuthService,
  DatabaseService,
  DiscoveryService,
  LifecycleService,
  LoggerService,
  PermissionsRegistryService,
  PermissionsService,
  readSchedulerServiceTaskScheduleDefinitionFromConfig,
  RootConfigService,
  SchedulerService,
} from '@backstage/backend-plugin-api';
import { readDurationFromConfig } from '@backstage/config';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { NotificationService } from '@backstage/plugin-notifications-node';
import {
  Order,
  storeOrderPermissions,
  storeOrderReadPermission,
} from '@internal/plugin-store-common';
import { IdempotencyStore } from '@internal/backend-idempotency-node';
import { OrderSecretsStore } from '../database/OrderSecretsStore';
import { OrdersStore } from '../database/OrdersStore';
import { ProductsStore } from '../database/ProductsStore';
import { orderPermissionRules, orderResourceRef } from '../permissions/rules';
import { GroupMembership } from './GroupMembership';
import { OrderFulfiller } from './OrderFulfiller';
import { OrderNotifier } from './OrderNotifier';
import { OrderSecrets, readSecretsKeys } from './OrderSecrets';
import { OrderRoutesOptions } from './orderRoutes';
import { OrderService } from './OrderService';
import { ProductService } from './ProductService';

/**
 * Wires the orders part of the store: the store, the service, the
 * fulfiller and their scheduled jobs. Returns what the router needs.
 */
export async function createOrders(options: {
  auditor: AuditorService;
  auth: AuthService;
  catalog: CatalogService;
  config: RootConfigService;
  database: DatabaseService;
  discovery: DiscoveryService;
  lifecycle: LifecycleService;
  logger: LoggerService;
  notifications?: NotificationService;
  permissions: PermissionsService;
  permissionsRegistry: PermissionsRegistryService;
  scheduler: SchedulerService;
  products: ProductService;
  productsStore: ProductsStore;
  /** Called once per fulfilled order, e.g. to start its subscription. */
  onFulfilled?: (order: Order) => Promise<void>;
}): Promise<Omit<OrderRoutesOptions, 'httpAuth'>> {
  const { config, lifecycle, logger, scheduler, permissionsRegistry } = options;

  const ordersStore = await OrdersStore.create({
    database: options.database,
    preparedStatements: config.getOptionalBoolean(
      'store.database.preparedStatements',
    ),
  });
  // The table comes with the migrations that OrdersStore runs.
  const idempotencyKeys = IdempotencyStore.create({
    knex: await options.database.getClient(),
    table: 'store_idempotency_keys',
  });
  const secrets = OrderSecrets.create({
    store: await OrderSecretsStore.create({ database: options.database }),
    keys: readSecretsKeys(config),
  });
  permissionsRegistry.addResourceType({
    resourceRef: orderResourceRef,
    permissions: [storeOrderReadPermission],
    rules: Object.values(orderPermissionRules),
    getResources: async ids =>
      Promise.all(ids.map(async id => ordersStore.getOrder(id))),
  });
  permissionsRegistry.addPermissions(
    storeOrderPermissions.filter(p => p !== storeOrderReadPermission),
  );
  const notifier = OrderNotifier.create({
    notifications: options.notifications,
    logger,
  });
  const orders = OrderService.create({
    orders: ordersStore,
    productsStore: options.productsStore,
    products: options.products,
    catalog: options.catalog,
    auth: options.auth,
    permissions: options.permissions,
    membership: GroupMembership.create(options),
    secrets,
    notifier,
    logger,
    ruleset: permissionsRegistry.getPermissionRuleset(orderResourceRef),
    approvalTimeout: config.has('store.orders.approvalTimeout')
      ? readDurationFromConfig(config, { key: 'store.orders.approvalTimeout' })
      : undefined,
  });
  const fulfiller = OrderFulfiller.create({
    orders: ordersStore,
    products: options.productsStore,
    secrets,
    discovery: options.discovery,
    auth: options.auth,
    logger,
    notifier,
    auditor: options.auditor,
    timeout: config.has('store.orders.provisioningTimeout')
      ? readDurationFromConfig(config, {
          key: 'store.orders.provisioningTimeout',
        })
      : undefined,
    onFulfilled: options.onFulfilled,
  });
  orders.setProvisioner(fulfiller);

  // Each instance follows the tasks it started; this job, run by one
  // instance at a time, finishes the orders of any instance, including
  // those left behind by a restart.
  lifecycle.addShutdownHook(() => fulfiller.stop());
  await scheduler.scheduleTask({
    id: 'store-orders-follow',
    ...(config.has('store.orders.follow')
      ? readSchedulerServiceTaskScheduleDefinitionFromConfig(
          config.getConfig('store.orders.follow'),
        )
      : {
          frequency: { seconds: 10 },
          timeout: { minutes: 5 },
          initialDelay: { seconds: 5 },
        }),
    fn: () => fulfiller.checkAll(),
  });
  // Rejects orders nobody decided on in time.
  await scheduler.scheduleTask({
    id: 'store-orders-housekeeping',
    frequency: { seconds: 30 },
    timeout: { minutes: 5 },
    initialDelay: { seconds: 5 },
    fn: async () => {
      const expired = await orders.expireOrders();
      if (expired > 0) {
        logger.info(`Rejected ${expired} orders whose approval expired`);
      }
      await idempotencyKeys.deleteOlderThan(
        new Date(Date.now() - 24 * 60 * 60 * 1000),
      );
    },
  });

  return { auditor: options.auditor, orders, idempotencyKeys };
}
