import { ConfigReader } from '@backstage/config';
import { Stack } from '@internal/plugin-cloud-common';
import {
  AlertRules,
  DEFAULT_ALERT_RULES,
  memoryLimitBytes,
  readPlanAlertRules,
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

  it("puts the stack's plan over the defaults, and the stack's own config over its plan", () => {
    const rules = AlertRules.fromConfig(
      new ConfigReader({
        cloud: {
          monitoring: {
            alerts: {
              cpu: { percent: 95 },
              memory: { for: { minutes: 1 } },
              stacks: { pinned: { cpu: { for: '2m' } } },
            },
          },
        },
      }),
    );
    const limits = {
      alerts: {
        cpu: { percent: 80, for: '10m' },
        memory: false as const,
        notReporting: { for: 'PT30S' },
      },
    };
    expect(rules.forStack({ id: 's1', name: 'shop', limits })).toEqual({
      cpu: { percent: 80, forMs: 10 * MINUTE },
      memory: undefined,
      notReporting: { forMs: 30_000 },
    });
    // the plan gives only the percent: its time is the configured default's
    expect(
      rules.forStack({
        id: 's2',
        name: 'shop2',
        limits: { alerts: { cpu: { percent: 70 } } },
      }),
    ).toEqual({
      cpu: { percent: 70, forMs: 5 * MINUTE },
      memory: { percent: 90, forMs: MINUTE },
      notReporting: { forMs: 2 * MINUTE },
    });
    // the stack's own config replaces the plan's time, keeps its percent
    expect(rules.forStack({ id: 's3', name: 'pinned', limits })).toEqual({
      cpu: { percent: 80, forMs: 2 * MINUTE },
      memory: undefined,
      notReporting: { forMs: 30_000 },
    });
    // a plan turning a rule back on takes the default's keys it does not give
    expect(
      AlertRules.fromConfig(
        new ConfigReader({
          cloud: { monitoring: { alerts: { memory: false } } },
        }),
      ).forStack({
        id: 's4',
        name: 'big',
        limits: { alerts: { memory: { percent: 75 } } },
      }).memory,
    ).toEqual({ percent: 75, forMs: 0 });
  });

  it("refuses a plan's duration that is not one, naming the field", () => {
    expect(() =>
      readPlanAlertRules({ cpu: { percent: 80, for: 'soon' } }),
    ).toThrow(
      /^limits\.alerts\.cpu\.for is not a duration: Invalid duration 'soon'/,
    );
    expect(readPlanAlertRules(undefined)).toEqual(DEFAULT_ALERT_RULES);
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
