import {
  Config,
  ConfigReader,
  readDurationFromConfig,
} from '@backstage/config';
import { InputError } from '@backstage/errors';
import { durationToMilliseconds } from '@backstage/types';
import { PlanAlertRules, Stack } from '@internal/plugin-cloud-common';

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
  let forMs = fallback.forMs;
  if (rule.has('for')) {
    try {
      forMs = durationToMilliseconds(
        readDurationFromConfig(rule, { key: 'for' }),
      );
    } catch (error) {
      throw new InputError(
        `${path}.${key}.for is not a duration: ${(error as Error).message}`,
      );
    }
  }
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
 * The alert rules of a plan, carried in a stack's `limits.alerts`, over
 * `base`; an InputError naming the field when one cannot be read.
 */
export function readPlanAlertRules(
  alerts: PlanAlertRules | undefined,
  base: StackAlertRules = DEFAULT_ALERT_RULES,
): StackAlertRules {
  return readRules(
    alerts && new ConfigReader(alerts, 'limits.alerts'),
    base,
    'limits.alerts',
  );
}

/**
 * The alert rules of `cloud.monitoring.alerts`, applied to each stack in
 * this order, each replacing the one before rule by rule and key by key:
 * the configured defaults, the rules of the stack's plan (carried in its
 * limits), and those configured for the stack itself under `stacks` (by
 * name or id). The memory rule applies to nodes with a memory limit, their
 * plan's (carried in the stack's limits) or their role's, the lower of the
 * two.
 */
export class AlertRules {
  private constructor(
    private readonly defaults: StackAlertRules,
    private readonly stacks: Map<string, Config>,
  ) {}

  /** The rules of each stack object seen, read once per round. */
  private readonly read = new WeakMap<object, StackAlertRules>();

  static fromConfig(config: Config): AlertRules {
    const path = 'cloud.monitoring.alerts';
    const alerts = config.getOptionalConfig(path);
    const defaults = readRules(alerts, DEFAULT_ALERT_RULES, path);
    const stacks = new Map<string, Config>();
    const perStack = alerts?.getOptionalConfig('stacks');
    for (const key of perStack?.keys() ?? []) {
      const rules = perStack!.getConfig(key);
      // read once now, so that a mistake stops start-up
      readRules(rules, defaults, `${path}.stacks.${key}`);
      stacks.set(key, rules);
    }
    return new AlertRules(defaults, stacks);
  }

  /** The rules of a stack. */
  forStack(stack: Pick<Stack, 'id' | 'name' | 'limits'>): StackAlertRules {
    let rules = this.read.get(stack);
    if (!rules) {
      const ofPlan = readPlanAlertRules(stack.limits?.alerts, this.defaults);
      const own = this.stacks.get(stack.id) ?? this.stacks.get(stack.name);
      rules = readRules(own, ofPlan, 'cloud.monitoring.alerts.stacks');
      this.read.set(stack, rules);
    }
    return rules;
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
