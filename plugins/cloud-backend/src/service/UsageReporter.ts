import {
  AuthService,
  DiscoveryService,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { ResponseError } from '@backstage/errors';
import { CloudStore } from '../database/CloudStore';

const HOUR_MS = 3_600_000;
const REPORT = 'store-node-hours';
/** The store takes at most this many events per request. */
const EVENTS_PER_REQUEST = 1000;
/** How far back the first report goes. */
const FIRST_REPORT_HOURS = 24;
/** How many hours one run reports at most, so a long outage catches up in steps. */
const MAX_HOURS_PER_RUN = 24 * 7;

/** One hour of node-hours of a stack, as the store's `POST /usage` takes it. */
export type NodeHoursEvent = {
  id: string;
  stackId: string;
  dimension: 'node-hours';
  quantity: string;
  occurredAt: string;
};

/**
 * The node-hours of each stack in each whole hour: the time its nodes were
 * alive within the hour, in hours with six decimals (rounded half-up).
 * Event ids name the stack and the hour, so a repeated report is the same.
 */
export function nodeHours(
  lifetimes: Array<{ stackId: string; createdAt: string; deletedAt?: string }>,
  from: Date,
  to: Date,
): NodeHoursEvent[] {
  const alive = new Map<string, number>();
  for (const node of lifetimes) {
    const start = Math.max(Date.parse(node.createdAt), from.getTime());
    const end = Math.min(
      node.deletedAt ? Date.parse(node.deletedAt) : to.getTime(),
      to.getTime(),
    );
    for (
      let hour = Math.floor(start / HOUR_MS) * HOUR_MS;
      hour < end;
      hour += HOUR_MS
    ) {
      const overlap = Math.min(end, hour + HOUR_MS) - Math.max(start, hour);
      if (overlap > 0) {
        const key = `${node.stackId}\n${hour}`;
        alive.set(key, (alive.get(key) ?? 0) + overlap);
      }
    }
  }
  return [...alive.entries()]
    .map(([key, ms]) => {
      const [stackId, hour] = key.split('\n');
      const occurredAt = new Date(Number(hour)).toISOString();
      // Micro-hours of milliseconds: ms × 10^6 / 3.6 × 10^6 = ms × 5 / 18.
      const micro = Math.floor((ms * 5 + 9) / 18);
      const fraction = String(micro % 1_000_000)
        .padStart(6, '0')
        .replace(/0+$/, '');
      const whole = Math.floor(micro / 1_000_000);
      return {
        id: `cloud:node-hours:${stackId}:${occurredAt}`,
        stackId,
        dimension: 'node-hours' as const,
        quantity: fraction ? `${whole}.${fraction}` : String(whole),
        occurredAt,
      };
    })
    .filter(event => event.quantity !== '0')
    .sort((a, b) => a.id.localeCompare(b.id));
}

/**
 * Reports the node-hours of the stacks to the store, hour by hour since the
 * last report, with the cloud's own service credentials. Stacks the store
 * does not bill (no subscription, or a plan without node-hours) are
 * rejected by it, which is normal.
 */
export class UsageReporter {
  private constructor(
    private readonly store: CloudStore,
    private readonly auth: AuthService,
    private readonly discovery: DiscoveryService,
    private readonly logger: LoggerService,
    private readonly now: () => Date,
  ) {}

  static create(options: {
    store: CloudStore;
    auth: AuthService;
    discovery: DiscoveryService;
    logger: LoggerService;
    now?: () => Date;
  }): UsageReporter {
    return new UsageReporter(
      options.store,
      options.auth,
      options.discovery,
      options.logger,
      options.now ?? (() => new Date()),
    );
  }

  /** Posts the whole hours since the last report; returns the events sent. */
  async report(): Promise<number> {
    const lastHour = Math.floor(this.now().getTime() / HOUR_MS) * HOUR_MS;
    const until = await this.store.getReportedUntil(REPORT);
    const from = until
      ? Date.parse(until)
      : lastHour - FIRST_REPORT_HOURS * HOUR_MS;
    const to = Math.min(lastHour, from + MAX_HOURS_PER_RUN * HOUR_MS);
    if (to <= from) {
      return 0;
    }
    const fromIso = new Date(from).toISOString();
    const toIso = new Date(to).toISOString();
    const events = nodeHours(
      await this.store.nodeLifetimes(fromIso, toIso),
      new Date(from),
      new Date(to),
    );
    for (let i = 0; i < events.length; i += EVENTS_PER_REQUEST) {
      await this.post(events.slice(i, i + EVENTS_PER_REQUEST));
    }
    // Only once the store has everything: a failed run is repeated whole,
    // and the store counts each event id once.
    await this.store.setReportedUntil(REPORT, toIso);
    this.logger.info(
      `Reported ${events.length} hours of node usage from ${fromIso} to ${toIso}`,
    );
    return events.length;
  }

  private async post(events: NodeHoursEvent[]) {
    const { token } = await this.auth.getPluginRequestToken({
      onBehalfOf: await this.auth.getOwnServiceCredentials(),
      targetPluginId: 'store',
    });
    const baseUrl = await this.discovery.getBaseUrl('store');
    const response = await fetch(`${baseUrl}/usage`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${token}`,
      },
      body: JSON.stringify({ events }),
    });
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    const result = (await response.json()) as {
      accepted: number;
      duplicates: number;
      rejected: Array<{ id: string; reason: string }>;
    };
    for (const rejected of result.rejected) {
      this.logger.debug(
        `The store did not take usage ${rejected.id}: ${rejected.reason}`,
      );
    }
  }
}
