import { monthlyMinorUnits, toMinorUnits } from './pricing';
import {
  LimitParameters,
  NumericPlanLimit,
  PlanAlerts,
  ProductPlan,
} from './types';

/** The plan limits that can govern a template parameter. @public */
export const NUMERIC_PLAN_LIMITS: ReadonlyArray<NumericPlanLimit> = [
  'instances',
];

/** Whether a name is a plan limit that can govern a template parameter. @public */
export function isNumericPlanLimit(name: string): name is NumericPlanLimit {
  return (NUMERIC_PLAN_LIMITS as ReadonlyArray<string>).includes(name);
}

/**
 * An order parameter above what its plan allows, and the cheapest plan of the
 * product that would allow it.
 * @public
 */
export type PlanLimitViolation = {
  limit: NumericPlanLimit;
  parameter: string;
  value: number;
  plan: ProductPlan;
  /** What the plan allows. */
  allowed: number;
  /** The cheapest plan whose limit allows the value, if any. */
  upgrade?: ProductPlan;
  /** A sentence for people that says all of the above. */
  message: string;
};

function planCost(plan: ProductPlan): number {
  return (
    monthlyMinorUnits(plan.price) ??
    toMinorUnits(plan.price.amount, plan.price.currency)
  );
}

function allows(plan: ProductPlan, limit: NumericPlanLimit, value: number) {
  const allowed = plan.limits?.[limit];
  return allowed === undefined || value <= allowed;
}

/**
 * The cheapest plan of a product that allows a value of a limit. Prices are
 * compared in the currency of the plan being left; plans in another currency
 * come after them, in descriptor order.
 */
function cheapestPlanAllowing(
  plans: ProductPlan[],
  from: ProductPlan,
  limit: NumericPlanLimit,
  value: number,
): ProductPlan | undefined {
  const currency = from.price.currency;
  return plans
    .filter(plan => plan.id !== from.id && allows(plan, limit, value))
    .map((plan, index) => ({
      plan,
      index,
      foreign: plan.price.currency === currency ? 0 : 1,
      cost: plan.price.currency === currency ? planCost(plan) : 0,
    }))
    .sort(
      (a, b) => a.foreign - b.foreign || a.cost - b.cost || a.index - b.index,
    )
    .at(0)?.plan;
}

/**
 * Finds the first order parameter that exceeds a limit of the chosen plan,
 * following the product's `limitParameters`. Parameters that are absent or
 * not numbers are left to the template's own validation.
 *
 * @public
 */
export function findPlanLimitViolation(options: {
  plans: ProductPlan[];
  limitParameters?: LimitParameters;
  planId: string;
  parameters: Record<string, unknown>;
}): PlanLimitViolation | undefined {
  const { plans, limitParameters = {}, planId, parameters } = options;
  const plan = plans.find(p => p.id === planId);
  if (!plan) {
    return undefined;
  }
  for (const limit of NUMERIC_PLAN_LIMITS) {
    const parameter = limitParameters[limit];
    const allowed = plan.limits?.[limit];
    if (!parameter || allowed === undefined) {
      continue;
    }
    const raw = parameters[parameter];
    const value = typeof raw === 'string' && raw.trim() ? Number(raw) : raw;
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      continue;
    }
    if (value <= allowed) {
      continue;
    }
    const upgrade = cheapestPlanAllowing(plans, plan, limit, value);
    const upgradeAllows = upgrade?.limits?.[limit];
    let offer = `; no plan of this product allows that many ${limit}`;
    if (upgrade) {
      offer = `; the ${upgrade.title} plan allows ${
        upgradeAllows === undefined ? `any number of ${limit}` : upgradeAllows
      }`;
    }
    return {
      limit,
      parameter,
      value,
      plan,
      allowed,
      upgrade,
      message: `The ${plan.title} plan allows at most ${allowed} ${limit} (${parameter} is ${value})${offer}`,
    };
  }
  return undefined;
}

/**
 * The limits a stack of a plan carries into the cloud, which refuses to
 * deploy or scale it beyond them, and the hint it gives when it does; the
 * memory of one node, near which the stack's owner is alerted; and the
 * plan's alert rules, which the cloud judges the stack's nodes by.
 * @public
 */
export type PlanStackLimits = {
  instances?: number;
  upgradeHint?: string;
  memoryMb?: number;
  alerts?: PlanAlerts;
};

const MEMORY_UNITS: Record<string, number> = {
  '': 1,
  K: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
};

/**
 * A plan's memory, a quantity as Kubernetes writes it (`512Mi`, `4Gi`,
 * `1G`, bytes without a unit), in whole MiB; undefined when it is not one.
 *
 * @public
 */
export function memoryLimitMb(
  quantity: string | undefined,
): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([KMGT]i?)?\s*$/.exec(quantity ?? '');
  if (!match) {
    return undefined;
  }
  const mb = Math.floor(
    (Number(match[1]) * MEMORY_UNITS[match[2] ?? '']) / 2 ** 20,
  );
  return mb >= 1 ? mb : undefined;
}

/**
 * The limits of a plan as its stack carries them: `instances`, with a hint
 * that names the cheapest plan allowing more of them, the memory of a
 * node, and the plan's alert rules as the descriptor writes them (the cloud
 * reads them as it reads its own). Undefined when the plan has none of
 * these.
 *
 * @public
 */
export function planStackLimits(
  plans: ProductPlan[],
  planId: string,
): PlanStackLimits | undefined {
  const plan = plans.find(p => p.id === planId);
  const instances = plan?.limits?.instances;
  const memoryMb = memoryLimitMb(plan?.limits?.memory);
  const alerts = plan?.alerts;
  if (!plan || (instances === undefined && memoryMb === undefined && !alerts)) {
    return undefined;
  }
  const limits: PlanStackLimits = {};
  if (instances !== undefined) {
    const upgrade = cheapestPlanAllowing(
      plans,
      plan,
      'instances',
      instances + 1,
    );
    const more = upgrade?.limits?.instances;
    limits.instances = instances;
    limits.upgradeHint = upgrade
      ? `order the ${upgrade.title} plan, which allows ${
          more === undefined ? 'any number of' : more
        } instances`
      : `no plan of this product allows more than ${instances} instances`;
  }
  if (memoryMb !== undefined) {
    limits.memoryMb = memoryMb;
  }
  if (alerts) {
    limits.alerts = alerts;
  }
  return limits;
}
