import {
  findPlanLimitViolation,
  isNumericPlanLimit,
  memoryLimitMb,
  planStackLimits,
} from './planLimits';
import { ProductPlan } from './types';

function plan(
  id: string,
  amount: string,
  instances?: number,
  currency = 'USD',
): ProductPlan {
  return {
    id,
    title: id[0].toUpperCase() + id.slice(1),
    price: { amount, currency, interval: 'month' },
    ...(instances === undefined ? {} : { limits: { instances } }),
  };
}

const plans = [
  plan('standard', '89.00', 2),
  plan('enterprise', '999.00', 10),
  plan('business', '300.00', 6),
];

describe('findPlanLimitViolation', () => {
  const limitParameters = { instances: 'appNodes' };

  it('accepts a value within the plan', () => {
    expect(
      findPlanLimitViolation({
        plans,
        limitParameters,
        planId: 'standard',
        parameters: { appNodes: 2 },
      }),
    ).toBeUndefined();
  });

  it('names the limit, the plan, the value and the cheapest plan that allows it', () => {
    const violation = findPlanLimitViolation({
      plans,
      limitParameters,
      planId: 'standard',
      parameters: { appNodes: 5 },
    });
    expect(violation).toMatchObject({
      limit: 'instances',
      parameter: 'appNodes',
      value: 5,
      allowed: 2,
      plan: { id: 'standard' },
      upgrade: { id: 'business' },
    });
    expect(violation?.message).toBe(
      'The Standard plan allows at most 2 instances (appNodes is 5); the Business plan allows 6',
    );
  });

  it('skips plans that do not allow the value when looking for an upgrade', () => {
    const violation = findPlanLimitViolation({
      plans,
      limitParameters,
      planId: 'standard',
      parameters: { appNodes: 8 },
    });
    expect(violation?.upgrade?.id).toBe('enterprise');
  });

  it('offers a plan without the limit as allowing any number', () => {
    const violation = findPlanLimitViolation({
      plans: [plan('small', '10.00', 1), plan('unlimited', '50.00')],
      limitParameters,
      planId: 'small',
      parameters: { appNodes: 3 },
    });
    expect(violation?.message).toBe(
      'The Small plan allows at most 1 instances (appNodes is 3); the Unlimited plan allows any number of instances',
    );
  });

  it('says when no plan allows the value', () => {
    const violation = findPlanLimitViolation({
      plans,
      limitParameters,
      planId: 'business',
      parameters: { appNodes: '12' },
    });
    expect(violation?.value).toBe(12);
    expect(violation?.upgrade).toBeUndefined();
    expect(violation?.message).toBe(
      'The Business plan allows at most 6 instances (appNodes is 12); no plan of this product allows that many instances',
    );
  });

  it('prefers plans in the same currency', () => {
    const violation = findPlanLimitViolation({
      plans: [
        plan('basic', '10.00', 1),
        plan('cheap', '1.00', 5, 'JPY'),
        plan('pro', '20.00', 5),
      ],
      limitParameters,
      planId: 'basic',
      parameters: { appNodes: 3 },
    });
    expect(violation?.upgrade?.id).toBe('pro');
  });

  it('ignores products without limit parameters, unknown plans and non-numbers', () => {
    expect(
      findPlanLimitViolation({
        plans,
        planId: 'standard',
        parameters: { appNodes: 5 },
      }),
    ).toBeUndefined();
    expect(
      findPlanLimitViolation({
        plans,
        limitParameters,
        planId: 'nope',
        parameters: { appNodes: 5 },
      }),
    ).toBeUndefined();
    expect(
      findPlanLimitViolation({
        plans,
        limitParameters,
        planId: 'standard',
        parameters: { appNodes: 'many' },
      }),
    ).toBeUndefined();
  });
});

describe('isNumericPlanLimit', () => {
  it('knows the limits that can govern a parameter', () => {
    expect(isNumericPlanLimit('instances')).toBe(true);
    expect(isNumericPlanLimit('cpu')).toBe(false);
    expect(isNumericPlanLimit('nodes')).toBe(false);
  });
});

describe('planStackLimits', () => {
  it("carries the plan's instances and names the cheapest plan that allows more", () => {
    expect(planStackLimits(plans, 'standard')).toEqual({
      instances: 2,
      upgradeHint: 'order the Business plan, which allows 6 instances',
    });
    expect(planStackLimits(plans, 'enterprise')).toEqual({
      instances: 10,
      upgradeHint: 'no plan of this product allows more than 10 instances',
    });
  });

  it('is undefined for plans that limit neither instances nor memory', () => {
    expect(planStackLimits([plan('free', '0.00')], 'free')).toBeUndefined();
    expect(planStackLimits(plans, 'nope')).toBeUndefined();
  });

  it("carries the memory of a node in MiB, the plan's alone too", () => {
    const sized: ProductPlan = {
      ...plan('sized', '10.00', 2),
      limits: { instances: 2, memory: '4Gi' },
    };
    expect(planStackLimits([sized], 'sized')).toEqual({
      instances: 2,
      upgradeHint: 'no plan of this product allows more than 2 instances',
      memoryMb: 4096,
    });
    expect(
      planStackLimits(
        [{ ...plan('small', '0.00'), limits: { memory: '512Mi' } }],
        'small',
      ),
    ).toEqual({ memoryMb: 512 });
  });
});

describe('planStackLimits with alert rules', () => {
  const alerts = {
    cpu: { percent: 80, for: '10m' },
    memory: false as const,
    notReporting: { for: { minutes: 5 } },
  };

  it("carries the plan's alert rules as written, beside its limits", () => {
    expect(
      planStackLimits(
        [{ ...plan('watched', '10.00'), limits: { memory: '1Gi' }, alerts }],
        'watched',
      ),
    ).toEqual({ memoryMb: 1024, alerts });
  });

  it('carries alert rules of a plan that limits nothing', () => {
    expect(
      planStackLimits([{ ...plan('free', '0.00'), alerts }], 'free'),
    ).toEqual({ alerts });
  });

  it('carries no alert rules for a plan without them', () => {
    expect(planStackLimits(plans, 'standard')).not.toHaveProperty('alerts');
  });
});

describe('memoryLimitMb', () => {
  it.each([
    ['512Mi', 512],
    ['4Gi', 4096],
    ['1Ti', 1024 * 1024],
    ['1G', 953],
    ['1048576', 1],
    ['2048Ki', 2],
  ])('reads %s as %d MiB', (quantity, mb) => {
    expect(memoryLimitMb(quantity)).toBe(mb);
  });

  it.each([undefined, '', 'lots', '4 GB', '-1Gi', '100'])(
    'reads %p as no limit',
    quantity => {
      expect(memoryLimitMb(quantity)).toBeUndefined();
    },
  );
});
