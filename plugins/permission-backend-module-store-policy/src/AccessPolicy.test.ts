import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import {
  AuthorizeResult,
  Permission,
} from '@backstage/plugin-permission-common';
import {
  storeBillingManagePermission,
  storeBillingReadPermission,
  storeOrderReadPermission,
  storeProductReadPermission,
  storeSubscriptionManagePermission,
  storeSubscriptionReadPermission,
} from '@internal/plugin-store-common';
import {
  catalogEntityDeletePermission,
  catalogEntityReadPermission,
} from '@backstage/plugin-catalog-common/alpha';
import {
  cloudCommandUsePermission,
  cloudMetricsReadPermission,
  cloudNodeOperatePermission,
  cloudNodeScriptRunPermission,
  cloudStackCreatePermission,
  cloudStackDeletePermission,
  cloudStackLimitsManagePermission,
  cloudStackOwnerAssignPermission,
  cloudStackReadPermission,
  cloudUsageReadPermission,
} from '@internal/plugin-cloud-common';
import { auditLogReadPermission } from '@internal/plugin-audit-common';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { Entity } from '@backstage/catalog-model';
import { GroupAncestryResolver } from '@internal/plugin-catalog-node-groups';
import { AccessPolicy } from './AccessPolicy';
import { CatalogPrincipals } from './service/CatalogPrincipals';
import { RootConfigService } from '@backstage/backend-plugin-api';
import { policyUser } from './__testUtils__/users';

const group = (name: string, parent?: string): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Group',
  metadata: { name, namespace: 'default' },
  spec: { type: 'team', children: [], ...(parent ? { parent } : {}) },
});

const { ALLOW, DENY, CONDITIONAL } = AuthorizeResult;
const ADMIN = 'user:default/platform-admin';
/** In a group nested in the admin group. */
const INTERN = 'user:default/platform-intern';
const PUBLISHER = 'user:default/publisher';
const DEVELOPER = 'user:default/developer';
const DATA_SCIENTIST = 'user:default/data-scientist';
/** The data scientist and the groups above team-data. */
const DATA_SCIENTIST_CLAIMS = [
  DATA_SCIENTIST,
  'group:default/team-data',
  'group:default/developers',
  'group:default/engineering',
  'group:default/acme',
];
/** A request that carries no user: a backend plugin acting as itself. */
const SERVICE = undefined;

/** A policy for one user in one group, with the given configuration. */
function policyOfOne(config: ConfigReader, user: string, groupName: string) {
  return AccessPolicy.create({
    config,
    logger: mockServices.logger.mock(),
    userInfo: mockServices.userInfo.mock({
      getUserInfo: async () => ({
        userEntityRef: user,
        ownershipEntityRefs: [`group:default/${groupName}`],
      }),
    }),
    groups: GroupAncestryResolver.create({
      catalog: catalogServiceMock({ entities: [group(groupName)] }),
      auth: mockServices.auth(),
      logger: mockServices.logger.mock(),
    }),
  });
}

/** The demo's bindings: admins, publishers and everybody else. */
const DEMO_BINDINGS = [
  {
    policy: 'AdministratorAccess',
    principals: ['group:default/platform-admins'],
  },
  { policy: 'StorePublisher', principals: ['group:default/store-publishers'] },
  { policy: 'StoreConsumer', principals: ['*'] },
  { policy: 'StoreApprover', principals: ['*'] },
];

describe('AccessPolicy', () => {
  const userInfo = mockServices.userInfo.mock({
    getUserInfo: async credentials => {
      const ref = (credentials.principal as { userEntityRef: string })
        .userEntityRef;
      return {
        userEntityRef: ref,
        ownershipEntityRefs: [
          ref,
          {
            [ADMIN]: 'group:default/platform-admins',
            [PUBLISHER]: 'group:default/store-publishers',
            [DATA_SCIENTIST]: 'group:default/team-data',
            [INTERN]: 'group:default/platform-interns',
          }[ref] ?? 'group:default/developers',
        ],
      };
    },
  });
  const policy = AccessPolicy.create({
    config: new ConfigReader({
      cloudStore: { access: { bindings: DEMO_BINDINGS } },
    }),
    logger: mockServices.logger.mock(),
    userInfo,
    groups: GroupAncestryResolver.create({
      catalog: catalogServiceMock({
        entities: [
          group('acme'),
          group('engineering', 'acme'),
          group('developers', 'engineering'),
          group('team-data', 'developers'),
          group('platform-admins', 'acme'),
          group('platform-interns', 'platform-admins'),
          group('store-publishers', 'acme'),
        ],
      }),
      auth: mockServices.auth(),
      logger: mockServices.logger.mock(),
    }),
  });
  const decide = (permission: Permission, user: string | undefined) =>
    policy.handle({ permission }, user ? policyUser(user) : undefined);

  it.each`
    user              | permission                           | result   | rule
    ${ADMIN}          | ${catalogEntityDeletePermission}     | ${ALLOW} | ${'admins delete catalog entities'}
    ${DEVELOPER}      | ${catalogEntityDeletePermission}     | ${DENY}  | ${'consumers do not delete catalog entities'}
    ${PUBLISHER}      | ${catalogEntityDeletePermission}     | ${DENY}  | ${'publishers have no admin rights over the catalog'}
    ${INTERN}         | ${catalogEntityDeletePermission}     | ${ALLOW} | ${'members of groups nested in an admin group are admins'}
    ${DEVELOPER}      | ${catalogEntityReadPermission}       | ${ALLOW} | ${'signed-in users have the ordinary permissions'}
    ${ADMIN}          | ${storeOrderReadPermission}          | ${ALLOW} | ${'admins read every order'}
    ${ADMIN}          | ${storeSubscriptionReadPermission}   | ${ALLOW} | ${'admins read every subscription'}
    ${ADMIN}          | ${storeSubscriptionManagePermission} | ${ALLOW} | ${'admins manage every subscription'}
    ${ADMIN}          | ${storeBillingReadPermission}        | ${ALLOW} | ${'admins read all billing'}
    ${ADMIN}          | ${storeProductReadPermission}        | ${ALLOW} | ${'admins see every product'}
    ${ADMIN}          | ${storeBillingManagePermission}      | ${ALLOW} | ${'admins run invoices and credit them'}
    ${DEVELOPER}      | ${storeBillingManagePermission}      | ${DENY}  | ${'consumers do not run invoices'}
    ${PUBLISHER}      | ${storeProductReadPermission}        | ${ALLOW} | ${'publishers see every product, drafts included'}
    ${DEVELOPER}      | ${cloudStackCreatePermission}        | ${ALLOW} | ${'users deploy'}
    ${DEVELOPER}      | ${cloudUsageReadPermission}          | ${DENY}  | ${'only admins read usage records'}
    ${ADMIN}          | ${cloudUsageReadPermission}          | ${ALLOW} | ${'admins read usage records'}
    ${ADMIN}          | ${cloudNodeScriptRunPermission}      | ${ALLOW} | ${'admins run scripts on any stack'}
    ${ADMIN}          | ${cloudStackDeletePermission}        | ${ALLOW} | ${'admins delete any stack'}
    ${DEVELOPER}      | ${cloudCommandUsePermission}         | ${DENY}  | ${'only admins run raw commands'}
    ${ADMIN}          | ${cloudCommandUsePermission}         | ${ALLOW} | ${'admins run raw commands'}
    ${INTERN}         | ${cloudCommandUsePermission}         | ${ALLOW} | ${'nested admins run raw commands'}
    ${SERVICE}        | ${cloudCommandUsePermission}         | ${ALLOW} | ${'the store and the scaffolder run raw commands'}
    ${DEVELOPER}      | ${cloudStackOwnerAssignPermission}   | ${DENY}  | ${'only admins give stacks to any group'}
    ${ADMIN}          | ${cloudStackOwnerAssignPermission}   | ${ALLOW} | ${'admins give stacks to any group'}
    ${INTERN}         | ${cloudStackOwnerAssignPermission}   | ${ALLOW} | ${'nested admins give stacks to any group'}
    ${SERVICE}        | ${cloudStackOwnerAssignPermission}   | ${ALLOW} | ${'the store and the scaffolder give stacks to any group'}
    ${DEVELOPER}      | ${cloudStackLimitsManagePermission}  | ${DENY}  | ${'users cannot raise the limits of their own stacks'}
    ${ADMIN}          | ${cloudStackLimitsManagePermission}  | ${ALLOW} | ${'admins replace the limits of stacks'}
    ${SERVICE}        | ${cloudStackLimitsManagePermission}  | ${ALLOW} | ${'the store sets the limits of a changed plan'}
    ${DEVELOPER}      | ${cloudMetricsReadPermission}        | ${DENY}  | ${"only admins read every node's metrics"}
    ${PUBLISHER}      | ${cloudMetricsReadPermission}        | ${DENY}  | ${"publishers do not read every node's metrics"}
    ${DATA_SCIENTIST} | ${cloudMetricsReadPermission}        | ${DENY}  | ${"members of nested teams do not read every node's metrics"}
    ${ADMIN}          | ${cloudMetricsReadPermission}        | ${ALLOW} | ${"admins read every node's metrics"}
    ${INTERN}         | ${cloudMetricsReadPermission}        | ${ALLOW} | ${"nested admins read every node's metrics"}
    ${SERVICE}        | ${cloudMetricsReadPermission}        | ${ALLOW} | ${"services read every node's metrics"}
    ${ADMIN}          | ${auditLogReadPermission}            | ${ALLOW} | ${'admins read the audit log'}
    ${INTERN}         | ${auditLogReadPermission}            | ${ALLOW} | ${'nested admins read the audit log'}
    ${DEVELOPER}      | ${auditLogReadPermission}            | ${DENY}  | ${'only admins read the audit log'}
    ${PUBLISHER}      | ${auditLogReadPermission}            | ${DENY}  | ${'publishers do not read the audit log'}
  `(
    '$rule ($permission.name: $result)',
    async ({
      user,
      permission,
      result,
    }: {
      user?: string;
      permission: Permission;
      result: AuthorizeResult;
    }) => {
      expect(await decide(permission, user)).toEqual({ result });
    },
  );

  it('reads the bindings from config, case-insensitively', async () => {
    const other = policyOfOne(
      new ConfigReader({
        cloudStore: {
          access: {
            bindings: [
              {
                policy: 'AdministratorAccess',
                principals: ['Group:default/Finance'],
              },
            ],
          },
        },
      }),
      'user:default/finance',
      'finance',
    );
    const decision = await other.handle(
      { permission: catalogEntityDeletePermission },
      policyUser('user:default/finance'),
    );
    expect(decision).toEqual({ result: ALLOW });
  });

  it('lets the finance groups read all billing, but not manage subscriptions', async () => {
    const finance = policyOfOne(
      new ConfigReader({
        cloudStore: {
          access: {
            bindings: [
              { policy: 'StoreConsumer', principals: ['*'] },
              {
                policy: 'BillingReadOnlyAccess',
                principals: ['group:default/finance'],
              },
            ],
          },
        },
      }),
      'user:default/controller',
      'finance',
    );
    const controller = policyUser('user:default/controller');
    expect(
      await finance.handle(
        { permission: storeBillingReadPermission },
        controller,
      ),
    ).toEqual({ result: ALLOW });
    expect(
      await finance.handle(
        { permission: storeSubscriptionManagePermission },
        controller,
      ),
    ).toMatchObject({ result: CONDITIONAL });
  });

  it('shows users their own orders and those their groups approve', async () => {
    expect(await decide(storeOrderReadPermission, DATA_SCIENTIST)).toEqual({
      result: CONDITIONAL,
      pluginId: 'store',
      resourceType: 'store-order',
      conditions: {
        anyOf: [
          {
            rule: 'IS_ORDER_REQUESTER',
            resourceType: 'store-order',
            params: { claims: [DATA_SCIENTIST] },
          },
          {
            rule: 'IS_ORDER_APPROVER',
            resourceType: 'store-order',
            params: { claims: DATA_SCIENTIST_CLAIMS },
          },
        ],
      },
    });
  });

  it.each`
    permission
    ${storeSubscriptionReadPermission}
    ${storeSubscriptionManagePermission}
    ${storeBillingReadPermission}
  `(
    'lets members have $permission.name on the subscriptions and billing of their groups only',
    async ({ permission }: { permission: Permission }) => {
      expect(await decide(permission, DATA_SCIENTIST)).toEqual({
        result: CONDITIONAL,
        pluginId: 'store',
        resourceType: 'store-subscription',
        conditions: {
          rule: 'IS_SUBSCRIPTION_OWNER',
          resourceType: 'store-subscription',
          params: { claims: DATA_SCIENTIST_CLAIMS },
        },
      });
    },
  );

  it.each`
    permission
    ${cloudStackReadPermission}
    ${cloudNodeOperatePermission}
    ${cloudStackDeletePermission}
  `(
    'lets members have $permission.name on the stacks of their groups and those they created',
    async ({ permission }: { permission: Permission }) => {
      expect(await decide(permission, DATA_SCIENTIST)).toEqual({
        result: CONDITIONAL,
        pluginId: 'cloud',
        resourceType: 'cloud-stack',
        conditions: {
          anyOf: [
            {
              rule: 'IS_STACK_OWNER',
              resourceType: 'cloud-stack',
              params: { owners: DATA_SCIENTIST_CLAIMS },
            },
            {
              rule: 'IS_STACK_CREATOR',
              resourceType: 'cloud-stack',
              params: { users: [DATA_SCIENTIST] },
            },
          ],
        },
      });
    },
  );

  it('lets users run scripts only on stacks they created', async () => {
    expect(await decide(cloudNodeScriptRunPermission, DEVELOPER)).toEqual({
      result: CONDITIONAL,
      pluginId: 'cloud',
      resourceType: 'cloud-stack',
      conditions: {
        rule: 'IS_STACK_CREATOR',
        resourceType: 'cloud-stack',
        params: { users: [DEVELOPER] },
      },
    });
  });

  it('shows consumers the products meant for them', async () => {
    const claims = [
      DEVELOPER,
      'group:default/developers',
      'group:default/engineering',
      'group:default/acme',
    ];
    expect(await decide(storeProductReadPermission, DEVELOPER)).toEqual({
      result: CONDITIONAL,
      pluginId: 'store',
      resourceType: 'store-product',
      conditions: {
        anyOf: [
          {
            allOf: [
              {
                rule: 'HAS_LIFECYCLE',
                resourceType: 'store-product',
                params: { lifecycles: ['published'] },
              },
              {
                rule: 'IS_IN_AUDIENCE',
                resourceType: 'store-product',
                params: { claims },
              },
            ],
          },
          {
            allOf: [
              {
                rule: 'HAS_LIFECYCLE',
                resourceType: 'store-product',
                params: { lifecycles: ['deprecated'] },
              },
              {
                rule: 'IS_SUBSCRIBER',
                resourceType: 'store-product',
                params: { claims },
              },
            ],
          },
          {
            rule: 'IS_PRODUCT_OWNER',
            resourceType: 'store-product',
            params: { claims },
          },
        ],
      },
    });
  });

  it('shows members of child groups the products of the parent groups', async () => {
    const decision = await decide(storeProductReadPermission, DATA_SCIENTIST);
    expect(decision).toMatchObject({ result: CONDITIONAL });
    expect(JSON.stringify(decision)).toContain(
      JSON.stringify({ claims: DATA_SCIENTIST_CLAIMS }),
    );
  });

  it('applies a changed config without a restart, and refuses one that is wrong or binds a missing group', async () => {
    let access: object = {
      bindings: [{ policy: 'StoreConsumer', principals: ['*'] }],
    };
    const listeners: Array<() => unknown> = [];
    const config = {
      getOptional: (key: string) =>
        new ConfigReader({ cloudStore: { access } }).getOptional(key),
      subscribe: (listener: () => unknown) => {
        listeners.push(listener);
        return { unsubscribe: () => {} };
      },
    } as unknown as RootConfigService;
    const catalog = catalogServiceMock({
      entities: [group('developers'), group('finance')],
    });
    const logger = mockServices.logger.mock();
    const onChange = jest.fn();
    const changing = AccessPolicy.create({
      config,
      logger,
      onChange,
      userInfo,
      groups: GroupAncestryResolver.create({
        catalog,
        auth: mockServices.auth(),
        logger,
      }),
      principals: CatalogPrincipals.create({
        catalog,
        auth: mockServices.auth(),
      }),
    });
    const change = async (next: object) => {
      access = next;
      await Promise.all(listeners.map(listener => listener()));
    };
    const usage = async () =>
      (
        await changing.handle(
          { permission: cloudUsageReadPermission },
          policyUser(DEVELOPER),
        )
      ).result;
    expect(await usage()).toBe(DENY);

    const granted = {
      bindings: [
        { policy: 'StoreConsumer', principals: ['*'] },
        {
          policy: 'UsageRecordReadOnlyAccess',
          principals: ['group:default/developers'],
        },
      ],
    };
    await change(granted);
    expect(await usage()).toBe(ALLOW);
    // Kept decisions of the previous policies are dropped.
    expect(onChange).toHaveBeenCalledTimes(1);

    await change({
      bindings: [{ policy: 'UsageRecordReadOnly', principals: ['*'] }],
    });
    expect(await usage()).toBe(ALLOW);
    expect(onChange).toHaveBeenCalledTimes(1);
    expect(logger.error).toHaveBeenLastCalledWith(
      expect.stringContaining(
        "binding of 'UsageRecordReadOnly'.policy: unknown policy 'UsageRecordReadOnly'",
      ),
    );

    await change({
      bindings: [
        {
          policy: 'UsageRecordReadOnlyAccess',
          principals: ['group:default/ghosts'],
        },
      ],
    });
    expect(await usage()).toBe(ALLOW);
    expect(logger.error).toHaveBeenLastCalledWith(
      expect.stringContaining(
        "binding of 'UsageRecordReadOnlyAccess'.principals: 'group:default/ghosts' is not in the catalog",
      ),
    );

    await change({ bindings: [] });
    expect(await usage()).toBe(DENY);
  });

  it('refuses to start with a bad policy, naming the policy and the field', () => {
    expect(() =>
      AccessPolicy.create({
        config: new ConfigReader({
          cloudStore: {
            access: {
              policies: [
                {
                  name: 'Typo',
                  statements: [
                    { effect: 'allow', permissions: ['cloud.stacks.read'] },
                  ],
                },
              ],
            },
          },
        }),
        logger: mockServices.logger.mock(),
        userInfo,
        groups: GroupAncestryResolver.create({
          catalog: catalogServiceMock({ entities: [] }),
          auth: mockServices.auth(),
          logger: mockServices.logger.mock(),
        }),
      }),
    ).toThrow(
      "Invalid access policy in cloudStore.access: policy 'Typo'.statements[0].permissions[0]: unknown permission 'cloud.stacks.read'",
    );
  });
});
