import { validateStackSpec } from './validation';

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

  it.each([
    [{ roles: [] }, 'spec.roles: Array must contain at least 1 element'],
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
