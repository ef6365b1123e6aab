import {
  AuditorService,
  AuthService,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  addDays,
  addPeriods,
  Order,
  SubscriptionPlan,
  toIsoDate,
  toMinorUnits,
} from '@internal/plugin-store-common';
import { randomUUID } from 'node:crypto';
import { ProductsStore } from '../database/ProductsStore';
import {
  NewCharge,
  NewSubscription,
  SubscriptionsStore,
} from '../database/SubscriptionsStore';
import { BillingAccounts } from './BillingAccounts';
import { stackIdsOf } from './stackIds';
import { settleThrough, StorePayments } from './StorePayments';

const SYSTEM_ACTOR = 'plugin:store';

/**
 * Turns fulfilled orders into subscriptions: the plan as the product has it
 * now, billed to the order's owner group and its cost centre, the stacks
 * the order's task created, and the first period paid.
 *
 * A plan with trial days starts `trialing` with nothing charged, and its
 * billing anchor is the end of the trial. Other recurring plans start
 * `active`, anchored on the day of fulfilment, with one period charged. A
 * one-time price is charged once; its subscription is `active` with an
 * empty period (it ends where it starts) and does not renew. When the
 * payment method refuses the first charge, the subscription is recorded
 * `suspended` with nothing paid, for its owner to renew.
 */
export class SubscriptionStarter {
  private constructor(
    private readonly subscriptions: SubscriptionsStore,
    private readonly products: ProductsStore,
    private readonly accounts: BillingAccounts,
    private readonly payments: StorePayments,
    private readonly logger: LoggerService,
    private readonly auditor: AuditorService | undefined,
    private readonly now: () => Date,
  ) {}

  static create(options: {
    subscriptions: SubscriptionsStore;
    products: ProductsStore;
    catalog: CatalogService;
    auth: AuthService;
    payments: StorePayments;
    logger: LoggerService;
    auditor?: AuditorService;
    now?: () => Date;
  }): SubscriptionStarter {
    return new SubscriptionStarter(
      options.subscriptions,
      options.products,
      BillingAccounts.create({ catalog: options.catalog, auth: options.auth }),
      options.payments,
      options.logger,
      options.auditor,
      options.now ?? (() => new Date()),
    );
  }

  /**
   * Creates the subscription of a fulfilled order, once: when it exists
   * (another instance was first), nothing is created or charged.
   */
  async start(order: Order): Promise<void> {
    if (order.status !== 'fulfilled') {
      return;
    }
    if (await this.subscriptions.getByOrderId(order.id)) {
      return;
    }
    const now = this.now();
    const today = toIsoDate(now);
    const plan = await this.planOf(order);
    const owner = (order.ownerGroup ?? order.requester).toLocaleLowerCase(
      'en-US',
    );
    const costCenter = await this.accounts.costCenterOf(owner);
    const { price } = plan;
    const trialDays = plan.trialDays ?? 0;
    const base = {
      id: randomUUID(),
      orderId: order.id,
      productRef: order.productRef,
      productTitle: order.productTitle,
      plan: snapshot(plan),
      owner,
      costCenter,
      requester: order.requester,
      stacks: stackIdsOf(order.output),
      startedAt: now.toISOString(),
      currentPeriodStart: today,
      cancelAtPeriodEnd: false,
    };
    let subscription: NewSubscription;
    const charges: NewCharge[] = [];
    const amountMinor = toMinorUnits(price.amount, price.currency);
    if (price.interval === 'one-time') {
      subscription = {
        ...base,
        status: 'active',
        anchor: today,
        currentPeriodEnd: today,
        autoRenew: false,
      };
      charges.push({
        kind: 'recurring',
        description: `${order.productTitle}, ${plan.title}: one-time purchase`,
        amountMinor,
        currency: price.currency,
        periodStart: today,
        periodEnd: today,
      });
    } else if (trialDays > 0) {
      const trialEnd = addDays(today, trialDays);
      subscription = {
        ...base,
        status: 'trialing',
        anchor: trialEnd,
        trialEndsAt: trialEnd,
        currentPeriodEnd: trialEnd,
        autoRenew: true,
      };
    } else {
      const periodEnd = addPeriods(today, price.interval, 1);
      subscription = {
        ...base,
        status: 'active',
        anchor: today,
        currentPeriodEnd: periodEnd,
        autoRenew: true,
      };
      charges.push({
        kind: 'recurring',
        description: `${order.productTitle}, ${plan.title}: ${today} to ${periodEnd}`,
        amountMinor,
        currency: price.currency,
        periodStart: today,
        periodEnd,
      });
    }
    const audit = await this.auditor?.createEvent({
      eventId: 'subscription-create',
      severityLevel: 'medium',
      meta: { orderId: order.id, subscriptionId: subscription.id },
    });
    const settle = settleThrough(this.payments.get(), { owner, costCenter });
    let refusal: Error | undefined;
    try {
      const { created } = await this.subscriptions
        .create({
          subscription,
          actor: SYSTEM_ACTOR,
          comment: `Subscribed by order ${order.id}`,
          // Nothing to settle for a free plan.
          charges: charges.filter(c => c.amountMinor !== 0),
          settle: async charge => {
            try {
              return await settle(charge);
            } catch (error) {
              refusal = error as Error;
              throw error;
            }
          },
          now,
        })
        .catch(async error => {
          if (!refusal) {
            throw error;
          }
          // The order is fulfilled and its stacks exist: the subscription is
          // recorded unpaid, for its owner to renew, rather than lost.
          return this.subscriptions.create({
            subscription: {
              ...subscription,
              status: 'suspended',
              currentPeriodEnd: today,
            },
            actor: SYSTEM_ACTOR,
            comment: `Subscribed by order ${order.id}; the first period could not be charged: ${refusal.message}`,
            now,
          });
        });
      await audit?.success();
      if (created) {
        this.logger.info(
          `Order ${order.id} started subscription ${subscription.id} for ${owner}`,
        );
      }
    } catch (error) {
      await audit?.fail({ error: error as Error });
      throw error;
    }
  }

  /** The order's plan as the product has it now, or as it was ordered. */
  private async planOf(order: Order) {
    const product = await this.products.getProduct({
      id: order.productRef,
      permissionFilter: undefined,
    });
    const current = product?.entity.spec.plans.find(p => p.id === order.planId);
    return (
      current ?? { id: order.planId, title: order.planId, price: order.price }
    );
  }
}

function snapshot(plan: SubscriptionPlan): SubscriptionPlan {
  return {
    id: plan.id,
    title: plan.title,
    price: { ...plan.price },
    ...(plan.limits ? { limits: { ...plan.limits } } : {}),
    ...(plan.nodes ? { nodes: { ...plan.nodes } } : {}),
    ...(plan.meteredPrices?.length
      ? { meteredPrices: plan.meteredPrices.map(m => ({ ...m })) }
      : {}),
  };
}
