import {
  MetricPoint,
  MetricRange,
  MetricSeries,
  StackDetails,
} from '@internal/plugin-cloud-common';

/** What a chart says of one series besides its line. */
export type SeriesStats = {
  /** The latest bucket's average. */
  current: number;
  /** The highest value any bucket saw. */
  peak: number;
  /** The average over every sample of the span. */
  average: number;
};

/**
 * The current value, peak and average of a series, or undefined when it has
 * no points. The average weighs each bucket by its number of samples, so a
 * bucket of one sample counts as one sample.
 */
export function seriesStats(points: MetricPoint[]): SeriesStats | undefined {
  if (points.length === 0) {
    return undefined;
  }
  let peak = -Infinity;
  let sum = 0;
  let count = 0;
  for (const point of points) {
    peak = Math.max(peak, point.max);
    sum += point.avg * point.count;
    count += point.count;
  }
  const current = points[points.length - 1].avg;
  return { current, peak, average: count > 0 ? sum / count : current };
}

/** One line of a chart: a series with the key its values have in the rows. */
export type ChartLine = {
  key: string;
  label: string;
  series: MetricSeries;
};

/** One row of a chart: a time and the value of each line at it. */
export type ChartRow = { time: number } & Record<string, number>;

/**
 * The rows a chart draws: one per time any line has a point at, oldest
 * first, with each line's bucket average under the line's key.
 */
export function chartRows(lines: ChartLine[]): ChartRow[] {
  const rows = new Map<number, ChartRow>();
  for (const line of lines) {
    for (const point of line.series.points) {
      const time = Date.parse(point.time);
      const row = rows.get(time) ?? { time };
      row[line.key] = point.avg;
      rows.set(time, row);
    }
  }
  return [...rows.values()].sort((a, b) => a.time - b.time);
}

const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

/** Bytes in binary units, e.g. `512 MiB` or `1.5 GiB`. */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < BYTE_UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const digits = unit === 0 || value >= 100 ? 0 : 1;
  return `${Number(value.toFixed(digits))} ${BYTE_UNITS[unit]}`;
}

/** Bytes per second, e.g. `1.5 KiB/s`. */
export function formatRate(bytesPerSecond: number): string {
  return `${formatBytes(bytesPerSecond)}/s`;
}

/** CPU in percent of one core, e.g. `37.5%`. */
export function formatPercent(percent: number): string {
  return `${Number(percent.toFixed(1))}%`;
}

/** How a chart's time axis labels a tick for a range. */
export function formatTick(range: MetricRange) {
  return (time: number) => {
    const date = new Date(time);
    if (range === '1h' || range === '1d') {
      return date.toLocaleTimeString([], {
        hour: '2-digit',
        minute: '2-digit',
      });
    }
    return date.toLocaleDateString([], { month: 'short', day: 'numeric' });
  };
}

/** A range as the range picker says it. */
export const RANGE_LABELS: Record<MetricRange, string> = {
  '1h': 'Last hour',
  '1d': 'Last day',
  '7d': 'Last week',
  '30d': 'Last 30 days',
};

const MIB = 1024 * 1024;

/**
 * The memory limit of a node of the stack in bytes, to draw on its memory
 * chart: the plan's, else the one of the node's role. For the chart of every
 * node, a role's limit counts only when all nodes share it.
 */
export function memoryLimitBytes(
  stack: Pick<StackDetails, 'limits' | 'spec' | 'nodes'>,
  nodeName?: string,
): number | undefined {
  if (stack.limits?.memoryMb) {
    return stack.limits.memoryMb * MIB;
  }
  const roleLimit = (role: string) =>
    stack.spec.roles.find(r => r.name === role)?.limits?.memoryMb;
  const nodes = nodeName
    ? stack.nodes.filter(n => n.name === nodeName)
    : stack.nodes;
  const limits = new Set(nodes.map(n => roleLimit(n.role)));
  const [limit] = [...limits];
  return limits.size === 1 && limit ? limit * MIB : undefined;
}
