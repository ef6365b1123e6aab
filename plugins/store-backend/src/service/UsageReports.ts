import {
  BackstageCredentials,
  BackstageServicePrincipal,
  BackstageUserPrincipal,
  PermissionsService,
  RootConfigService,
} from '@backstage/backend-plugin-api';
import { InputError, NotAllowedError } from '@backstage/errors';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  isUsageQuantity,
  storeOrderAdminPermission,
  toQuantityMicro,
  UsageEvent,
  UsageReportResult,
} from '@internal/plugin-store-common';
import { createHash } from 'node:crypto';
import { NewUsageEvent, UsageStore } from '../database/UsageStore';

/** The most events one report may carry. */
export const MAX_USAGE_EVENTS = 1000;

/** How far in the future an event may lie, for clocks that drift. */
const CLOCK_SKEW_MS = 5 * 60_000;
const DAY_MS = 86_400_000;
const ISO_TIMESTAMP =
  /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

/** `YYYY-MM` of a point in time, in UTC. */
export function periodOf(time: Date): string {
  return time.toISOString().slice(0, 7);
}

/** The first instant after a `YYYY-MM` period. */
export function periodEnd(period: string): Date {
  const [year, month] = period.split('-').map(Number);
  return new Date(Date.UTC(year, month, 1));
}

/** Reads `store.billing.lateEventWindowDays`; 3 by default. */
export function readLateEventWindowDays(config: RootConfigService): number {
  const days =
    config.getOptionalNumber('store.billing.lateEventWindowDays') ?? 3;
  if (!Number.isInteger(days) || days < 0) {
    throw new InputError(
      `store.billing.lateEventWindowDays must be a whole number of days, not ${days}`,
    );
  }
  return days;
}

/**
 * Takes usage reports: checks each event, resolves stacks to their
 * subscriptions, and stores the new events once per id. A batch costs a
 * fixed number of queries whatever its size: a look-up of the stacks' and
 * of the named subscriptions (at once), one insert and, for ids already
 * known, one read of their content.
 */
export class UsageReports {
  private constructor(
    private readonly store: UsageStore,
    private readonly permissions: PermissionsService,
    private readonly lateEventWindowDays: number,
    private readonly now: () => Date,
  ) {}

  static create(options: {
    store: UsageStore;
    permissions: PermissionsService;
    lateEventWindowDays: number;
    now?: () => Date;
  }): UsageReports {
    return new UsageReports(
      options.store,
      options.permissions,
      options.lateEventWindowDays,
      options.now ?? (() => new Date()),
    );
  }

  /**
   * Records a report of another plugin (a service principal) or of a store
   * administrator (the `store.order.admin` permission); other users get a
   * 403, since usage is what their groups are billed for.
   */
  async reportAs(
    credentials: BackstageCredentials<
      BackstageUserPrincipal | BackstageServicePrincipal
    >,
    events: UsageEvent[],
  ): Promise<UsageReportResult> {
    if (credentials.principal.type !== 'service') {
      const [decision] = await this.permissions.authorize(
        [{ permission: storeOrderAdminPermission }],
        { credentials },
      );
      if (decision.result !== AuthorizeResult.ALLOW) {
        throw new NotAllowedError(
          'Only other plugins and store administrators report usage',
        );
      }
    }
    return this.report(events);
  }

  /** Records a batch of usage events; each is accepted, a duplicate or rejected. */
  async report(events: UsageEvent[]): Promise<UsageReportResult> {
    if (events.length < 1 || events.length > MAX_USAGE_EVENTS) {
      throw new InputError(
        `A usage report carries 1 to ${MAX_USAGE_EVENTS} events, not ${events.length}`,
      );
    }
    const now = this.now();
    const rejected: UsageReportResult['rejected'] = [];
    const { ofStacks, byId } = await this.store.meteredSubscriptions({
      stackIds: [
        ...new Set(events.flatMap(e => (e.stackId ? [e.stackId] : []))),
      ],
      ids: [
        ...new Set(
          events.flatMap(e => (e.subscriptionId ? [e.subscriptionId] : [])),
        ),
      ],
    });

    const candidates: NewUsageEvent[] = [];
    const seen = new Map<string, string>();
    let duplicates = 0;
    for (const event of events) {
      const reject = (reason: string) =>
        rejected.push({ id: event.id, reason });
      const checked = this.check(event, now);
      if (typeof checked === 'string') {
        reject(checked);
        continue;
      }
      const subscription = event.subscriptionId
        ? byId.get(event.subscriptionId)
        : ofStacks.get(event.stackId!);
      if (!subscription) {
        reject(
          event.subscriptionId
            ? `Unknown subscription ${event.subscriptionId}`
            : `Stack ${event.stackId} belongs to no subscription`,
        );
        continue;
      }
      if (
        !subscription.meteredPrices.some(m => m.dimension === event.dimension)
      ) {
        reject(
          `The plan of subscription ${subscription.id} does not meter ${event.dimension}`,
        );
        continue;
      }
      const payloadHash = hashOf(event, checked);
      const earlier = seen.get(event.id);
      if (earlier !== undefined) {
        if (earlier === payloadHash) {
          duplicates += 1;
        } else {
          reject(`Event ${event.id} was reported with another content`);
        }
        continue;
      }
      seen.set(event.id, payloadHash);
      candidates.push({
        id: event.id,
        subscriptionId: subscription.id,
        dimension: event.dimension,
        quantityMicro: checked.quantityMicro,
        occurredAt: checked.occurredAt,
        period: checked.period,
        payloadHash,
      });
    }

    const { inserted, existing } = candidates.length
      ? await this.store.insert(candidates, now)
      : { inserted: new Set<string>(), existing: new Map<string, string>() };
    for (const candidate of candidates) {
      if (inserted.has(candidate.id)) {
        continue;
      }
      if (existing.get(candidate.id) === candidate.payloadHash) {
        duplicates += 1;
      } else {
        rejected.push({
          id: candidate.id,
          reason: `Event ${candidate.id} was reported before with another content`,
        });
      }
    }
    return { accepted: inserted.size, duplicates, rejected };
  }

  private check(
    event: UsageEvent,
    now: Date,
  ): string | { quantityMicro: number; occurredAt: Date; period: string } {
    if (!event.subscriptionId === !event.stackId) {
      return 'Give either subscriptionId or stackId';
    }
    if (!isUsageQuantity(event.quantity)) {
      return `Quantity "${event.quantity}" is not a non-negative decimal with at most 6 decimals`;
    }
    const occurredAt = new Date(event.occurredAt);
    if (!ISO_TIMESTAMP.test(event.occurredAt) || isNaN(occurredAt.getTime())) {
      return `occurredAt "${event.occurredAt}" is not an ISO timestamp`;
    }
    if (occurredAt.getTime() > now.getTime() + CLOCK_SKEW_MS) {
      return `occurredAt ${event.occurredAt} is in the future`;
    }
    // periodEnd(periodOf(occurredAt)), without formatting and parsing a
    // date for each event of a report.
    const closes =
      Date.UTC(occurredAt.getUTCFullYear(), occurredAt.getUTCMonth() + 1, 1) +
      this.lateEventWindowDays * DAY_MS;
    if (now.getTime() >= closes) {
      return `occurredAt ${
        event.occurredAt
      } is in a period closed to usage since ${new Date(closes).toISOString()}`;
    }
    return {
      quantityMicro: toQuantityMicro(event.quantity),
      occurredAt,
      period: periodOf(occurredAt),
    };
  }
}

function hashOf(
  event: UsageEvent,
  checked: { quantityMicro: number; occurredAt: Date },
): string {
  return createHash('sha256')
    .update(
      JSON.stringify([
        event.subscriptionId ?? null,
        event.stackId ?? null,
        event.dimension,
        checked.quantityMicro,
        checked.occurredAt.getTime(),
      ]),
    )
    .digest('hex');
}
