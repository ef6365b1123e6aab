import { readAccessConfig } from './readAccessConfig';

const policy = (statement: object, name = 'Custom') => ({
  policies: [{ name, statements: [statement] }],
});

describe('readAccessConfig', () => {
  it('reads custom policies next to the managed ones, and normalises principals', () => {
    const config = readAccessConfig({
      policies: [
        {
          name: 'TeamStacks',
          description: 'Stacks of my groups',
          statements: [
            {
              effect: 'allow',
              permissions: ['cloud.stack.read', 'cloud.node.*'],
              conditions: {
                anyOf: [
                  { rule: 'IS_STACK_OWNER', params: { owners: '$claims' } },
                  {
                    not: {
                      rule: 'IS_STACK_CREATOR',
                      params: { users: ['$user'] },
                    },
                  },
                ],
              },
            },
          ],
        },
      ],
      bindings: [
        {
          policy: 'TeamStacks',
          principals: ['Group:Default/Team-Web', 'user:x', '*'],
        },
      ],
    });
    expect(config.policies.at(-1)).toMatchObject({
      name: 'TeamStacks',
      type: 'custom',
      description: 'Stacks of my groups',
    });
    expect(config.policies.filter(p => p.type === 'managed')).toHaveLength(17);
    expect(config.bindings).toEqual([
      {
        policy: 'TeamStacks',
        principals: ['group:default/team-web', 'user:default/x', '*'],
      },
    ]);
  });

  it('makes every signed-in user a store consumer when no bindings are given, and nobody anything when they are empty', () => {
    expect(readAccessConfig(undefined).bindings).toEqual([
      { policy: 'StoreConsumer', principals: ['*'] },
    ]);
    expect(readAccessConfig({ bindings: [] }).bindings).toEqual([]);
  });

  it.each([
    [
      'an unknown permission',
      policy({ effect: 'allow', permissions: ['cloud.stack.reed'] }),
      "policy 'Custom'.statements[0].permissions[0]: unknown permission 'cloud.stack.reed'",
    ],
    [
      'a prefix that matches nothing',
      policy({ effect: 'allow', permissions: ['nothing.*'] }),
      "unknown permission 'nothing.*'",
    ],
    [
      'an unknown effect',
      policy({ effect: 'permit', permissions: ['cloud.stack.read'] }),
      "policy 'Custom'.statements[0].effect: must be 'allow' or 'deny'",
    ],
    [
      'a statement that names nothing',
      policy({ effect: 'allow' }),
      "policy 'Custom'.statements[0]: must name permissions, resourceTypes or actions",
    ],
    [
      'an unknown action',
      policy({ effect: 'allow', actions: ['write'] }),
      "policy 'Custom'.statements[0].actions[0]: unknown action 'write'",
    ],
    [
      'an unknown resource type',
      policy({ effect: 'allow', resourceTypes: ['cloud-stacks'] }),
      "unknown resource type 'cloud-stacks'",
    ],
    [
      'an unknown rule',
      policy({
        effect: 'allow',
        permissions: ['cloud.stack.read'],
        conditions: { rule: 'IS_OWNER' },
      }),
      "policy 'Custom'.statements[0].conditions.rule: unknown permission rule 'IS_OWNER'",
    ],
    [
      'a parameter the rule does not have',
      policy({
        effect: 'allow',
        permissions: ['cloud.stack.read'],
        conditions: { rule: 'IS_STACK_OWNER', params: { groups: ['x'] } },
      }),
      "conditions.params.groups: rule IS_STACK_OWNER has no parameter 'groups' (it has: owners)",
    ],
    [
      'an unknown placeholder',
      policy({
        effect: 'allow',
        permissions: ['cloud.stack.read'],
        conditions: { rule: 'IS_STACK_OWNER', params: { owners: ['$groups'] } },
      }),
      "unknown placeholder '$groups'",
    ],
    [
      'a malformed combination',
      policy({
        effect: 'allow',
        permissions: ['cloud.stack.read'],
        conditions: { anyOf: [] },
      }),
      'conditions: anyOf must be the only key, with a non-empty list',
    ],
    [
      'rules of two resource types in one condition',
      policy({
        effect: 'allow',
        permissions: ['cloud.stack.read'],
        conditions: {
          allOf: [
            { rule: 'IS_STACK_OWNER', params: { owners: '$claims' } },
            { rule: 'IS_ORDER_REQUESTER', params: { claims: ['$user'] } },
          ],
        },
      }),
      'mixes rules of resource types cloud-stack, store-order',
    ],
    [
      'the name of a managed policy',
      policy({ effect: 'allow', permissions: ['*'] }, 'ReadOnlyAccess'),
      "policy 'ReadOnlyAccess': has the name of a managed policy",
    ],
    [
      'a binding to an unknown policy',
      { bindings: [{ policy: 'ReadOnly', principals: ['group:default/x'] }] },
      "binding of 'ReadOnly'.policy: unknown policy 'ReadOnly'",
    ],
    [
      'a binding to something that is not a user or group',
      {
        bindings: [
          { policy: 'ReadOnlyAccess', principals: ['component:default/x'] },
        ],
      },
      "binding of 'ReadOnlyAccess'.principals[0]: 'component:default/x' is not a user or group entity ref",
    ],
  ])('refuses %s, naming the policy and the field', (_, access, message) => {
    expect(() => readAccessConfig(access)).toThrow(message);
  });

  it('names every problem at once', () => {
    expect(() =>
      readAccessConfig({
        policies: [
          { name: 'A', statements: [{ effect: 'allow', permissions: ['x'] }] },
          { name: 'B', statements: [{ effect: 'deny', actions: ['y'] }] },
        ],
      }),
    ).toThrow(/policy 'A'.*; policy 'B'/);
  });
});
