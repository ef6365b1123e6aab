import {
  AuditorService,
  AuthService,
  DatabaseService,
  LoggerService,
  PermissionsRegistryService,
  PermissionsService,
  readSchedulerServiceTaskScheduleDefinitionFromConfig,
  RootConfigService,
  SchedulerService,
} from '@backstage/backend-plugin-api';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { storeBillingManagePermission } from '@internal/plugin-store-common';
import { InvoicesStore } from '../database/InvoicesStore';
import { UsageStore } from '../database/UsageStore';
import { subscriptionResourceRef } from '../permissions/subscriptionRules';
import { BillingAccounts } from './BillingAccounts';
import { BillingRoutesOptions } from './billingRoutes';
import { Invoices } from './Invoices';
import { readLateEventWindowDays, UsageReports } from './UsageReports';

/**
 * Wires billing: usage reports, invoices and the scheduled invoice run
 * (`store-billing-invoices`, `store.billing.invoices`; daily by default),
 * which invoices the latest month whose late-usage window has closed and
 * does nothing once that month is invoiced. Call it after the
 * subscriptions, whose store migrates the tables.
 */
export async function createBilling(options: {
  auditor: AuditorService;
  auth: AuthService;
  catalog: CatalogService;
  config: RootConfigService;
  database: DatabaseService;
  logger: LoggerService;
  permissions: PermissionsService;
  permissionsRegistry: PermissionsRegistryService;
  scheduler: SchedulerService;
  now: () => Date;
}): Promise<Omit<BillingRoutesOptions, 'httpAuth'> & { invoices: Invoices }> {
  const { config, database, logger, permissions, now } = options;
  options.permissionsRegistry.addPermissions([storeBillingManagePermission]);
  const lateEventWindowDays = readLateEventWindowDays(config);
  const usage = UsageReports.create({
    store: await UsageStore.create({ database }),
    permissions,
    lateEventWindowDays,
    now,
  });
  const invoices = Invoices.create({
    store: await InvoicesStore.create({ database }),
    accounts: BillingAccounts.create({
      catalog: options.catalog,
      auth: options.auth,
    }),
    permissions,
    ruleset: options.permissionsRegistry.getPermissionRuleset(
      subscriptionResourceRef,
    ),
    logger,
    currency: config.getOptionalString('store.currency'),
    lateEventWindowDays,
    now,
  });
  await options.scheduler.scheduleTask({
    id: 'store-billing-invoices',
    ...(config.has('store.billing.invoices')
      ? readSchedulerServiceTaskScheduleDefinitionFromConfig(
          config.getConfig('store.billing.invoices'),
        )
      : {
          frequency: { hours: 24 },
          timeout: { hours: 1 },
          initialDelay: { minutes: 5 },
        }),
    fn: async () => {
      await invoices.run(invoices.closedPeriod());
    },
  });
  return { auditor: options.auditor, usage, invoices };
}
