import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  catalogEntityReadPermission,
  catalogLocationCreatePermission,
} from '@backstage/plugin-catalog-common/alpha';
import {
  cloudNodeOperatePermission,
  cloudStackReadPermission,
} from '@internal/plugin-cloud-common';
import { AccessRules } from './AccessRules';
import { readAccessConfig } from './readAccessConfig';

const USER = 'user:default/dana';
const WEB = 'group:default/team-web';
const subject = { userEntityRef: USER, claims: [USER, WEB] };

function rules(access: object) {
  return AccessRules.create(readAccessConfig(access));
}

describe('AccessRules', () => {
  it('denies what no statement allows, and says so', async () => {
    const decided = await rules({ bindings: [] }).decide(
      cloudStackReadPermission,
      subject,
    );
    expect(decided.decision).toEqual({ result: AuthorizeResult.DENY });
    expect(decided.statements).toEqual([]);
    expect(decided.reason).toBe(
      'No statement of the policies bound to the user allows cloud.stack.read',
    );
  });

  it('lets a deny win over any allow, naming the statement', async () => {
    const decided = await rules({
      policies: [
        {
          name: 'NoStacks',
          statements: [
            { effect: 'allow', permissions: ['catalog.entity.read'] },
            { effect: 'deny', resourceTypes: ['cloud-stack'] },
          ],
        },
      ],
      bindings: [
        { policy: 'AdministratorAccess', principals: [WEB] },
        { policy: 'NoStacks', principals: [USER] },
      ],
    }).decide(cloudNodeOperatePermission, subject);
    expect(decided.decision).toEqual({ result: AuthorizeResult.DENY });
    expect(decided.statements).toEqual([
      expect.objectContaining({
        policy: 'NoStacks',
        statement: 1,
        effect: 'deny',
      }),
    ]);
    expect(decided.reason).toBe('Denied by statement 2 of NoStacks');
  });

  it('turns conditions into a conditional decision with the caller put in, and a conditional deny into not', async () => {
    const decided = await rules({
      policies: [
        {
          name: 'Own',
          statements: [
            {
              effect: 'allow',
              actions: ['read'],
              conditions: {
                rule: 'IS_STACK_OWNER',
                params: { owners: '$claims' },
              },
            },
            {
              effect: 'deny',
              permissions: ['cloud.*'],
              conditions: {
                rule: 'IS_STACK_CREATOR',
                params: { users: ['user:default/mallory', '$user'] },
              },
            },
          ],
        },
      ],
      bindings: [{ policy: 'Own', principals: ['*'] }],
    }).decide(cloudStackReadPermission, subject);
    expect(decided.decision).toEqual({
      result: AuthorizeResult.CONDITIONAL,
      pluginId: 'cloud',
      resourceType: 'cloud-stack',
      conditions: {
        allOf: [
          {
            rule: 'IS_STACK_OWNER',
            resourceType: 'cloud-stack',
            params: { owners: [USER, WEB] },
          },
          {
            not: {
              rule: 'IS_STACK_CREATOR',
              resourceType: 'cloud-stack',
              params: { users: ['user:default/mallory', USER] },
            },
          },
        ],
      },
    });
    expect(decided.reason).toBe(
      'Allowed on the conditions of statement 1 of Own, statement 2 of Own',
    );
  });

  it('applies a condition only to permissions of its resource type', async () => {
    const own = rules({
      policies: [
        {
          name: 'Own',
          statements: [
            {
              effect: 'allow',
              permissions: ['*'],
              conditions: {
                rule: 'IS_STACK_OWNER',
                params: { owners: '$claims' },
              },
            },
          ],
        },
      ],
      bindings: [{ policy: 'Own', principals: [WEB] }],
    });
    expect(
      (await own.decide(catalogLocationCreatePermission, subject)).decision,
    ).toEqual({ result: AuthorizeResult.DENY });
    expect(
      (await own.decide(catalogEntityReadPermission, subject)).decision,
    ).toEqual({ result: AuthorizeResult.DENY });
  });

  it('binds to nobody else: another user gets nothing from a user binding', async () => {
    const mine = rules({
      bindings: [{ policy: 'AdministratorAccess', principals: [USER] }],
    });
    expect(
      (await mine.decide(cloudStackReadPermission, subject)).decision.result,
    ).toBe(AuthorizeResult.ALLOW);
    expect(
      (
        await mine.decide(cloudStackReadPermission, {
          userEntityRef: 'user:default/eve',
          claims: ['user:default/eve', WEB],
        })
      ).decision.result,
    ).toBe(AuthorizeResult.DENY);
    expect(mine.bindingsOf('AdministratorAccess')).toEqual([USER]);
  });

  it('evaluates the governed templates itself: none hidden allows, some hidden filters', async () => {
    const consumer = rules({
      bindings: [{ policy: 'StoreConsumer', principals: ['*'] }],
    });
    expect(
      (
        await consumer.decide(catalogEntityReadPermission, subject, {
          IS_GOVERNED_TEMPLATE: async () => false,
        })
      ).decision,
    ).toEqual({ result: AuthorizeResult.ALLOW });
    const hidden = {
      rule: 'HAS_METADATA',
      resourceType: 'catalog-entity',
      params: { key: 'name', value: 't' },
    };
    expect(
      (
        await consumer.decide(catalogEntityReadPermission, subject, {
          IS_GOVERNED_TEMPLATE: async () => hidden,
        })
      ).decision,
    ).toEqual({
      result: AuthorizeResult.CONDITIONAL,
      pluginId: 'catalog',
      resourceType: 'catalog-entity',
      conditions: { not: hidden },
    });
  });
});
