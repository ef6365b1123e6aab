import {
  PaymentMethod,
  PaymentRequest,
  PaymentResult,
  StorePaymentsExtensionPoint,
} from '@internal/plugin-store-node';
import { toMoney } from '@internal/plugin-store-common';
import { SettleCharge } from '../database/SubscriptionsStore';

/** The method of a store without a payment module: it settles nothing. */
export const noPaymentMethod: PaymentMethod = {
  id: 'none',
  async settle(request: PaymentRequest): Promise<PaymentResult> {
    return { reference: request.chargeId, status: 'pending' };
  },
};

/**
 * The store's side of the payments extension point: one module may set the
 * payment method; without one the store settles nothing.
 */
export class StorePayments implements StorePaymentsExtensionPoint {
  private method?: PaymentMethod;

  setPaymentMethod(method: PaymentMethod): void {
    if (this.method) {
      throw new Error(
        `The store's payment method is already set to '${this.method.id}'; only one module may set it, not also '${method.id}'`,
      );
    }
    this.method = method;
  }

  /** Whether a module set a payment method. */
  isSet(): boolean {
    return this.method !== undefined;
  }

  /** The payment method in use. */
  get(): PaymentMethod {
    return this.method ?? noPaymentMethod;
  }
}

/**
 * Settles the charges of a subscription through a payment method, billed
 * to the subscription's owner and cost centre.
 */
export function settleThrough(
  method: PaymentMethod,
  account: { owner: string; costCenter?: string },
): SettleCharge {
  return async charge => {
    if (method === noPaymentMethod) {
      return { method: method.id };
    }
    const result = await method.settle({
      chargeId: charge.id,
      subscriptionId: charge.subscriptionId,
      billingAccount: account.owner,
      costCenter: account.costCenter,
      amount: toMoney(charge.amountMinor, charge.currency),
      description: charge.description,
    });
    return {
      method: method.id,
      reference: result.reference,
      status: result.status,
    };
  };
}
