import {
  BackstageCredentials,
  LoggerService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import {
  ConflictError,
  InputError,
  NotAllowedError,
  NotFoundError,
  ResponseError,
  ServiceUnavailableError,
} from '@backstage/errors';
import {
  AuthorizeResult,
  ResourcePermission,
} from '@backstage/plugin-permission-common';
import {
  ConditionTransformer,
  createConditionTransformer,
  PermissionRuleset,
} from '@backstage/plugin-permission-node';
import {
  CancellationQuote,
  PlanChangeQuote,
  ProrationBasis,
  RenewalQuote,
  STORE_SUBSCRIPTION_RESOURCE_TYPE,
  Subscription,
  SubscriptionDetails,
  SubscriptionStatus,
  daysBetween,
  storeSubscriptionManagePermission,
  storeSubscriptionReadPermission,
  toIsoDate,
} from '@internal/plugin-store-common';
import { ProductsStore } from '../database/ProductsStore';
import {
  StoredSubscription,
  StoredSubscriptionDetails,
} from '../database/subscriptionRows';
import {
  NewCharge,
  SubscriptionPermissionFilter,
  SubscriptionsStore,
} from '../database/SubscriptionsStore';
import { SubscriptionPermissionQuery } from '../permissions/subscriptionRules';
import {
  assertNotEnded,
  Priced,
  quoteCancellation,
  quotePlanChange,
  quoteRenewal,
} from './subscriptionQuotes';
import { describeResizes, planStackResizes, StackResize } from './stackResizes';
import { settleThrough, StorePayments } from './StorePayments';
import { DEFAULT_GRACE_DAYS, graceEndOf } from './SubscriptionLifecycle';
import { SubscriptionStacks } from './SubscriptionStacks';
import {
  decodeSubscriptionCursor,
  encodeSubscriptionCursor,
} from './subscriptionCursor';

const STATUSES: SubscriptionStatus[] = [
  'trialing',
  'active',
  'expiring',
  'suspended',
  'cancelled',
  'terminated',
];

/** What a quote is asked for. */
export type SubscriptionQuoteRequest =
  | { action: 'renew'; periods: number }
  | { action: 'change-plan'; planId: string }
  | { action: 'cancel'; when: 'period-end' | 'now' };

/**
 * How plan changes and cancellations are prorated, from
 * `store.billing.proration`: `actual` (the default) or `{ daysPerMonth }`.
 */
export function readProrationBasis(config: Config): ProrationBasis {
  const value = config.getOptional('store.billing.proration');
  if (value === undefined || value === 'actual') {
    return { kind: 'actual' };
  }
  const daysPerMonth = config.getNumber('store.billing.proration.daysPerMonth');
  if (
    !Number.isSafeInteger(daysPerMonth) ||
    daysPerMonth < 28 ||
    daysPerMonth > 31
  ) {
    throw new Error(
      `store.billing.proration.daysPerMonth must be a whole number from 28 to 31, not ${daysPerMonth}`,
    );
  }
  return { kind: 'fixed', daysPerMonth };
}

/**
 * Subscriptions as their owners see and manage them: lists, quotes and the
 * actions that change a subscription and charge for it. Which
 * subscriptions a caller sees is one conditional permission decision,
 * applied in the database; what they may not see does not exist for them.
 */
export class SubscriptionService {
  private constructor(
    private readonly store: SubscriptionsStore,
    private readonly products: ProductsStore,
    private readonly permissions: PermissionsService,
    private readonly transform: ConditionTransformer<SubscriptionPermissionQuery>,
    private readonly payments: StorePayments,
    private readonly basis: ProrationBasis,
    private readonly now: () => Date,
    private readonly graceDays: number,
    private readonly stacks?: SubscriptionStacks,
    private readonly logger?: LoggerService,
  ) {}

  static create(options: {
    store: SubscriptionsStore;
    products: ProductsStore;
    permissions: PermissionsService;
    ruleset: PermissionRuleset<Subscription, SubscriptionPermissionQuery>;
    payments: StorePayments;
    basis?: ProrationBasis;
    /** The clock; tests set it. */
    now?: () => Date;
    /** Days after its period within which a suspended subscription resumes. */
    graceDays?: number;
    /** Starts the stacks of a resumed subscription. */
    stacks?: SubscriptionStacks;
    logger?: LoggerService;
  }): SubscriptionService {
    return new SubscriptionService(
      options.store,
      options.products,
      options.permissions,
      createConditionTransformer(options.ruleset),
      options.payments,
      options.basis ?? { kind: 'actual' },
      options.now ?? (() => new Date()),
      options.graceDays ?? DEFAULT_GRACE_DAYS,
      options.stacks,
      options.logger,
    );
  }

  /** A page of the subscriptions the caller may see, newest first. */
  async list(options: {
    credentials: BackstageCredentials;
    owner?: string[];
    status?: string[];
    limit?: number;
    cursor?: string;
  }): Promise<{ items: Subscription[]; nextCursor?: string }> {
    const unknown = options.status?.find(
      s => !STATUSES.includes(s as SubscriptionStatus),
    );
    if (unknown) {
      throw new InputError(`Unknown subscription status '${unknown}'`);
    }
    const [permissionFilter] = await this.filtersFor(options.credentials, [
      storeSubscriptionReadPermission,
    ]);
    if (permissionFilter === 'deny') {
      throw new NotAllowedError(
        `Not allowed: ${storeSubscriptionReadPermission.name}`,
      );
    }
    const page = await this.store.list({
      filter: {
        owner: options.owner,
        status: options.status as SubscriptionStatus[] | undefined,
      },
      permissionFilter,
      limit: options.limit ?? 50,
      cursor: options.cursor
        ? decodeSubscriptionCursor(options.cursor)
        : undefined,
    });
    return {
      items: page.items.map(toApi),
      nextCursor: page.nextCursor
        ? encodeSubscriptionCursor(page.nextCursor)
        : undefined,
    };
  }

  /** One subscription with its timeline and charges. */
  async get(options: {
    credentials: BackstageCredentials;
    id: string;
  }): Promise<SubscriptionDetails> {
    return toApi(await this.load(options.credentials, options.id));
  }

  /** What an action would cost and do; nothing is changed or charged. */
  async quote(options: {
    credentials: BackstageCredentials;
    id: string;
    request: SubscriptionQuoteRequest;
  }): Promise<RenewalQuote | PlanChangeQuote | CancellationQuote> {
    const subscription = await this.load(options.credentials, options.id);
    const { totalMinor: _, ...quote } = await this.price(
      subscription,
      options.request,
    );
    return quote;
  }

  /**
   * Pays for more periods; the subscription runs that much longer. A
   * suspended subscription renewed within its grace days is active again
   * and its stacks are started; after them it can only be left to end.
   */
  async renew(options: {
    credentials: BackstageCredentials;
    id: string;
    periods: number;
    version?: number;
  }): Promise<SubscriptionDetails> {
    const { subscription, actor } = await this.loadToManage(options);
    const quote = quoteRenewal(subscription, options.periods);
    const resumes = subscription.status === 'suspended';
    if (resumes) {
      const graceEnd = graceEndOf(subscription, this.graceDays);
      if (daysBetween(toIsoDate(this.now()), graceEnd) <= 0) {
        throw new ConflictError(
          `Subscription ${subscription.id} was not renewed within its grace period, which ended on ${graceEnd}`,
        );
      }
    }
    const to: SubscriptionStatus =
      subscription.status === 'trialing' ? 'trialing' : 'active';
    const renewed = await this.apply(subscription, {
      event: {
        action: resumes ? 'resume' : 'renew',
        actor,
        data: { periods: quote.periods, from: quote.from, to: quote.to },
      },
      to,
      patch: {
        currentPeriodEnd: quote.to,
        cancelAtPeriodEnd: false,
      },
      charges: [
        {
          kind: 'recurring',
          description: `${subscription.productTitle}, ${subscription.plan.title}: ${quote.periods} period(s), ${quote.from} to ${quote.to}`,
          amountMinor: quote.totalMinor,
          currency: quote.total.currency,
          periodStart: quote.from,
          periodEnd: quote.to,
        },
      ],
    });
    if (resumes && this.stacks) {
      try {
        await this.stacks.start(subscription.stacks);
      } catch (error) {
        // The renewal is paid and recorded; the owner starts what did not.
        this.logger?.warn(
          `Subscription ${subscription.id} resumed, but its stacks did not all start: ${error}`,
        );
      }
    }
    return renewed;
  }

  /**
   * Moves to another plan of the product, prorating the rest of the period,
   * and moves the subscription's stacks with it: they get the new plan's
   * limits, and each role the plan sizes is scaled to its count. A stack
   * that would be left above the new plan's instances, by roles the plan
   * does not size, refuses the change with a 409 before anything is done.
   *
   * The cloud goes first and the charge after, so that a stack that cannot
   * be resized leaves nothing charged; when the charge or its record fails
   * (a refused payment, a concurrent change) the stacks are put back as they
   * were. Should the backend stop between the two, the stacks are on the
   * new plan and the subscription on the old one until the owner repeats
   * the change: it finds the stacks resized already and charges once.
   */
  async changePlan(options: {
    credentials: BackstageCredentials;
    id: string;
    planId: string;
    version?: number;
  }): Promise<SubscriptionDetails> {
    const { subscription, actor } = await this.loadToManage(options);
    const today = toIsoDate(this.now());
    const { quote, resizes, problems } = await this.planChange(
      subscription,
      options.planId,
    );
    if (problems.length) {
      throw new ConflictError(problems.join('. '));
    }
    await this.resize(resizes, quote.to.title);
    const upgrade = quote.totalMinor > 0;
    try {
      return await this.apply(subscription, {
        event: {
          action: 'change-plan',
          actor,
          data: {
            from: quote.from.id,
            to: quote.to.id,
            daysLeft: quote.daysLeft,
            total: quote.total,
            ...(resizes.length ? { stacks: quote.stackChanges } : {}),
          },
        },
        to: subscription.status,
        patch: { plan: quote.to },
        charges: [
          {
            kind: upgrade ? 'proration' : 'credit',
            description: `${subscription.productTitle}: ${quote.from.title} → ${quote.to.title}, ${quote.daysLeft} day(s) left`,
            amountMinor: quote.totalMinor,
            currency: quote.total.currency,
            periodStart: today,
            periodEnd: subscription.currentPeriodEnd,
          },
        ],
      });
    } catch (error) {
      await this.restore(resizes);
      throw error;
    }
  }

  /**
   * Cancels at the end of the period (the subscription is `expiring` until
   * then) or now, with a prorated credit of the paid days left.
   */
  async cancel(options: {
    credentials: BackstageCredentials;
    id: string;
    when: 'period-end' | 'now';
    version?: number;
  }): Promise<SubscriptionDetails> {
    const { subscription, actor } = await this.loadToManage(options);
    const now = this.now();
    const today = toIsoDate(now);
    const quote = quoteCancellation({
      subscription,
      when: options.when,
      today,
      basis: this.basis,
    });
    const immediate = quote.endsOn === today;
    return this.apply(subscription, {
      event: {
        action: 'cancel',
        actor,
        data: {
          when: options.when,
          endsOn: quote.endsOn,
          credit: quote.credit,
        },
      },
      to: immediate ? 'cancelled' : 'expiring',
      patch: immediate
        ? {
            autoRenew: false,
            cancelAtPeriodEnd: false,
            endedAt: now.toISOString(),
            ...(subscription.currentPeriodEnd > today
              ? { currentPeriodEnd: today }
              : {}),
          }
        : { autoRenew: false, cancelAtPeriodEnd: true },
      charges: [
        {
          kind: 'credit',
          description: `${subscription.productTitle}, ${subscription.plan.title}: cancelled on ${today}, credit of the days left`,
          amountMinor: quote.totalMinor,
          currency: quote.credit.currency,
          periodStart: today,
          periodEnd: subscription.currentPeriodEnd,
        },
      ],
    });
  }

  /**
   * Switches automatic renewal. Switching it on also takes back a
   * cancellation at the end of the period.
   */
  async setAutoRenew(options: {
    credentials: BackstageCredentials;
    id: string;
    autoRenew: boolean;
    version?: number;
  }): Promise<SubscriptionDetails> {
    const { subscription, actor } = await this.loadToManage(options);
    assertNotEnded(subscription);
    if (subscription.plan.price.interval === 'one-time') {
      throw new InputError(
        `Subscription ${subscription.id} is a one-time purchase; it does not renew`,
      );
    }
    const resumes = options.autoRenew && subscription.cancelAtPeriodEnd;
    return this.apply(subscription, {
      event: {
        action: 'auto-renew',
        actor,
        data: { autoRenew: options.autoRenew },
      },
      to:
        resumes && subscription.status === 'expiring'
          ? 'active'
          : subscription.status,
      patch: {
        autoRenew: options.autoRenew,
        ...(resumes ? { cancelAtPeriodEnd: false } : {}),
      },
    });
  }

  private async price(
    subscription: StoredSubscription,
    request: SubscriptionQuoteRequest,
  ) {
    const today = toIsoDate(this.now());
    switch (request.action) {
      case 'renew':
        return quoteRenewal(subscription, request.periods);
      case 'change-plan':
        return (await this.planChange(subscription, request.planId)).quote;
      case 'cancel':
        return quoteCancellation({
          subscription,
          when: request.when,
          today,
          basis: this.basis,
        });
      default:
        throw new InputError(`Unknown quote action`);
    }
  }

  /**
   * What moving to a plan costs and does to the stacks, as the cloud runs
   * them now: the quote says it in `stackChanges`, with the problems that
   * refuse the change.
   */
  private async planChange(subscription: StoredSubscription, planId: string) {
    const product = await this.products.getProduct({
      id: subscription.productRef,
      permissionFilter: undefined,
    });
    const plans = product?.entity.spec.plans ?? [];
    const plan = plans.find(p => p.id === planId);
    const quote: Priced<PlanChangeQuote> = quotePlanChange({
      subscription,
      planId,
      to: plan && {
        id: plan.id,
        title: plan.title,
        price: { ...plan.price },
        ...(plan.limits ? { limits: { ...plan.limits } } : {}),
        ...(plan.nodes ? { nodes: { ...plan.nodes } } : {}),
      },
      today: toIsoDate(this.now()),
      basis: this.basis,
    });
    const stacks = this.stacks
      ? await this.stacks.describe(subscription.stacks)
      : [];
    const { resizes, problems } = planStackResizes({ stacks, plans, planId });
    quote.stackChanges.push(...describeResizes(resizes), ...problems);
    return { quote, resizes, problems };
  }

  /**
   * Moves stacks to a plan; when one fails, those already moved, and the
   * one that failed, are put back, and the change is refused. (Resizes come
   * only from stacks that `this.stacks` described.)
   */
  private async resize(resizes: StackResize[], planTitle: string) {
    const done: StackResize[] = [];
    for (const resize of resizes) {
      done.push(resize);
      try {
        await this.stacks!.resize(
          resize.stackId,
          resize.toLimits,
          resize.roles.map(r => ({ role: r.role, count: r.to })),
        );
      } catch (error) {
        await this.restore(done);
        const message = `Stack '${resize.stackName}' could not be moved to the ${planTitle} plan, so nothing was changed or charged: ${error}`;
        if (
          error instanceof ResponseError &&
          error.statusCode >= 400 &&
          error.statusCode < 500
        ) {
          throw new ConflictError(message);
        }
        throw new ServiceUnavailableError(message);
      }
    }
  }

  /** Puts stacks back as they were before a plan change that failed. */
  private async restore(resizes: StackResize[]) {
    for (const resize of resizes) {
      try {
        // The old limits first, so that roles grow back within them.
        await this.stacks!.resize(
          resize.stackId,
          resize.fromLimits,
          resize.roles.map(r => ({ role: r.role, count: r.from })),
        );
      } catch (error) {
        this.logger?.error(
          `Stack '${resize.stackName}' (${resize.stackId}) could not be put back after a failed plan change; it is left on the new plan: ${error}`,
        );
      }
    }
  }

  /** Records an action: charges settled first, all or nothing. */
  private async apply(
    subscription: StoredSubscription,
    change: {
      event: {
        action: 'renew' | 'resume' | 'change-plan' | 'cancel' | 'auto-renew';
        actor: string;
        data?: Record<string, unknown>;
      };
      to: SubscriptionStatus;
      patch: Parameters<SubscriptionsStore['transition']>[0]['patch'];
      charges?: NewCharge[];
    },
  ): Promise<SubscriptionDetails> {
    const updated = await this.store.transition({
      id: subscription.id,
      expectedVersion: subscription.version,
      event: { ...change.event, from: subscription.status, to: change.to },
      patch: change.patch,
      // Nothing is settled for a change that costs nothing.
      charges: (change.charges ?? []).filter(c => c.amountMinor !== 0),
      settle: settleThrough(this.payments.get(), subscription),
      now: this.now(),
    });
    return toApi(updated);
  }

  private async load(
    credentials: BackstageCredentials,
    id: string,
  ): Promise<StoredSubscriptionDetails> {
    const [read] = await this.filtersFor(credentials, [
      storeSubscriptionReadPermission,
    ]);
    return this.find(id, read);
  }

  /** A subscription through the caller's read filter; a 404 if filtered out. */
  private async find(
    id: string,
    read: SubscriptionPermissionFilter | 'deny',
  ): Promise<StoredSubscriptionDetails> {
    const subscription =
      read === 'deny' ? undefined : await this.store.get(id, read);
    if (!subscription) {
      throw new NotFoundError(`No subscription ${id}`);
    }
    return subscription;
  }

  /**
   * A subscription that the caller may manage: a 404 when they may not see
   * it, a 403 when they may see but not manage it, and a 409 when it is not
   * at the version they read. One permission round trip for both.
   */
  private async loadToManage(options: {
    credentials: BackstageCredentials;
    id: string;
    version?: number;
  }): Promise<{ subscription: StoredSubscription; actor: string }> {
    const { credentials, id } = options;
    const actor = (credentials.principal as { userEntityRef?: string })
      .userEntityRef;
    if (!actor) {
      throw new NotAllowedError('Subscriptions are managed by users');
    }
    const [read, manage] = await this.filtersFor(credentials, [
      storeSubscriptionReadPermission,
      storeSubscriptionManagePermission,
    ]);
    const subscription = await this.find(id, read);
    if (manage === 'deny' || (manage && !(await this.store.get(id, manage)))) {
      throw new NotAllowedError(`You may not manage subscription ${id}`);
    }
    if (
      options.version !== undefined &&
      options.version !== subscription.version
    ) {
      throw new ConflictError(
        `Subscription ${id} is at version ${subscription.version}, not ${options.version}; reload it and try again`,
      );
    }
    return { subscription, actor };
  }

  /** The caller's permissions on subscriptions as database filters. */
  private async filtersFor(
    credentials: BackstageCredentials,
    permissions: ResourcePermission<typeof STORE_SUBSCRIPTION_RESOURCE_TYPE>[],
  ): Promise<Array<SubscriptionPermissionFilter | 'deny'>> {
    const decisions = await this.permissions.authorizeConditional(
      permissions.map(permission => ({ permission })),
      { credentials },
    );
    return decisions.map(decision => {
      if (decision.result === AuthorizeResult.DENY) {
        return 'deny';
      }
      return decision.result === AuthorizeResult.CONDITIONAL
        ? this.transform(decision.conditions)
        : undefined;
    });
  }
}

/** A subscription as the API returns it, without the store's bookkeeping. */
function toApi<T extends StoredSubscription>(
  subscription: T,
): Omit<T, 'anchor'> {
  const { anchor: _, ...rest } = subscription;
  return rest;
}
