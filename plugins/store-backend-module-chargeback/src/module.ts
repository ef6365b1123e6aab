import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { storePaymentsExtensionPoint } from '@internal/plugin-store-node';
import { ChargebackLedger } from './ChargebackLedger';
import { ChargebackPaymentMethod } from './ChargebackPaymentMethod';

/**
 * Settles the store's charges by internal chargeback to the billing
 * account's cost centre, booked in a ledger in the store's database.
 *
 * @public
 */
export const storeModuleChargeback = createBackendModule({
  pluginId: 'store',
  moduleId: 'chargeback',
  register(reg) {
    reg.registerInit({
      deps: {
        payments: storePaymentsExtensionPoint,
        database: coreServices.database,
        logger: coreServices.logger,
        config: coreServices.rootConfig,
      },
      async init({ payments, database, logger, config }) {
        const ledger = await ChargebackLedger.create({ database });
        payments.setPaymentMethod(
          ChargebackPaymentMethod.create({ ledger, config, logger }),
        );
      },
    });
  },
});
