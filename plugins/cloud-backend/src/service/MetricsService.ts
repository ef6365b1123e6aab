import { InputError } from '@backstage/errors';
import {
  METRIC_NAMES,
  MetricAlert,
  MetricName,
  MetricResolution,
  MetricSeries,
  MonitoredNode,
  MonitoringOverview,
} from '@internal/plugin-cloud-common';
import { AlertStore, toMetricAlert } from '../database/AlertStore';
import { CloudStore } from '../database/CloudStore';
import {
  MetricsStore,
  ROLLUPS,
  StoredResolution,
} from '../database/MetricsStore';
import { decodeAlertCursor, DEFAULT_LIMIT, encodeAlertCursor } from './cursor';
import { AlertRules, memoryLimitBytes } from './AlertRules';
import { MetricsRetention } from './MetricsCollector';
import { ProviderRegistry } from './ProviderRegistry';

/** The named ranges a chart offers, in ms. */
export const METRIC_RANGES = {
  '1h': 3_600_000,
  '1d': 86_400_000,
  '7d': 7 * 86_400_000,
  '30d': 30 * 86_400_000,
} as const;

/** A time a little ahead of the server's clock is not yet the future. */
const CLOCK_SKEW_MS = 60_000;
/** Readings older than this are of nodes that stopped reporting. */
const STALE_MS = 10 * 60_000;
/** The overview's busiest nodes are the CPU averages of these last minutes. */
const BUSY_WINDOW_MS = 5 * 60_000;
/** How many busiest nodes the overview lists. */
const BUSIEST = 10;
/** A node using this share of its memory limit is near it. */
const NEAR_LIMIT = 0.8;

/**
 * The resolution that answers a span in a few hundred points per series:
 * minutes up to a day, hours up to a month, days beyond.
 */
export function resolutionFor(spanMs: number): StoredResolution {
  if (spanMs <= METRIC_RANGES['1d']) {
    return '1m';
  }
  if (spanMs <= 31 * 86_400_000) {
    return '1h';
  }
  return '1d';
}

/** What a metrics query asks for, as the API takes it. */
export interface MetricsQuery {
  range?: string;
  /** ISO time. */
  from?: string;
  /** ISO time; now when absent. */
  to?: string;
  resolution?: string;
  metrics?: MetricName[];
}

function parseTime(value: string, name: string) {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) {
    throw new InputError(`'${name}' is not a time: ${value}`);
  }
  return ms;
}

function label(value: string) {
  return value
    .replace(/\\/g, '\\\\')
    .replace(/\n/g, '\\n')
    .replace(/"/g, '\\"');
}

/**
 * Reads metrics for charts, choosing the rollup from the range, and writes
 * the latest readings in Prometheus' text format.
 */
export class MetricsService {
  private constructor(
    private readonly options: {
      store: CloudStore;
      metrics: MetricsStore;
      alerts: AlertStore;
      rules: AlertRules;
      providers: ProviderRegistry;
      retention: MetricsRetention;
      now: () => number;
    },
  ) {}

  static create(options: {
    store: CloudStore;
    metrics: MetricsStore;
    alerts: AlertStore;
    rules: AlertRules;
    providers: ProviderRegistry;
    retention: MetricsRetention;
    now?: () => number;
  }) {
    return new MetricsService({ now: Date.now, ...options });
  }

  /**
   * The series of a stack's nodes, or of one node, over a range; bad input
   * is an InputError that says what is wrong.
   */
  async series(
    stackId: string,
    query: MetricsQuery,
    nodeName?: string,
  ): Promise<{
    resolution: MetricResolution;
    from: string;
    to: string;
    series: MetricSeries[];
  }> {
    const { store, metrics, retention } = this.options;
    const now = this.options.now();
    if (nodeName) {
      const nodes = await store.listNodes(stackId, { includeDeleted: true });
      if (!nodes.some(n => n.name === nodeName)) {
        throw new InputError(`Stack '${stackId}' has no node '${nodeName}'`);
      }
    }
    let from: number;
    let to: number;
    if (query.range !== undefined) {
      if (query.from !== undefined || query.to !== undefined) {
        throw new InputError(
          "Give either 'range' or 'from' and 'to', not both",
        );
      }
      const span = METRIC_RANGES[query.range as keyof typeof METRIC_RANGES];
      if (!span) {
        throw new InputError(
          `Unknown range '${query.range}'; one of ${Object.keys(
            METRIC_RANGES,
          ).join(', ')}`,
        );
      }
      to = now;
      from = now - span;
    } else if (query.from !== undefined) {
      from = parseTime(query.from, 'from');
      to = query.to !== undefined ? parseTime(query.to, 'to') : now;
    } else {
      throw new InputError("Give a 'range' or a 'from' time");
    }
    if (from > now + CLOCK_SKEW_MS || to > now + CLOCK_SKEW_MS) {
      throw new InputError('The range lies in the future');
    }
    if (from >= to) {
      throw new InputError("'from' must be before 'to'");
    }
    const resolution = (query.resolution ??
      resolutionFor(to - from)) as StoredResolution;
    if (!(resolution in retention)) {
      throw new InputError(
        `Unknown resolution '${query.resolution}'; one of raw, ${Object.keys(
          ROLLUPS,
        ).join(', ')}`,
      );
    }
    if (from < now - retention[resolution]) {
      throw new InputError(
        `The range starts before what is kept at resolution ${resolution}: ${Math.floor(
          retention[resolution] / 3_600_000,
        )} hours`,
      );
    }
    const buckets = await metrics.readBuckets({
      stackId,
      nodeNames: nodeName ? [nodeName] : undefined,
      metrics: query.metrics,
      resolution,
      from,
      to,
    });
    const series = new Map<string, MetricSeries>();
    // every series has the same few hundred bucket times: format each once
    const times = new Map<number, string>();
    for (const b of buckets) {
      const key = `${b.nodeName}\n${b.metric}`;
      let entry = series.get(key);
      if (!entry) {
        entry = { nodeName: b.nodeName, metric: b.metric, points: [] };
        series.set(key, entry);
      }
      let time = times.get(b.ts);
      if (time === undefined) {
        time = new Date(b.ts).toISOString();
        times.set(b.ts, time);
      }
      entry.points.push({
        time,
        count: b.count,
        avg: b.sum / b.count,
        min: b.min,
        max: b.max,
      });
    }
    return {
      resolution,
      from: new Date(from).toISOString(),
      to: new Date(to).toISOString(),
      series: [...series.values()].sort(
        (a, b) =>
          a.nodeName.localeCompare(b.nodeName) ||
          METRIC_NAMES.indexOf(a.metric) - METRIC_NAMES.indexOf(b.metric),
      ),
    };
  }

  /** A page of the firing and resolved alerts of a stack, newest first. */
  async alerts(
    stackId: string,
    page: { limit?: number; cursor?: string } = {},
  ): Promise<{ items: MetricAlert[]; nextCursor?: string }> {
    const result = await this.options.alerts.listShown(stackId, {
      limit: page.limit ?? DEFAULT_LIMIT,
      cursor: page.cursor ? decodeAlertCursor(page.cursor) : undefined,
    });
    return {
      items: result.items.map(toMetricAlert),
      nextCursor: result.nextCursor && encodeAlertCursor(result.nextCursor),
    };
  }

  /**
   * Every running node of the providers that report metrics, seen at once:
   * the busiest by CPU, those near their memory limit, those not reporting,
   * and every firing alert.
   */
  async overview(): Promise<MonitoringOverview> {
    const { store, metrics, alerts, rules, providers } = this.options;
    const now = this.options.now();
    const nodes = (
      await Promise.all(
        providers
          .list()
          .filter(p => p.collectMetrics)
          .map(p => store.listRunningNodes({ provider: p.id })),
      )
    ).flat();
    const firing = await alerts.listFiring();
    const stacks = new Map(
      (
        await store.getStacks([
          ...nodes.map(n => n.stackId),
          ...firing.map(a => a.stackId),
        ])
      ).map(s => [s.id, s]),
    );
    const key = (n: { stackId: string; nodeName: string }) =>
      `${n.stackId}/${n.nodeName}`;
    const counters = new Map(
      (await metrics.listCounters()).map(c => [key(c), c]),
    );
    const cpu = new Map(
      (await metrics.averagesSince('cpu', now - BUSY_WINDOW_MS)).map(a => [
        key(a),
        a.avg,
      ]),
    );
    const seen: MonitoredNode[] = [];
    for (const node of nodes) {
      const stack = stacks.get(node.stackId);
      if (!stack) {
        continue;
      }
      const reading = counters.get(key(node));
      seen.push({
        stackId: stack.id,
        stackName: stack.name,
        owner: stack.owner,
        nodeName: node.nodeName,
        reportedAt: reading && new Date(reading.ts).toISOString(),
        cpu: cpu.get(key(node)),
        memoryBytes: reading?.memoryBytes,
        memoryLimitBytes: memoryLimitBytes(stack, node.role),
      });
    }
    const used = (n: MonitoredNode) =>
      n.memoryBytes !== undefined && n.memoryLimitBytes
        ? n.memoryBytes / n.memoryLimitBytes
        : 0;
    return {
      busiest: seen
        .filter(n => n.cpu !== undefined)
        .sort((a, b) => b.cpu! - a.cpu!)
        .slice(0, BUSIEST),
      nearLimits: seen
        .filter(n => used(n) >= NEAR_LIMIT)
        .sort((a, b) => used(b) - used(a)),
      notReporting: seen.filter(
        n =>
          !n.reportedAt ||
          Date.parse(n.reportedAt) <= now - rules.notReportingMs,
      ),
      alerts: firing.flatMap(alert => {
        const stack = stacks.get(alert.stackId);
        return stack
          ? [
              {
                ...toMetricAlert(alert),
                stackName: stack.name,
                owner: stack.owner,
              },
            ]
          : [];
      }),
    };
  }

  /** The latest reading of every node that reports, for Prometheus. */
  async prometheus(): Promise<string> {
    const now = this.options.now();
    const readings = (await this.options.metrics.listCounters()).filter(
      c => c.ts > now - STALE_MS,
    );
    const families: Array<{
      name: string;
      type: 'counter' | 'gauge';
      help: string;
      value: (c: (typeof readings)[number]) => number;
    }> = [
      {
        name: 'cloud_node_cpu_seconds_total',
        type: 'counter',
        help: 'CPU time used by the processes of the node.',
        value: c => c.cpuSeconds,
      },
      {
        name: 'cloud_node_memory_bytes',
        type: 'gauge',
        help: 'Resident memory of the processes of the node.',
        value: c => c.memoryBytes,
      },
      {
        name: 'cloud_node_disk_bytes',
        type: 'gauge',
        help: 'Bytes the node holds on disk.',
        value: c => c.diskBytes,
      },
      {
        name: 'cloud_node_network_receive_bytes_total',
        type: 'counter',
        help: 'Bytes the node received.',
        value: c => c.networkInBytes,
      },
      {
        name: 'cloud_node_network_transmit_bytes_total',
        type: 'counter',
        help: 'Bytes the node sent.',
        value: c => c.networkOutBytes,
      },
    ];
    const lines: string[] = [];
    for (const family of families) {
      lines.push(`# HELP ${family.name} ${family.help}`);
      lines.push(`# TYPE ${family.name} ${family.type}`);
      for (const c of readings) {
        lines.push(
          `${family.name}{stack_id="${label(c.stackId)}",node="${label(
            c.nodeName,
          )}"} ${family.value(c)} ${c.ts}`,
        );
      }
    }
    return `${lines.join('\n')}\n`;
  }
}
