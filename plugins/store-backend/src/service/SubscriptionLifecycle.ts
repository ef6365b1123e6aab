import {
  AuditorService,
  LoggerService,
  RootConfigService,
  SchedulerService,
  SchedulerServiceTaskScheduleDefinition,
  readSchedulerServiceTaskScheduleDefinitionFromConfig,
} from '@backstage/backend-plugin-api';
import { ConflictError } from '@backstage/errors';
import { NotificationService } from '@backstage/plugin-notifications-node';
import {
  addDays,
  daysBetween,
  renew,
  SubscriptionStatus,
  toIsoDate,
  toMoney,
} from '@internal/plugin-store-common';
import { StoredSubscriptionDetails } from '../database/subscriptionRows';
import {
  NewSubscriptionEvent,
  SettleCharge,
  SubscriptionPatch,
  SubscriptionsStore,
} from '../database/SubscriptionsStore';
import { settleThrough, StorePayments } from './StorePayments';
import { SubscriptionStacks } from './SubscriptionStacks';

/** The actor of what the schedule does to subscriptions. */
export const LIFECYCLE_ACTOR = 'plugin:store';

const DEFAULT_REMINDER_DAYS = [30, 7, 1];
/** Days a suspended subscription may still be renewed, unless configured. */
export const DEFAULT_GRACE_DAYS = 14;
const PAGE_SIZE = 100;
const RUNNING: SubscriptionStatus[] = ['trialing', 'active', 'expiring'];

/** The lifecycle settings of `store.subscriptions`. */
export type LifecycleSettings = {
  reminderDays: number[];
  graceDays: number;
  schedule: SchedulerServiceTaskScheduleDefinition;
};

/** Reads `store.subscriptions`, with the defaults for what is not set. */
export function readLifecycleSettings(
  config: RootConfigService,
): LifecycleSettings {
  const reminderDays =
    config.getOptional<unknown[]>('store.subscriptions.reminderDays') ??
    DEFAULT_REMINDER_DAYS;
  if (!Array.isArray(reminderDays)) {
    throw new Error('store.subscriptions.reminderDays must be a list of days');
  }
  const days: number[] = [];
  for (const value of reminderDays) {
    if (
      typeof value !== 'number' ||
      !Number.isSafeInteger(value) ||
      value < 1
    ) {
      throw new Error(
        `store.subscriptions.reminderDays must hold whole numbers of days from 1, not ${value}`,
      );
    }
    days.push(value);
  }
  const graceDays =
    config.getOptionalNumber('store.subscriptions.graceDays') ??
    DEFAULT_GRACE_DAYS;
  if (!Number.isSafeInteger(graceDays) || graceDays < 0) {
    throw new Error(
      `store.subscriptions.graceDays must be a whole number of days, not ${graceDays}`,
    );
  }
  return {
    reminderDays: [...new Set(days)].sort((a, b) => a - b),
    graceDays,
    schedule: config.has('store.subscriptions.lifecycle')
      ? readSchedulerServiceTaskScheduleDefinitionFromConfig(
          config.getConfig('store.subscriptions.lifecycle'),
        )
      : {
          frequency: { hours: 1 },
          timeout: { minutes: 30 },
          initialDelay: { minutes: 1 },
        },
  };
}

/** The day a suspended subscription is terminated unless it is renewed. */
export function graceEndOf(
  subscription: { currentPeriodEnd: string },
  graceDays: number,
): string {
  return addDays(subscription.currentPeriodEnd, graceDays);
}

/**
 * What happens to subscriptions as their days come, run by the scheduler
 * once across backend instances:
 *
 * - reminders to the owning group before a period ends, each once;
 * - at the end of a trial or a period, a renewal charged through the
 *   payment method, or the end: `cancelled` (stacks deleted) when it was
 *   cancelled at the period end, `suspended` (stacks stopped) when it does
 *   not renew or the payment fails;
 * - `terminated` (stacks deleted) when a suspended subscription is not
 *   renewed within the grace days after its period ended.
 *
 * Every change is conditional on the version read, so a run that races
 * another (or a user) leaves the subscription to whoever was first. Stacks
 * are stopped or deleted before the change is recorded, so that a failed
 * cloud call is tried again on the next run.
 */
export class SubscriptionLifecycle {
  private constructor(
    private readonly store: SubscriptionsStore,
    private readonly payments: StorePayments,
    private readonly stacks: SubscriptionStacks,
    private readonly notifications: NotificationService | undefined,
    private readonly auditor: AuditorService,
    private readonly logger: LoggerService,
    private readonly settings: Omit<LifecycleSettings, 'schedule'>,
    private readonly now: () => Date,
  ) {}

  static create(options: {
    store: SubscriptionsStore;
    payments: StorePayments;
    stacks: SubscriptionStacks;
    notifications?: NotificationService;
    auditor: AuditorService;
    logger: LoggerService;
    reminderDays?: number[];
    graceDays?: number;
    now?: () => Date;
  }): SubscriptionLifecycle {
    return new SubscriptionLifecycle(
      options.store,
      options.payments,
      options.stacks,
      options.notifications,
      options.auditor,
      options.logger,
      {
        // Ascending, so that the first day count not passed yet is found.
        reminderDays: [...(options.reminderDays ?? DEFAULT_REMINDER_DAYS)].sort(
          (a, b) => a - b,
        ),
        graceDays: options.graceDays ?? DEFAULT_GRACE_DAYS,
      },
      options.now ?? (() => new Date()),
    );
  }

  /** Runs {@link SubscriptionLifecycle.run} on the schedule. */
  async schedule(
    scheduler: SchedulerService,
    schedule: SchedulerServiceTaskScheduleDefinition,
  ): Promise<void> {
    await scheduler.scheduleTask({
      id: 'store-subscriptions-lifecycle',
      ...schedule,
      fn: () => this.run(),
    });
  }

  /** Does what today calls for; a second run on the same day changes nothing. */
  async run(): Promise<void> {
    const today = toIsoDate(this.now());
    const longest = Math.max(0, ...this.settings.reminderDays);
    await this.each({ status: RUNNING, endingBy: addDays(today, longest) }, s =>
      daysBetween(today, s.currentPeriodEnd) > 0
        ? this.remind(s, today)
        : this.endPeriod(s, today),
    );
    await this.each(
      {
        status: ['suspended'],
        endingBy: addDays(today, -this.settings.graceDays),
        includeEmptyPeriods: true,
      },
      s => this.terminate(s, today),
    );
  }

  private async each(
    query: Omit<Parameters<SubscriptionsStore['listEndingBy']>[0], 'limit'>,
    step: (subscription: StoredSubscriptionDetails) => Promise<void>,
  ) {
    let after: { currentPeriodEnd: string; id: string } | undefined;
    for (;;) {
      const page = await this.store.listEndingBy({
        ...query,
        limit: PAGE_SIZE,
        after,
      });
      for (const subscription of page) {
        try {
          await step(subscription);
        } catch (error) {
          if (error instanceof ConflictError) {
            // Another instance or the owner changed it first.
            continue;
          }
          this.logger.error(
            `The lifecycle of subscription ${subscription.id} failed: ${error}`,
          );
        }
      }
      const last = page.at(-1);
      if (page.length < PAGE_SIZE || !last) {
        return;
      }
      after = { currentPeriodEnd: last.currentPeriodEnd, id: last.id };
    }
  }

  /** Sends the reminder that is due, once per period and day count. */
  private async remind(s: StoredSubscriptionDetails, today: string) {
    const left = daysBetween(today, s.currentPeriodEnd);
    const days = this.settings.reminderDays.find(d => d >= left);
    if (days === undefined) {
      return;
    }
    const sent = s.events.some(
      e =>
        e.action === 'remind' &&
        e.data?.days === days &&
        e.data?.periodEnd === s.currentPeriodEnd,
    );
    if (sent) {
      return;
    }
    const renews = s.autoRenew && !s.cancelAtPeriodEnd;
    // Recorded first and conditionally: of two racing runs, one sends it.
    await this.change(s, {
      event: {
        action: 'remind',
        to: s.status,
        comment: `${left} day(s) left`,
        data: { days, periodEnd: s.currentPeriodEnd },
      },
    });
    let what: string;
    if (s.status === 'trialing') {
      what = renews
        ? `The trial of ${s.productTitle} ends on ${s.currentPeriodEnd}; the first period is charged then.`
        : `The trial of ${s.productTitle} ends on ${s.currentPeriodEnd}.`;
    } else if (renews) {
      what = `${s.productTitle} renews on ${s.currentPeriodEnd} for ${
        toMoneyText(s) ?? 'its plan price'
      }.`;
    } else if (s.cancelAtPeriodEnd) {
      what = `${s.productTitle} ends on ${s.currentPeriodEnd}, as it was cancelled; its stacks are deleted then.`;
    } else {
      what = `${s.productTitle} ends on ${s.currentPeriodEnd} unless it is renewed; its stacks are stopped then.`;
    }
    await this.notify(s, {
      title: `${s.productTitle}: ${left} day(s) left in the period`,
      description: what,
      severity: days <= 1 && !renews ? 'high' : 'normal',
      scope: `remind:${days}:${s.currentPeriodEnd}`,
    });
  }

  /** The end of a trial or a period: renewed, cancelled or suspended. */
  private async endPeriod(s: StoredSubscriptionDetails, today: string) {
    if (s.cancelAtPeriodEnd) {
      await this.stacks.delete(s.stacks);
      await this.change(s, {
        event: {
          action: 'expire',
          to: 'cancelled',
          comment: 'Cancelled at the end of the period; its stacks are deleted',
        },
        patch: { endedAt: this.now().toISOString(), autoRenew: false },
      });
      await this.notify(s, {
        title: `${s.productTitle} ended`,
        description: `It was cancelled at the end of the period, ${s.currentPeriodEnd}; its stacks are deleted.`,
        scope: 'cancelled',
      });
      return;
    }
    if (!s.autoRenew) {
      await this.suspend(s, {
        action: 'expire',
        comment: 'The period ended unpaid without auto-renewal',
      });
      return;
    }
    const renewal = renew({
      price: s.plan.price,
      anchor: s.anchor,
      periodEnd: s.currentPeriodEnd,
      periods: 1,
    });
    const trial = s.status === 'trialing';
    const charges =
      renewal.total === 0
        ? []
        : [
            {
              kind: 'recurring' as const,
              description: `${s.productTitle}, ${s.plan.title}: ${s.currentPeriodEnd} to ${renewal.periodEnd}`,
              amountMinor: renewal.total,
              currency: renewal.currency,
              periodStart: s.currentPeriodEnd,
              periodEnd: renewal.periodEnd,
            },
          ];
    let refusal: Error | undefined;
    const settle = settleThrough(this.payments.get(), s);
    try {
      await this.change(s, {
        settle: async charge => {
          try {
            return await settle(charge);
          } catch (error) {
            refusal = error as Error;
            throw error;
          }
        },
        event: {
          action: 'renew',
          to: 'active',
          comment: trial
            ? 'The trial ended; the first period is charged'
            : 'Renewed automatically',
          data: {
            periods: 1,
            from: s.currentPeriodEnd,
            to: renewal.periodEnd,
            total: toMoney(renewal.total, renewal.currency),
          },
        },
        patch: {
          currentPeriodStart: s.currentPeriodEnd,
          currentPeriodEnd: renewal.periodEnd,
        },
        charges,
      });
    } catch (error) {
      if (!refusal) {
        throw error;
      }
      // The payment was refused: nothing was recorded or charged.
      await this.suspend(s, {
        action: 'suspend',
        comment: `The ${
          trial ? 'first period after the trial' : 'renewal'
        } could not be charged: ${refusal.message}`,
      });
      return;
    }
    this.logger.info(
      `Subscription ${s.id} renewed until ${renewal.periodEnd} (${today})`,
    );
  }

  private async suspend(
    s: StoredSubscriptionDetails,
    reason: { action: 'expire' | 'suspend'; comment: string },
  ) {
    await this.stacks.stop(s.stacks);
    await this.change(s, {
      event: {
        action: reason.action,
        to: 'suspended',
        comment: reason.comment,
      },
    });
    await this.notify(s, {
      title: `${s.productTitle} is suspended`,
      description: `${
        reason.comment
      }. Its stacks are stopped; renew it by ${graceEndOf(
        s,
        this.settings.graceDays,
      )} to start them again, or they are deleted.`,
      severity: 'high',
      scope: `suspended:${s.currentPeriodEnd}`,
    });
  }

  /** A suspended subscription past its grace days: ended, stacks deleted. */
  private async terminate(s: StoredSubscriptionDetails, today: string) {
    await this.stacks.delete(s.stacks);
    await this.change(s, {
      event: {
        action: 'terminate',
        to: 'terminated',
        comment: `Not renewed within ${this.settings.graceDays} day(s) of the end of its period; its stacks are deleted`,
        data: { graceEnd: graceEndOf(s, this.settings.graceDays), today },
      },
      patch: { endedAt: this.now().toISOString(), autoRenew: false },
    });
    await this.notify(s, {
      title: `${s.productTitle} is terminated`,
      description: `It was not renewed within the grace period; its stacks are deleted.`,
      severity: 'high',
      scope: 'terminated',
    });
  }

  /** Records a change as the system, audited, conditional on the version. */
  private async change(
    s: StoredSubscriptionDetails,
    change: {
      event: Omit<NewSubscriptionEvent, 'actor' | 'from'>;
      patch?: SubscriptionPatch;
      charges?: Parameters<SubscriptionsStore['transition']>[0]['charges'];
      settle?: SettleCharge;
    },
  ) {
    const audit = await this.auditor.createEvent({
      eventId: `subscription-${change.event.action}`,
      severityLevel: change.event.action === 'remind' ? 'low' : 'medium',
      meta: {
        subscriptionId: s.id,
        actor: LIFECYCLE_ACTOR,
        from: s.status,
        to: change.event.to,
      },
    });
    try {
      await this.store.transition({
        id: s.id,
        expectedVersion: s.version,
        event: { ...change.event, actor: LIFECYCLE_ACTOR, from: s.status },
        patch: change.patch,
        charges: change.charges,
        settle: change.settle ?? settleThrough(this.payments.get(), s),
        now: this.now(),
      });
      await audit.success();
    } catch (error) {
      await audit.fail({ error: error as Error });
      throw error;
    }
  }

  private async notify(
    s: StoredSubscriptionDetails,
    payload: {
      title: string;
      description: string;
      severity?: 'normal' | 'high';
      scope: string;
    },
  ) {
    if (!this.notifications) {
      return;
    }
    try {
      await this.notifications.send({
        recipients: { type: 'entity', entityRef: s.owner },
        payload: {
          title: payload.title,
          description: payload.description,
          link: `/store/subscriptions/${s.id}`,
          severity: payload.severity ?? 'normal',
          topic: 'store-subscriptions',
          scope: `store-subscription:${s.id}:${payload.scope}`,
        },
      });
    } catch (error) {
      this.logger.warn(
        `Could not notify ${s.owner} about subscription ${s.id}: ${error}`,
      );
    }
  }
}

function toMoneyText(s: StoredSubscriptionDetails): string | undefined {
  const price = s.nextRenewalPrice;
  return price ? `${price.amount} ${price.currency}` : undefined;
}
