import { Config, readDurationFromConfig } from '@backstage/config';
import { InputError } from '@backstage/errors';
import { durationToMilliseconds } from '@backstage/types';
import { Stack } from '@internal/plugin-cloud-common';

/** A threshold that must hold for a while before its alert fires. */
export interface ThresholdRule {
  /** CPU in percent of one core; memory in percent of the node's limit. */
  percent: number;
  forMs: number;
}

/** The alert rules that apply to one stack; an absent rule is off. */
export interface StackAlertRules {
  cpu?: ThresholdRule;
  memory?: ThresholdRule;
  notReporting?: { forMs: number };
}

/** CPU above 90% for 5 minutes, memory above 90% of the limit, 2 minutes silent. */
export const DEFAULT_ALERT_RULES: Required<StackAlertRules> = {
  cpu: { percent: 90, forMs: 5 * 60_000 },
  memory: { percent: 90, forMs: 0 },
  notReporting: { forMs: 2 * 60_000 },
};

type RuleKey = keyof StackAlertRules;
const RULE_KEYS: RuleKey[] = ['cpu', 'memory', 'notReporting'];

/**
 * Reads one rule of `config` over `base`: `false` turns it off, each key
 * given replaces the base's.
 */
function readRule<K extends RuleKey>(
  config: Config,
  key: K,
  base: StackAlertRules[K],
  path: string,
): StackAlertRules[K] {
  if (!config.has(key)) {
    return base;
  }
  if (config.getOptional(key) === false) {
    return undefined;
  }
  const rule = config.getConfig(key);
  const fallback = base ?? DEFAULT_ALERT_RULES[key];
  const forMs = rule.has('for')
    ? durationToMilliseconds(readDurationFromConfig(rule, { key: 'for' }))
    : fallback.forMs;
  if (key === 'notReporting') {
    return { forMs } as StackAlertRules[K];
  }
  const percent =
    rule.getOptionalNumber('percent') ?? (fallback as ThresholdRule).percent;
  if (!(percent > 0)) {
    throw new InputError(`${path}.${key}.percent must be above 0`);
  }
  return { percent, forMs } as StackAlertRules[K];
}

function readRules(
  config: Config | undefined,
  base: StackAlertRules,
  path: string,
): StackAlertRules {
  if (!config) {
    return base;
  }
  return Object.fromEntries(
    RULE_KEYS.map(key => [key, readRule(config, key, base[key], path)]),
  );
}

/**
 * The alert rules of `cloud.monitoring.alerts`: defaults for every stack,
 * replaced rule by rule for the stacks named under `stacks` (by name or
 * id). The memory rule applies to nodes with a memory limit, their plan's
 * (carried in the stack's limits) or their role's, the lower of the two.
 */
export class AlertRules {
  private constructor(
    private readonly defaults: StackAlertRules,
    private readonly stacks: Map<string, StackAlertRules>,
  ) {}

  static fromConfig(config: Config): AlertRules {
    const path = 'cloud.monitoring.alerts';
    const alerts = config.getOptionalConfig(path);
    const defaults = readRules(alerts, DEFAULT_ALERT_RULES, path);
    const stacks = new Map<string, StackAlertRules>();
    const perStack = alerts?.getOptionalConfig('stacks');
    for (const key of perStack?.keys() ?? []) {
      stacks.set(
        key,
        readRules(perStack!.getConfig(key), defaults, `${path}.stacks.${key}`),
      );
    }
    return new AlertRules(defaults, stacks);
  }

  /** The rules of a stack. */
  forStack(stack: { id: string; name: string }): StackAlertRules {
    return (
      this.stacks.get(stack.id) ?? this.stacks.get(stack.name) ?? this.defaults
    );
  }

  /** How long a node may be silent before it counts as not reporting. */
  get notReportingMs(): number {
    return (
      this.defaults.notReporting?.forMs ??
      DEFAULT_ALERT_RULES.notReporting.forMs
    );
  }
}

/**
 * The memory limit of a node in bytes: its plan's, carried in the stack's
 * limits, or its role's, the lower of the two; undefined when neither
 * limits it.
 */
export function memoryLimitBytes(
  stack: Stack,
  role: string,
): number | undefined {
  const limits = [
    stack.limits?.memoryMb,
    stack.spec.roles.find(r => r.name === role)?.limits?.memoryMb,
  ].filter((mb): mb is number => mb !== undefined);
  return limits.length ? Math.min(...limits) * 2 ** 20 : undefined;
}
