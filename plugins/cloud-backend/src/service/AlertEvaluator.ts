import { AuditorService, LoggerService } from '@backstage/backend-plugin-api';
import { NotificationService } from '@backstage/plugin-notifications-node';
import { MetricAlertRule } from '@internal/plugin-cloud-common';
import { AlertStore, StoredAlert } from '../database/AlertStore';
import { CloudStore, StoredStack } from '../database/CloudStore';
import { MetricSampleInput, MetricsStore } from '../database/MetricsStore';
import { AlertRules, memoryLimitBytes } from './AlertRules';
import { CollectionRound, RunningNode } from './MetricsCollector';

/**
 * What a rule finds of a node in a round: its condition holds (since when,
 * and why), it does not, or nothing can be said (no reading).
 */
type Verdict =
  | { breach: true; since: number; message: string }
  | 'ok'
  | 'unknown';

const RULES: MetricAlertRule[] = ['cpu', 'memory', 'not-reporting'];

function minutes(ms: number) {
  const m = Math.round(ms / 60_000);
  return m === 1 ? '1 minute' : `${m} minutes`;
}

function mib(bytes: number) {
  return `${Math.round(bytes / 2 ** 20)} MiB`;
}

const keyOf = (stackId: string, nodeName: string, rule?: string) =>
  JSON.stringify([stackId, nodeName, rule ?? '']);

/**
 * Judges the alert rules after each collection round, over the nodes that
 * round asked about: an alert is pending while its condition has not held
 * for the rule's time, then fires; it resolves when the condition ends or
 * the node stops running. Each firing and resolving is audited and told
 * once to the group owning the stack, through Backstage notifications.
 */
export class AlertEvaluator {
  private constructor(
    private readonly options: {
      alerts: AlertStore;
      metrics: MetricsStore;
      store: CloudStore;
      rules: AlertRules;
      auditor: AuditorService;
      logger: LoggerService;
      notifications?: NotificationService;
      now: () => number;
    },
  ) {}

  static create(options: {
    alerts: AlertStore;
    metrics: MetricsStore;
    store: CloudStore;
    rules: AlertRules;
    auditor: AuditorService;
    logger: LoggerService;
    notifications?: NotificationService;
    /** The clock, for tests. */
    now?: () => number;
  }) {
    return new AlertEvaluator({ now: Date.now, ...options });
  }

  /** Judges the nodes of a round, and tells owners what changed. */
  async evaluate(round: CollectionRound): Promise<void> {
    if (round.providers.length === 0) {
      return;
    }
    const { alerts, metrics, store } = this.options;
    const now = this.options.now();
    const open = await alerts.listOpenOfProviders({
      providers: round.providers,
      hostId: round.hostId,
    });
    const stacks = new Map(
      (
        await store.getStacks([
          ...round.nodes.map(n => n.stackId),
          ...open.map(a => a.stackId),
        ])
      ).map(s => [s.id, s]),
    );
    const openByKey = new Map(
      open.map(a => [keyOf(a.stackId, a.nodeName, a.rule), a]),
    );

    // the latest sample of each metric of each node that reported
    const latest = new Map<string, Map<string, MetricSampleInput>>();
    for (const sample of round.samples) {
      const key = keyOf(sample.stackId, sample.nodeName);
      const byMetric = latest.get(key) ?? new Map();
      const seen = byMetric.get(sample.metric);
      if (!seen || seen.ts <= sample.ts) {
        byMetric.set(sample.metric, sample);
      }
      latest.set(key, byMetric);
    }
    const silent = round.nodes.filter(
      n => !latest.has(keyOf(n.stackId, n.nodeName)),
    );
    const lastReported = new Map(
      (await metrics.getCounters(silent)).map(c => [
        keyOf(c.stackId, c.nodeName),
        c.ts,
      ]),
    );

    const judged = new Set<string>();
    for (const node of round.nodes) {
      const stack = stacks.get(node.stackId);
      if (!stack) {
        continue;
      }
      const readings = latest.get(keyOf(node.stackId, node.nodeName));
      for (const rule of RULES) {
        const key = keyOf(node.stackId, node.nodeName, rule);
        judged.add(key);
        const verdict = this.verdict(stack, node, rule, {
          readings,
          lastReported: lastReported.get(keyOf(node.stackId, node.nodeName)),
          now,
        });
        await this.guarded(stack, node.nodeName, () =>
          this.apply(stack, node.nodeName, rule, verdict, openByKey.get(key)),
        );
      }
    }
    // Alerts of nodes no longer running end with them.
    for (const alert of open) {
      const stack = stacks.get(alert.stackId);
      if (judged.has(keyOf(alert.stackId, alert.nodeName, alert.rule))) {
        continue;
      }
      if (stack) {
        await this.guarded(stack, alert.nodeName, () =>
          this.apply(stack, alert.nodeName, alert.rule, 'ok', alert),
        );
      }
    }

    await this.tellOwners([...stacks.values()]);
  }

  /** Deletes alerts resolved before `before`. */
  async purge(before: number): Promise<number> {
    return this.options.alerts.purgeResolved(before);
  }

  private verdict(
    stack: StoredStack,
    node: RunningNode,
    rule: MetricAlertRule,
    context: {
      readings: Map<string, MetricSampleInput> | undefined;
      lastReported: number | undefined;
      now: number;
    },
  ): Verdict {
    const rules = this.options.rules.forStack(stack);
    const { readings, lastReported, now } = context;
    const name = node.nodeName;
    if (rule === 'not-reporting') {
      if (!rules.notReporting || readings) {
        return 'ok';
      }
      return {
        breach: true,
        since: lastReported ?? now,
        message: `${name} has not reported for ${minutes(
          rules.notReporting.forMs,
        )}${
          lastReported
            ? `; last at ${new Date(lastReported).toISOString()}`
            : ''
        }`,
      };
    }
    if (rule === 'cpu') {
      const cpu = readings?.get('cpu');
      if (!rules.cpu) {
        return 'ok';
      }
      if (!cpu) {
        return 'unknown';
      }
      return cpu.value > rules.cpu.percent
        ? {
            breach: true,
            since: cpu.ts,
            message: `CPU of ${name} above ${rules.cpu.percent}% for ${minutes(
              rules.cpu.forMs,
            )}: ${Math.round(cpu.value)}%`,
          }
        : 'ok';
    }
    const limit = memoryLimitBytes(stack, node.role);
    const memory = readings?.get('memory');
    if (!rules.memory || limit === undefined) {
      return 'ok';
    }
    if (!memory) {
      return 'unknown';
    }
    return memory.value > (rules.memory.percent / 100) * limit
      ? {
          breach: true,
          since: memory.ts,
          message: `Memory of ${name} above ${
            rules.memory.percent
          }% of its limit of ${mib(limit)}: ${mib(memory.value)}`,
        }
      : 'ok';
  }

  /** Moves an alert as a verdict says. */
  private async apply(
    stack: StoredStack,
    nodeName: string,
    rule: MetricAlertRule,
    verdict: Verdict,
    open: StoredAlert | undefined,
  ) {
    const { alerts } = this.options;
    const now = this.options.now();
    if (verdict === 'unknown') {
      return;
    }
    if (verdict === 'ok') {
      if (open?.state === 'pending') {
        await alerts.dropPending(open.id);
      } else if (open?.state === 'firing') {
        await this.audited('alert-resolve', stack, open, () =>
          alerts.resolve(open.id, now),
        );
      }
      return;
    }
    const alert =
      open ??
      (await alerts.open({
        stackId: stack.id,
        nodeName,
        rule,
        message: verdict.message,
        since: verdict.since,
      }));
    const forMs = this.forMs(stack, rule);
    if (alert?.state === 'pending' && now - alert.since >= forMs) {
      await this.audited('alert-fire', stack, alert, () =>
        alerts.fire(alert.id, now, verdict.message),
      );
    }
  }

  private forMs(stack: StoredStack, rule: MetricAlertRule) {
    const rules = this.options.rules.forStack(stack);
    if (rule === 'not-reporting') {
      return rules.notReporting?.forMs ?? 0;
    }
    return rules[rule]?.forMs ?? 0;
  }

  /** Records a change of an alert as an audit event of the system. */
  private async audited(
    eventId: 'alert-fire' | 'alert-resolve',
    stack: StoredStack,
    alert: StoredAlert,
    change: () => Promise<boolean>,
  ) {
    const event = await this.options.auditor.createEvent({
      eventId,
      severityLevel: eventId === 'alert-fire' ? 'medium' : 'low',
      meta: {
        alertId: alert.id,
        stackId: stack.id,
        owner: stack.owner,
        node: alert.nodeName,
        rule: alert.rule,
      },
    });
    try {
      // false: another run moved it first, and records it
      await change();
      await event.success();
    } catch (error) {
      await event.fail({ error: error as Error });
      throw error;
    }
  }

  /** One node's failure is logged and does not stop the others. */
  private async guarded(
    stack: StoredStack,
    nodeName: string,
    fn: () => Promise<void>,
  ) {
    try {
      await fn();
    } catch (error) {
      this.options.logger.warn(
        `Could not judge the alerts of node ${nodeName} of stack ${stack.id}: ${error}`,
      );
    }
  }

  /**
   * Tells the owners of these stacks of each firing and resolving not yet
   * told: recorded as told first, so that of two runs one tells it; a
   * failed notification is logged, not retried.
   */
  private async tellOwners(stacks: StoredStack[]) {
    const { alerts, notifications, logger } = this.options;
    const byId = new Map(stacks.map(s => [s.id, s]));
    const untold = await alerts.listUntold([...byId.keys()]);
    for (const alert of untold) {
      const state = alert.state as 'firing' | 'resolved';
      const stack = byId.get(alert.stackId)!;
      if (!(await alerts.claimNotification(alert.id, state))) {
        continue;
      }
      const firing = state === 'firing';
      try {
        await notifications?.send({
          recipients: { type: 'entity', entityRef: stack.owner },
          payload: {
            title: `${firing ? 'Alert' : 'Resolved'}: ${stack.name}/${
              alert.nodeName
            } ${alert.rule}`,
            description: firing ? alert.message : `No longer: ${alert.message}`,
            link: `/cloud/stacks/${stack.id}`,
            severity: firing ? 'high' : 'normal',
            topic: 'cloud-alerts',
            scope: `cloud-alert:${alert.id}:${state}`,
          },
        });
      } catch (error) {
        logger.warn(
          `Could not notify ${stack.owner} of alert ${alert.id} on stack ${stack.id}: ${error}`,
        );
      }
    }
  }
}
