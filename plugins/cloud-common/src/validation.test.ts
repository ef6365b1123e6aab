import {
  countInstances,
  stackLimitProblem,
  validateStackSpec,
} from './validation';

const limits = { maxNodesPerRole: 5 };

describe('validateStackSpec', () => {
  it('accepts a 3-tier spec', () => {
    expect(
      validateStackSpec(
        {
          roles: [
            { name: 'db', count: 1, runtime: 'node', entry: 'db.js' },
            { name: 'app', count: 2, command: ['node', 'app.js'] },
            { name: 'lb', runtime: 'load-balancer', count: 1, balances: 'app' },
          ],
        },
        limits,
      ),
    ).toEqual([]);
  });

  it('accepts the roles of a stack made by a template', () => {
    expect(
      validateStackSpec(
        {
          roles: [{ name: 'app', count: 2 }],
          template: {
            format: 'hot',
            body: 'heat_template_version: 2021-04-16',
            parameters: { app_count: 2, flavor: 'small', debug: false },
          },
        },
        limits,
      ),
    ).toEqual([]);
  });

  it.each([
    [{ roles: [] }, 'spec.roles: Array must contain at least 1 element'],
    [
      {
        roles: [{ name: 'app', count: 1, runtime: 'node' }],
        template: { format: 'hot', body: 'x' },
      },
      'names no runtime or command',
    ],
    [
      { roles: [{ name: 'app', count: 1 }], template: { format: 'cfn' } },
      'spec.template.format',
    ],
    [{ roles: [{ name: 'app', count: 1 }] }, 'a runtime or give a command'],
    [
      { roles: [{ name: 'app', count: 1, runtime: 'node', command: ['x'] }] },
      'not both',
    ],
    [
      { roles: [{ name: 'app', count: 1, runtime: 'node', entry: '/etc/x' }] },
      'entry',
    ],
    [
      { roles: [{ name: 'lb', runtime: 'load-balancer', count: 1 }] },
      'balances',
    ],
    [
      {
        roles: [
          { name: 'app', count: 1, command: ['node'] },
          { name: 'app', count: 1, command: ['node'] },
        ],
      },
      'duplicate role',
    ],
    [{ roles: [{ name: 'a', count: 6, command: ['x'] }] }, 'from 0 to 5'],
    [
      { roles: [{ name: 'a', count: -1, command: ['x'] }] },
      'spec.roles.0.count: Number must be greater than or equal to 0',
    ],
    [
      { roles: [{ name: 'App', count: 1, command: ['x'] }] },
      'spec.roles.0.name',
    ],
    [{ roles: [{ name: 'a', count: 1, command: [] }] }, 'spec.roles.0.command'],
    [
      {
        roles: [
          { name: 'lb', runtime: 'load-balancer', count: 1, balances: 'x' },
        ],
      },
      'not a role of nodes to balance',
    ],
    [
      {
        roles: [{ name: 'a', count: 1, command: ['x'], files: { '../e': '' } }],
      },
      'relative path',
    ],
  ])('rejects %j', (spec, message) => {
    expect(validateStackSpec(spec as any, limits).join('\n')).toContain(
      message,
    );
  });
});

describe('stack limits', () => {
  const spec = {
    roles: [
      { name: 'db', count: 1, runtime: 'node' },
      { name: 'app', count: 4, runtime: 'node' },
      { name: 'lb', runtime: 'load-balancer', count: 1, balances: 'app' },
    ],
  };

  it('counts the nodes behind the load balancer, or every node without one', () => {
    expect(countInstances(spec)).toBe(4);
    expect(countInstances({ roles: spec.roles.slice(0, 2) })).toBe(5);
  });

  it('accepts a spec within the limit, or without one', () => {
    expect(stackLimitProblem(spec, { instances: 4 })).toBeUndefined();
    expect(stackLimitProblem(spec, { upgradeHint: 'x' })).toBeUndefined();
    expect(stackLimitProblem(spec, undefined)).toBeUndefined();
  });

  it('names the limit, the count and the way to more', () => {
    expect(
      stackLimitProblem(spec, {
        instances: 2,
        upgradeHint: 'order the Enterprise plan, which allows 6 instances',
      }),
    ).toBe(
      "The stack's plan allows at most 2 instances, and this would make 4 (app: 4). The limit is the plan's and binds administrators too; order the Enterprise plan, which allows 6 instances",
    );
  });

  it('counts the balanced role of a stack made by a template', () => {
    const fromTemplate = {
      template: {
        format: 'hot' as const,
        body: 'heat_template_version: 2021-04-16',
      },
      roles: [
        { name: 'db', count: 1 },
        { name: 'app', count: 2 },
        { name: 'lb', count: 1, balances: 'app' },
      ],
    };
    expect(stackLimitProblem(fromTemplate, { instances: 2 })).toBeUndefined();
    expect(stackLimitProblem(fromTemplate, { instances: 1 })).toBe(
      "The stack's plan allows at most 1 instances, and this would make 2 (app: 2). The limit is the plan's and binds administrators too",
    );
  });
});
