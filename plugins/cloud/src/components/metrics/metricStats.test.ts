import { StackDetails } from '@internal/plugin-cloud-common';
import {
  chartRows,
  formatBytes,
  formatPercent,
  memoryLimitBytes,
  seriesStats,
} from './metricStats';

const MIB = 1024 * 1024;

describe('seriesStats', () => {
  it('takes the last bucket as current, the highest max as peak, and weighs the average by samples', () => {
    expect(
      seriesStats([
        { time: '2026-11-25T10:00:00Z', count: 3, avg: 10, min: 5, max: 40 },
        { time: '2026-11-25T10:01:00Z', count: 1, avg: 30, min: 30, max: 30 },
      ]),
    ).toEqual({ current: 30, peak: 40, average: 15 });
    expect(seriesStats([])).toBeUndefined();
  });
});

describe('chartRows', () => {
  it('merges the points of every line by time, oldest first', () => {
    const point = (time: string, avg: number) => ({
      time,
      count: 1,
      avg,
      min: avg,
      max: avg,
    });
    expect(
      chartRows([
        {
          key: 'a',
          label: 'app-1',
          series: {
            nodeName: 'app-1',
            metric: 'cpu',
            points: [point('2026-11-25T10:01:00Z', 2)],
          },
        },
        {
          key: 'b',
          label: 'app-2',
          series: {
            nodeName: 'app-2',
            metric: 'cpu',
            points: [
              point('2026-11-25T10:00:00Z', 1),
              point('2026-11-25T10:01:00Z', 3),
            ],
          },
        },
      ]),
    ).toEqual([
      { time: Date.parse('2026-11-25T10:00:00Z'), b: 1 },
      { time: Date.parse('2026-11-25T10:01:00Z'), a: 2, b: 3 },
    ]);
  });
});

describe('formatting', () => {
  it('says bytes in binary units and CPU in percent', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(512 * MIB)).toBe('512 MiB');
    expect(formatPercent(37.54)).toBe('37.5%');
  });
});

describe('memoryLimitBytes', () => {
  const node = (name: string, role: string) =>
    ({ name, role } as StackDetails['nodes'][number]);
  const stack = {
    spec: {
      roles: [
        { name: 'app', count: 2, limits: { memoryMb: 256 } },
        { name: 'db', count: 1, limits: { memoryMb: 1024 } },
      ],
    },
    nodes: [node('app-1', 'app'), node('app-2', 'app'), node('db-1', 'db')],
  };

  it("takes the plan's limit first", () => {
    expect(memoryLimitBytes({ ...stack, limits: { memoryMb: 512 } })).toBe(
      512 * MIB,
    );
  });

  it("takes a node's role limit, and for every node one they all share", () => {
    expect(memoryLimitBytes(stack, 'db-1')).toBe(1024 * MIB);
    expect(memoryLimitBytes(stack)).toBeUndefined();
    expect(memoryLimitBytes({ ...stack, nodes: stack.nodes.slice(0, 2) })).toBe(
      256 * MIB,
    );
  });
});
