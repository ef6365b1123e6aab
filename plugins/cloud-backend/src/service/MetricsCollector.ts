import { LoggerService } from '@backstage/backend-plugin-api';
import { Config, readDurationFromConfig } from '@backstage/config';
import { durationToMilliseconds, HumanDuration } from '@backstage/types';
import { CloudProvider, NodeMetricsSample } from '@internal/plugin-cloud-node';
import { CloudStore } from '../database/CloudStore';
import {
  MetricSampleInput,
  MetricsStore,
  NodeCounters,
  StoredResolution,
} from '../database/MetricsStore';
import { ProviderRegistry } from './ProviderRegistry';

/** How long each resolution is kept, in ms. */
export type MetricsRetention = Record<StoredResolution, number>;

const DEFAULT_RETENTION: Record<StoredResolution, HumanDuration> = {
  raw: { days: 1 },
  '1m': { days: 2 },
  '1h': { days: 35 },
  '1d': { days: 400 },
};

/**
 * The config key of each resolution: config keys may not start with a
 * digit, so `1m` is `perMinute`.
 */
const RETENTION_KEYS: Record<StoredResolution, string> = {
  raw: 'raw',
  '1m': 'perMinute',
  '1h': 'perHour',
  '1d': 'perDay',
};

/** Reads `cloud.monitoring.retention.*`; each key alone is enough. */
export function readMetricsRetention(config: Config): MetricsRetention {
  const retention = config.getOptionalConfig('cloud.monitoring.retention');
  const read = (resolution: StoredResolution) => {
    const key = RETENTION_KEYS[resolution];
    return durationToMilliseconds(
      retention?.has(key)
        ? readDurationFromConfig(retention, { key })
        : DEFAULT_RETENTION[resolution],
    );
  };
  return {
    raw: read('raw'),
    '1m': read('1m'),
    '1h': read('1h'),
    '1d': read('1d'),
  };
}

/** The increase of a counter; one that went down was reset, as Prometheus reads it. */
function increase(current: number, previous: number) {
  return current >= previous ? current - previous : current;
}

/**
 * The samples to store from a node's new reading and its previous one:
 * memory and disk as read, CPU in percent of one core and network in bytes
 * per second over the time between the two readings.
 */
export function toSamples(
  reading: NodeMetricsSample,
  previous: NodeCounters | undefined,
): MetricSampleInput[] {
  const { stackId, nodeName, timestamp: ts } = reading;
  const samples: MetricSampleInput[] = [
    { stackId, nodeName, ts, metric: 'memory', value: reading.memoryBytes },
    { stackId, nodeName, ts, metric: 'disk', value: reading.diskBytes },
  ];
  if (previous && ts > previous.ts) {
    const seconds = (ts - previous.ts) / 1000;
    const rate = (current: number, before: number) =>
      increase(current, before) / seconds;
    samples.push(
      {
        stackId,
        nodeName,
        ts,
        metric: 'cpu',
        value: 100 * rate(reading.cpuSeconds, previous.cpuSeconds),
      },
      {
        stackId,
        nodeName,
        ts,
        metric: 'networkIn',
        value: rate(reading.networkInBytes, previous.networkInBytes),
      },
      {
        stackId,
        nodeName,
        ts,
        metric: 'networkOut',
        value: rate(reading.networkOutBytes, previous.networkOutBytes),
      },
    );
  }
  return samples;
}

/** A running node of a provider, as a collection round asks about it. */
export interface RunningNode {
  stackId: string;
  nodeName: string;
  role: string;
}

/** What one collection round asked and stored, for alerts to judge. */
export interface CollectionRound {
  /** When the round ran, in ms since the epoch. */
  at: number;
  /** The providers asked: those of one host, or those without a host. */
  providers: string[];
  hostId?: string;
  /** The running nodes of those providers, whether they reported or not. */
  nodes: RunningNode[];
  /** The samples stored from the nodes that reported. */
  samples: MetricSampleInput[];
}

/**
 * Asks the providers for the figures of their running nodes and stores
 * them, then folds the minutes (hours, days) that closed into the rollups;
 * purges what is older than the retention of each resolution.
 */
export class MetricsCollector {
  private constructor(
    private readonly options: {
      store: CloudStore;
      metrics: MetricsStore;
      providers: ProviderRegistry;
      logger: LoggerService;
      retention: MetricsRetention;
      now: () => number;
    },
  ) {}

  static create(options: {
    store: CloudStore;
    metrics: MetricsStore;
    providers: ProviderRegistry;
    logger: LoggerService;
    retention: MetricsRetention;
    /** The clock, for tests. */
    now?: () => number;
  }) {
    return new MetricsCollector({ now: Date.now, ...options });
  }

  /**
   * Collects from the providers of a host, or from those without one
   * (`'shared'`). A provider that fails leaves its nodes unreported.
   */
  async collect(
    scope: { hostId: string } | 'shared',
  ): Promise<CollectionRound> {
    const providers = this.options.providers
      .list()
      .filter(
        p =>
          p.collectMetrics &&
          (scope === 'shared' ? !p.hostId : p.hostId === scope.hostId),
      );
    const round: CollectionRound = {
      at: this.options.now(),
      providers: providers.map(p => p.id),
      hostId: scope === 'shared' ? undefined : scope.hostId,
      nodes: [],
      samples: [],
    };
    for (const provider of providers) {
      const nodes = await this.options.store.listRunningNodes({
        provider: provider.id,
        hostId: provider.hostId,
      });
      round.nodes.push(...nodes);
      try {
        round.samples.push(...(await this.collectFrom(provider, nodes)));
      } catch (error) {
        this.options.logger.warn(
          `Could not collect the metrics of provider ${provider.id}: ${error}`,
        );
      }
    }
    try {
      // the minutes closed since the last round, whoever's samples they hold
      await this.options.metrics.fold(this.options.now());
    } catch (error) {
      this.options.logger.warn(
        `Could not fold the metrics into their rollups: ${error}`,
      );
    }
    return round;
  }

  /** Deletes what each resolution keeps no longer; returns the rows deleted. */
  async purge(): Promise<number> {
    const now = this.options.now();
    let deleted = 0;
    for (const [resolution, keep] of Object.entries(this.options.retention)) {
      deleted += await this.options.metrics.purge(
        resolution as StoredResolution,
        now - keep,
      );
    }
    return deleted;
  }

  private async collectFrom(
    provider: CloudProvider,
    nodes: RunningNode[],
  ): Promise<MetricSampleInput[]> {
    if (!provider.collectMetrics || nodes.length === 0) {
      return [];
    }
    const { metrics } = this.options;
    const readings = await provider.collectMetrics(
      nodes.map(n => ({ stackId: n.stackId, nodeName: n.nodeName })),
    );
    const wanted = new Set(nodes.map(n => `${n.stackId}/${n.nodeName}`));
    const valid = readings.filter(r =>
      wanted.has(`${r.stackId}/${r.nodeName}`),
    );
    const previous = new Map(
      (
        await metrics.replaceCounters(
          valid.map(r => ({
            stackId: r.stackId,
            nodeName: r.nodeName,
            ts: r.timestamp,
            cpuSeconds: r.cpuSeconds,
            memoryBytes: r.memoryBytes,
            diskBytes: r.diskBytes,
            networkInBytes: r.networkInBytes,
            networkOutBytes: r.networkOutBytes,
          })),
        )
      ).map(c => [`${c.stackId}/${c.nodeName}`, c]),
    );
    const samples = valid.flatMap(r =>
      toSamples(r, previous.get(`${r.stackId}/${r.nodeName}`)),
    );
    await metrics.write(samples);
    return samples;
  }
}
