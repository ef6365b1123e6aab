import { CloudNode, StackDetails } from '@internal/plugin-cloud-common';
import { ProductPlan } from '@internal/plugin-store-common';
import { describeResizes, planStackResizes } from './stackResizes';

const price = { amount: '10.00', currency: 'USD', interval: 'month' as const };

const PLANS: ProductPlan[] = [
  { id: 'small', title: 'Small', price, limits: { instances: 1 } },
  {
    id: 'standard',
    title: 'Standard',
    price: { ...price, amount: '49.00' },
    limits: { instances: 2 },
    nodes: { app: 2 },
  },
  {
    id: 'enterprise',
    title: 'Enterprise',
    price: { ...price, amount: '999.00' },
    limits: { instances: 6, memory: '1Gi' },
    nodes: { app: 4, cache: 1 },
  },
  { id: 'unlimited', title: 'Unlimited', price },
];

/** A three-tier stack: the app nodes behind its load balancer count. */
function threeTier(app: number, running = app): StackDetails {
  const node = (role: string, i: number) =>
    ({ name: `${role}-${i}`, role, status: 'running' } as CloudNode);
  return {
    id: 'stack-1',
    name: 'shop',
    owner: 'group:default/web',
    provider: 'local',
    region: 'local',
    status: 'running',
    createdBy: 'user:default/dev',
    createdAt: '2026-01-01T00:00:00Z',
    spec: {
      roles: [
        { name: 'db', count: 1, runtime: 'node' },
        { name: 'app', count: app, runtime: 'node' },
        { name: 'lb', count: 1, runtime: 'load-balancer', balances: 'app' },
      ],
    },
    limits: { instances: 2 },
    nodes: [
      node('db', 1),
      ...Array.from({ length: running }, (_, i) => node('app', i + 1)),
      node('lb', 1),
    ],
  };
}

describe('planStackResizes', () => {
  it("gives a stack the plan's limits and scales the roles the plan sizes, those the stack has", () => {
    const { resizes, problems } = planStackResizes({
      stacks: [threeTier(2)],
      plans: PLANS,
      planId: 'enterprise',
    });
    expect(problems).toEqual([]);
    expect(resizes).toEqual([
      {
        stackId: 'stack-1',
        stackName: 'shop',
        fromLimits: { instances: 2 },
        toLimits: {
          instances: 6,
          memoryMb: 1024,
          upgradeHint:
            'order the Unlimited plan, which allows any number of instances',
        },
        roles: [{ role: 'app', from: 2, running: 2, to: 4 }],
      },
    ]);
    expect(describeResizes(resizes)).toEqual(['shop: app: 2 → 4 nodes']);
  });

  it('tells the nodes that run, and scales nothing that is at its count already', () => {
    const [down] = planStackResizes({
      stacks: [threeTier(4, 3)],
      plans: PLANS,
      planId: 'standard',
    }).resizes;
    expect(describeResizes([down])).toEqual(['shop: app: 3 → 2 nodes']);
    const [same] = planStackResizes({
      stacks: [threeTier(2)],
      plans: PLANS,
      planId: 'standard',
    }).resizes;
    expect(same.roles).toEqual([]);
  });

  it('lifts the limits for a plan without any, keeping the nodes', () => {
    const [resize] = planStackResizes({
      stacks: [threeTier(2)],
      plans: PLANS,
      planId: 'unlimited',
    }).resizes;
    expect(resize).toMatchObject({ toLimits: {}, roles: [] });
  });

  it('refuses a plan whose limit the stack would exceed by roles the plan does not size, saying what to scale down', () => {
    expect(
      planStackResizes({
        stacks: [threeTier(2)],
        plans: PLANS,
        planId: 'small',
      }),
    ).toEqual({
      resizes: [],
      problems: [
        "The Small plan allows at most 1 instances, and stack 'shop' runs 2 (app: 2); scale app down to 1 in all first",
      ],
    });
    // Within the limit, the plan fits without scaling anything.
    expect(
      planStackResizes({
        stacks: [threeTier(1)],
        plans: PLANS,
        planId: 'small',
      }).problems,
    ).toEqual([]);
  });
});
