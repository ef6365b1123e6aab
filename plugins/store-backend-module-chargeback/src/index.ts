/**
 * The default payment method of Cloud Store: internal chargeback of
 * subscription charges to the billing account's cost centre.
 *
 * @packageDocumentation
 */

export { storeModuleChargeback as default } from './module';
export { ChargebackLedger } from './ChargebackLedger';
export type {
  ChargebackEntry,
  ChargebackPeriod,
  ChargebackTotal,
  NewChargebackEntry,
} from './ChargebackLedger';
export {
  ChargebackPaymentMethod,
  COST_CENTER_ANNOTATION,
} from './ChargebackPaymentMethod';
