import { ConfigReader } from '@backstage/config';
import { Stack } from '@internal/plugin-cloud-common';
import {
  AlertRules,
  DEFAULT_ALERT_RULES,
  memoryLimitBytes,
} from './AlertRules';
import { readMetricsRetention } from './MetricsCollector';

const MINUTE = 60_000;

describe('AlertRules', () => {
  it('applies the defaults when nothing is configured', () => {
    const rules = AlertRules.fromConfig(new ConfigReader({}));
    expect(rules.forStack({ id: 's1', name: 'web' })).toEqual(
      DEFAULT_ALERT_RULES,
    );
    expect(rules.notReportingMs).toBe(2 * MINUTE);
  });

  it('replaces defaults key by key, turns rules off with false, and overrides per stack by name or id', () => {
    const rules = AlertRules.fromConfig(
      new ConfigReader({
        cloud: {
          monitoring: {
            alerts: {
              cpu: { percent: 80 },
              notReporting: { for: { minutes: 5 } },
              stacks: {
                quiet: { cpu: false, memory: { for: 'PT1M' } },
                's-42': { memory: false },
              },
            },
          },
        },
      }),
    );
    expect(rules.forStack({ id: 's1', name: 'web' })).toEqual({
      cpu: { percent: 80, forMs: 5 * MINUTE },
      memory: { percent: 90, forMs: 0 },
      notReporting: { forMs: 5 * MINUTE },
    });
    expect(rules.forStack({ id: 's2', name: 'quiet' })).toEqual({
      cpu: undefined,
      memory: { percent: 90, forMs: MINUTE },
      notReporting: { forMs: 5 * MINUTE },
    });
    expect(
      rules.forStack({ id: 's-42', name: 'other' }).memory,
    ).toBeUndefined();
  });

  it('refuses a percent that is not above 0', () => {
    expect(() =>
      AlertRules.fromConfig(
        new ConfigReader({
          cloud: { monitoring: { alerts: { memory: { percent: 0 } } } },
        }),
      ),
    ).toThrow('cloud.monitoring.alerts.memory.percent must be above 0');
  });
});

describe('memoryLimitBytes', () => {
  const stack = (planMb?: number, roleMb?: number) =>
    ({
      limits: planMb ? { memoryMb: planMb } : undefined,
      spec: {
        roles: [
          {
            name: 'app',
            count: 1,
            limits: roleMb ? { memoryMb: roleMb } : undefined,
          },
        ],
      },
    } as Stack);

  it("takes the lower of the plan's and the role's limit, none without either", () => {
    expect(memoryLimitBytes(stack(512, 256), 'app')).toBe(256 * 2 ** 20);
    expect(memoryLimitBytes(stack(512), 'app')).toBe(512 * 2 ** 20);
    expect(memoryLimitBytes(stack(undefined, 128), 'app')).toBe(128 * 2 ** 20);
    expect(memoryLimitBytes(stack(512), 'db')).toBe(512 * 2 ** 20);
    expect(memoryLimitBytes(stack(), 'app')).toBeUndefined();
  });
});

describe('readMetricsRetention', () => {
  it('reads each resolution under a key a config may hold, defaults for the rest', () => {
    expect(
      readMetricsRetention(
        new ConfigReader({
          cloud: {
            monitoring: {
              retention: { raw: { hours: 6 }, perHour: { days: 10 } },
            },
          },
        }),
      ),
    ).toEqual({
      raw: 6 * 3_600_000,
      '1m': 2 * 86_400_000,
      '1h': 10 * 86_400_000,
      '1d': 400 * 86_400_000,
    });
  });
});
