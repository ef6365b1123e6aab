import {
  AuditorService,
  AuthService,
  DatabaseService,
  DiscoveryService,
  LoggerService,
  PermissionsRegistryService,
  PermissionsService,
  RootConfigService,
  SchedulerService,
} from '@backstage/backend-plugin-api';
import { NotificationService } from '@backstage/plugin-notifications-node';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { storeSubscriptionPermissions } from '@internal/plugin-store-common';
import { ProductsStore } from '../database/ProductsStore';
import { SubscriptionsStore } from '../database/SubscriptionsStore';
import {
  subscriptionPermissionRules,
  subscriptionResourceRef,
} from '../permissions/subscriptionRules';
import { StorePayments } from './StorePayments';
import { readProrationBasis, SubscriptionService } from './SubscriptionService';
import { SubscriptionStarter } from './SubscriptionStarter';
import {
  readLifecycleSettings,
  SubscriptionLifecycle,
} from './SubscriptionLifecycle';
import { SubscriptionStacks } from './SubscriptionStacks';

/**
 * Wires the subscriptions part of the store: the store, the starter that
 * turns fulfilled orders into subscriptions, the service, and the
 * lifecycle that the scheduler runs.
 */
export async function createSubscriptions(options: {
  auditor: AuditorService;
  auth: AuthService;
  catalog: CatalogService;
  config: RootConfigService;
  database: DatabaseService;
  discovery: DiscoveryService;
  logger: LoggerService;
  notifications?: NotificationService;
  scheduler: SchedulerService;
  permissions: PermissionsService;
  permissionsRegistry: PermissionsRegistryService;
  productsStore: ProductsStore;
  payments: StorePayments;
  /** The clock; tests set it. */
  now?: () => Date;
}): Promise<{
  starter: SubscriptionStarter;
  service: SubscriptionService;
  lifecycle: SubscriptionLifecycle;
}> {
  const { permissionsRegistry, payments, logger } = options;
  const store = await SubscriptionsStore.create({ database: options.database });
  permissionsRegistry.addResourceType({
    resourceRef: subscriptionResourceRef,
    permissions: storeSubscriptionPermissions,
    rules: Object.values(subscriptionPermissionRules),
    getResources: async ids => Promise.all(ids.map(async id => store.get(id))),
  });
  if (payments.isSet()) {
    logger.info(`Subscriptions are settled by '${payments.get().id}'`);
  } else {
    logger.info(
      "No payment module is installed: subscription charges are recorded with payment method 'none' and settled nowhere",
    );
  }
  const starter = SubscriptionStarter.create({
    subscriptions: store,
    products: options.productsStore,
    catalog: options.catalog,
    auth: options.auth,
    payments,
    logger,
    auditor: options.auditor,
    now: options.now,
  });
  const settings = readLifecycleSettings(options.config);
  const stacks = SubscriptionStacks.create({
    discovery: options.discovery,
    auth: options.auth,
  });
  const service = SubscriptionService.create({
    store,
    products: options.productsStore,
    permissions: options.permissions,
    ruleset: permissionsRegistry.getPermissionRuleset(subscriptionResourceRef),
    payments,
    basis: readProrationBasis(options.config),
    now: options.now,
    graceDays: settings.graceDays,
    stacks,
    logger,
  });
  const lifecycle = SubscriptionLifecycle.create({
    store,
    payments,
    stacks,
    notifications: options.notifications,
    auditor: options.auditor,
    logger,
    reminderDays: settings.reminderDays,
    graceDays: settings.graceDays,
    now: options.now,
  });
  await lifecycle.schedule(options.scheduler, settings.schedule);
  return { starter, service, lifecycle };
}
