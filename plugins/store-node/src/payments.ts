import { createExtensionPoint } from '@backstage/backend-plugin-api';
import { Money } from '@internal/plugin-store-common';

/**
 * A charge or credit that the store asks a payment method to settle.
 * @public
 */
export type PaymentRequest = {
  /**
   * The store's id of the charge; a payment method must settle a charge
   * once however often it is asked (requests are retried after failures).
   */
  chargeId: string;
  subscriptionId: string;
  /** The billing account: the owning group's entity ref. */
  billingAccount: string;
  /** The cost centre of the billing account, when its group has one. */
  costCenter?: string;
  /** A positive amount is charged, a negative one credited. */
  amount: Money;
  description: string;
};

/** How a payment method settled a request. @public */
export type PaymentResult = {
  /** The payment method's own reference of the settlement. */
  reference: string;
  status: 'settled' | 'pending';
};

/**
 * Settles the store's charges and credits: internal chargeback to a cost
 * centre, an invoice in an ERP, a card.
 * @public
 */
export interface PaymentMethod {
  /** A short id such as `chargeback`, recorded with every settlement. */
  readonly id: string;
  /**
   * Settles a request. Throws when the request cannot be settled (for
   * example a billing account without a cost centre); nothing is then
   * charged and the store reports the error.
   */
  settle(request: PaymentRequest): Promise<PaymentResult>;
}

/** Lets a backend module set how the store settles charges. @public */
export interface StorePaymentsExtensionPoint {
  /** Sets the payment method; only one module may set it. */
  setPaymentMethod(method: PaymentMethod): void;
}

/** The extension point through which a module sets the payment method. @public */
export const storePaymentsExtensionPoint =
  createExtensionPoint<StorePaymentsExtensionPoint>({
    id: 'store.payments',
  });
