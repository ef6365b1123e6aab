import { LoggerService } from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';
import { parseSignedMinorUnits } from '@internal/plugin-store-common';
import {
  PaymentMethod,
  PaymentRequest,
  PaymentResult,
} from '@internal/plugin-store-node';
import { ChargebackLedger } from './ChargebackLedger';

/** The annotation of a group that names its cost centre. @public */
export const COST_CENTER_ANNOTATION = 'cloudstore.io/cost-center';

/**
 * Internal chargeback: each charge or credit is booked in the ledger to
 * the cost centre of its billing account, and settled at once.
 * @public
 */
export class ChargebackPaymentMethod implements PaymentMethod {
  readonly id = 'chargeback';

  private constructor(
    private readonly ledger: ChargebackLedger,
    private readonly logger: LoggerService,
    private readonly defaultCostCenter: string | undefined,
  ) {}

  /** Reads `store.chargeback.defaultCostCenter` from the configuration. */
  static create(options: {
    ledger: ChargebackLedger;
    config: Config;
    logger: LoggerService;
  }): ChargebackPaymentMethod {
    const defaultCostCenter = options.config
      .getOptionalString('store.chargeback.defaultCostCenter')
      ?.trim();
    return new ChargebackPaymentMethod(
      options.ledger,
      options.logger,
      defaultCostCenter || undefined,
    );
  }

  async settle(request: PaymentRequest): Promise<PaymentResult> {
    for (const field of [
      'chargeId',
      'subscriptionId',
      'billingAccount',
    ] as const) {
      if (!request[field]?.trim()) {
        throw new InputError(`A payment request needs a ${field}`);
      }
    }
    const costCenter = request.costCenter?.trim() || this.defaultCostCenter;
    if (!costCenter) {
      throw new InputError(
        `Group ${request.billingAccount} has no cost centre to charge: it lacks the ${COST_CENTER_ANNOTATION} annotation, and store.chargeback.defaultCostCenter is not set`,
      );
    }
    let amountMinor: number;
    try {
      amountMinor = parseSignedMinorUnits(
        request.amount.amount,
        request.amount.currency,
      );
    } catch (error) {
      throw new InputError(
        `Charge ${request.chargeId} has an invalid amount`,
        error,
      );
    }
    const { entry, created } = await this.ledger.record({
      chargeId: request.chargeId,
      subscriptionId: request.subscriptionId,
      billingAccount: request.billingAccount,
      costCenter,
      amountMinor,
      currency: request.amount.currency,
      description: request.description,
    });
    const reference = `CB-${entry.id}`;
    if (created) {
      this.logger.info(
        `Booked ${entry.amount.amount} ${entry.currency} of charge ${entry.chargeId} to cost centre ${entry.costCenter} as ${reference}`,
      );
    }
    return { reference, status: 'settled' };
  }
}
