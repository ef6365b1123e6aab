import {
  AuditorService,
  AuthService,
  DatabaseService,
  LoggerService,
  PermissionsRegistryService,
  PermissionsService,
  RootConfigService,
} from '@backstage/backend-plugin-api';
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

/**
 * Wires the subscriptions part of the store: the store, the starter that
 * turns fulfilled orders into subscriptions, and the service.
 */
export async function createSubscriptions(options: {
  auditor: AuditorService;
  auth: AuthService;
  catalog: CatalogService;
  config: RootConfigService;
  database: DatabaseService;
  logger: LoggerService;
  permissions: PermissionsService;
  permissionsRegistry: PermissionsRegistryService;
  productsStore: ProductsStore;
  payments: StorePayments;
  /** The clock; tests set it. */
  now?: () => Date;
}): Promise<{
  starter: SubscriptionStarter;
  service: SubscriptionService;
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
  const service = SubscriptionService.create({
    store,
    products: options.productsStore,
    permissions: options.permissions,
    ruleset: permissionsRegistry.getPermissionRuleset(subscriptionResourceRef),
    payments,
    basis: readProrationBasis(options.config),
    now: options.now,
  });
  return { starter, service };
}
