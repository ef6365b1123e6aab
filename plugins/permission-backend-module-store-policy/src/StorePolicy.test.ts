import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import {
  AuthorizeResult,
  createPermission,
} from '@backstage/plugin-permission-common';
import {
  storeBillingReadPermission,
  storeOrderReadPermission,
  storeProductReadPermission,
  storeSubscriptionManagePermission,
  storeSubscriptionReadPermission,
} from '@internal/plugin-store-common';
import { catalogEntityDeletePermission } from '@backstage/plugin-catalog-common/alpha';
import {
  cloudCommandUsePermission,
  cloudMetricsReadPermission,
  cloudNodeOperatePermission,
  cloudNodeScriptRunPermission,
  cloudStackCreatePermission,
  cloudStackDeletePermission,
  cloudStackOwnerAssignPermission,
  cloudStackReadPermission,
  cloudUsageReadPermission,
} from '@internal/plugin-cloud-common';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { Entity } from '@backstage/catalog-model';
import { GroupAncestryResolver } from '@internal/plugin-catalog-node-groups';
import { StorePolicy } from './StorePolicy';

const group = (name: string, parent?: string): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Group',
  metadata: { name, namespace: 'default' },
  spec: { type: 'team', children: [], ...(parent ? { parent } : {}) },
});

describe('StorePolicy', () => {
  const userInfo = mockServices.userInfo.mock({
    getUserInfo: async credentials => {
      const ref = (credentials.principal as { userEntityRef: string })
        .userEntityRef;
      return {
        userEntityRef: ref,
        ownershipEntityRefs: [
          ref,
          {
            'user:default/platform-admin': 'group:default/platform-admins',
            'user:default/publisher': 'group:default/store-publishers',
            'user:default/data-scientist': 'group:default/team-data',
            'user:default/platform-intern': 'group:default/platform-interns',
          }[ref] ?? 'group:default/developers',
        ],
      };
    },
  });
  const policy = StorePolicy.create({
    config: new ConfigReader({
      cloudStore: {
        admins: { groups: ['group:default/platform-admins'] },
        publishers: { groups: ['group:default/store-publishers'] },
      },
    }),
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
  const userOf = (ref: string) => ({
    credentials: mockCredentials.user(ref),
    info: { userEntityRef: ref, ownershipEntityRefs: [] },
    token: 'token',
    expiresInSeconds: 3600,
    identity: {
      type: 'user' as const,
      userEntityRef: ref,
      ownershipEntityRefs: [],
    },
  });

  it('lets admins delete catalog entities', async () => {
    const decision = await policy.handle(
      { permission: catalogEntityDeletePermission },
      userOf('user:default/platform-admin'),
    );
    expect(decision).toEqual({ result: AuthorizeResult.ALLOW });
  });

  it('denies catalog deletion to consumers', async () => {
    const decision = await policy.handle(
      { permission: catalogEntityDeletePermission },
      userOf('user:default/developer'),
    );
    expect(decision).toEqual({ result: AuthorizeResult.DENY });
  });

  it('allows ordinary permissions to signed-in users', async () => {
    const decision = await policy.handle(
      {
        permission: createPermission({
          name: 'catalog.entity.read',
          attributes: { action: 'read' },
        }),
      },
      userOf('user:default/developer'),
    );
    expect(decision).toEqual({ result: AuthorizeResult.ALLOW });
  });

  it('reads the admin groups from config, case-insensitively', async () => {
    const other = StorePolicy.create({
      config: new ConfigReader({
        cloudStore: { admins: { groups: ['Group:default/Finance'] } },
      }),
      userInfo: mockServices.userInfo.mock({
        getUserInfo: async () => ({
          userEntityRef: 'user:default/finance',
          ownershipEntityRefs: ['group:default/finance'],
        }),
      }),
      groups: GroupAncestryResolver.create({
        catalog: catalogServiceMock({ entities: [group('finance')] }),
        auth: mockServices.auth(),
        logger: mockServices.logger.mock(),
      }),
    });
    const decision = await other.handle(
      { permission: catalogEntityDeletePermission },
      userOf('user:default/finance'),
    );
    expect(decision).toEqual({ result: AuthorizeResult.ALLOW });
  });

  it('lets admins read every order', async () => {
    const decision = await policy.handle(
      { permission: storeOrderReadPermission },
      userOf('user:default/platform-admin'),
    );
    expect(decision).toEqual({ result: AuthorizeResult.ALLOW });
  });

  it('shows users their own orders and those their groups approve', async () => {
    const decision = await policy.handle(
      { permission: storeOrderReadPermission },
      userOf('user:default/data-scientist'),
    );
    expect(decision).toEqual({
      result: AuthorizeResult.CONDITIONAL,
      pluginId: 'store',
      resourceType: 'store-order',
      conditions: {
        anyOf: [
          {
            rule: 'IS_ORDER_REQUESTER',
            resourceType: 'store-order',
            params: { claims: ['user:default/data-scientist'] },
          },
          {
            rule: 'IS_ORDER_APPROVER',
            resourceType: 'store-order',
            params: {
              claims: [
                'user:default/data-scientist',
                'group:default/team-data',
                'group:default/developers',
                'group:default/engineering',
                'group:default/acme',
              ],
            },
          },
        ],
      },
    });
  });

  it('lets admins read and manage every subscription and all billing', async () => {
    for (const permission of [
      storeSubscriptionReadPermission,
      storeSubscriptionManagePermission,
      storeBillingReadPermission,
    ]) {
      const decision = await policy.handle(
        { permission },
        userOf('user:default/platform-admin'),
      );
      expect(decision).toEqual({ result: AuthorizeResult.ALLOW });
    }
  });

  it('lets members read and manage the subscriptions and billing of their groups only', async () => {
    for (const permission of [
      storeSubscriptionReadPermission,
      storeSubscriptionManagePermission,
      storeBillingReadPermission,
    ]) {
      const decision = await policy.handle(
        { permission },
        userOf('user:default/data-scientist'),
      );
      expect(decision).toEqual({
        result: AuthorizeResult.CONDITIONAL,
        pluginId: 'store',
        resourceType: 'store-subscription',
        conditions: {
          rule: 'IS_SUBSCRIPTION_OWNER',
          resourceType: 'store-subscription',
          params: {
            claims: [
              'user:default/data-scientist',
              'group:default/team-data',
              'group:default/developers',
              'group:default/engineering',
              'group:default/acme',
            ],
          },
        },
      });
    }
  });

  it('lets the finance groups read all billing, but not manage subscriptions', async () => {
    const finance = StorePolicy.create({
      config: new ConfigReader({
        store: { billing: { financeGroups: ['Group:default/Finance'] } },
      }),
      userInfo: mockServices.userInfo.mock({
        getUserInfo: async () => ({
          userEntityRef: 'user:default/controller',
          ownershipEntityRefs: ['group:default/finance'],
        }),
      }),
      groups: GroupAncestryResolver.create({
        catalog: catalogServiceMock({ entities: [group('finance')] }),
        auth: mockServices.auth(),
        logger: mockServices.logger.mock(),
      }),
    });
    const controller = userOf('user:default/controller');
    expect(
      await finance.handle(
        { permission: storeBillingReadPermission },
        controller,
      ),
    ).toEqual({ result: AuthorizeResult.ALLOW });
    expect(
      await finance.handle(
        { permission: storeSubscriptionManagePermission },
        controller,
      ),
    ).toMatchObject({ result: AuthorizeResult.CONDITIONAL });
  });

  it('lets members see, operate and delete the stacks of their groups and those they created', async () => {
    for (const permission of [
      cloudStackReadPermission,
      cloudNodeOperatePermission,
      cloudStackDeletePermission,
    ]) {
      const decision = await policy.handle(
        { permission },
        userOf('user:default/data-scientist'),
      );
      expect(decision).toEqual({
        result: AuthorizeResult.CONDITIONAL,
        pluginId: 'cloud',
        resourceType: 'cloud-stack',
        conditions: {
          anyOf: [
            {
              rule: 'IS_STACK_OWNER',
              resourceType: 'cloud-stack',
              params: {
                owners: [
                  'user:default/data-scientist',
                  'group:default/team-data',
                  'group:default/developers',
                  'group:default/engineering',
                  'group:default/acme',
                ],
              },
            },
            {
              rule: 'IS_STACK_CREATOR',
              resourceType: 'cloud-stack',
              params: { users: ['user:default/data-scientist'] },
            },
          ],
        },
      });
    }
  });

  it('lets users run scripts only on stacks they created', async () => {
    const decision = await policy.handle(
      { permission: cloudNodeScriptRunPermission },
      userOf('user:default/developer'),
    );
    expect(decision).toEqual({
      result: AuthorizeResult.CONDITIONAL,
      pluginId: 'cloud',
      resourceType: 'cloud-stack',
      conditions: {
        rule: 'IS_STACK_CREATOR',
        resourceType: 'cloud-stack',
        params: { users: ['user:default/developer'] },
      },
    });
  });

  it('lets users deploy, and only admins read usage records', async () => {
    const developer = userOf('user:default/developer');
    const admin = userOf('user:default/platform-admin');
    expect(
      await policy.handle(
        { permission: cloudStackCreatePermission },
        developer,
      ),
    ).toEqual({ result: AuthorizeResult.ALLOW });
    expect(
      await policy.handle({ permission: cloudUsageReadPermission }, developer),
    ).toEqual({ result: AuthorizeResult.DENY });
    for (const permission of [
      cloudUsageReadPermission,
      cloudNodeScriptRunPermission,
      cloudStackDeletePermission,
    ]) {
      expect(await policy.handle({ permission }, admin)).toEqual({
        result: AuthorizeResult.ALLOW,
      });
    }
  });

  it('lets only admins run raw commands and give stacks to any group', async () => {
    const developer = userOf('user:default/developer');
    const admin = userOf('user:default/platform-admin');
    const nestedAdmin = userOf('user:default/platform-intern');
    for (const permission of [
      cloudCommandUsePermission,
      cloudStackOwnerAssignPermission,
    ]) {
      expect(await policy.handle({ permission }, developer)).toEqual({
        result: AuthorizeResult.DENY,
      });
      for (const user of [admin, nestedAdmin]) {
        expect(await policy.handle({ permission }, user)).toEqual({
          result: AuthorizeResult.ALLOW,
        });
      }
      // the store and the scaffolder, acting as services
      expect(await policy.handle({ permission })).toEqual({
        result: AuthorizeResult.ALLOW,
      });
    }
  });

  it("lets only admins read every node's metrics, as services may", async () => {
    const permission = cloudMetricsReadPermission;
    for (const ref of [
      'user:default/developer',
      'user:default/publisher',
      'user:default/data-scientist',
    ]) {
      expect({
        ref,
        decision: await policy.handle({ permission }, userOf(ref)),
      }).toEqual({ ref, decision: { result: AuthorizeResult.DENY } });
    }
    for (const ref of [
      'user:default/platform-admin',
      'user:default/platform-intern',
    ]) {
      expect({
        ref,
        decision: await policy.handle({ permission }, userOf(ref)),
      }).toEqual({ ref, decision: { result: AuthorizeResult.ALLOW } });
    }
    expect(await policy.handle({ permission })).toEqual({
      result: AuthorizeResult.ALLOW,
    });
  });

  it('lets admins see every product', async () => {
    const decision = await policy.handle(
      { permission: storeProductReadPermission },
      userOf('user:default/platform-admin'),
    );
    expect(decision).toEqual({ result: AuthorizeResult.ALLOW });
  });

  it('lets publishers see every product, drafts included', async () => {
    const decision = await policy.handle(
      { permission: storeProductReadPermission },
      userOf('user:default/publisher'),
    );
    expect(decision).toEqual({ result: AuthorizeResult.ALLOW });
  });

  it('gives publishers no admin rights over the catalog', async () => {
    const decision = await policy.handle(
      { permission: catalogEntityDeletePermission },
      userOf('user:default/publisher'),
    );
    expect(decision).toEqual({ result: AuthorizeResult.DENY });
  });

  it('shows consumers the products meant for them', async () => {
    const decision = await policy.handle(
      { permission: storeProductReadPermission },
      userOf('user:default/developer'),
    );
    const claims = [
      'user:default/developer',
      'group:default/developers',
      'group:default/engineering',
      'group:default/acme',
    ];
    expect(decision).toEqual({
      result: AuthorizeResult.CONDITIONAL,
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
    const decision = await policy.handle(
      { permission: storeProductReadPermission },
      userOf('user:default/data-scientist'),
    );
    expect(decision).toMatchObject({ result: AuthorizeResult.CONDITIONAL });
    const claims = [
      'user:default/data-scientist',
      'group:default/team-data',
      'group:default/developers',
      'group:default/engineering',
      'group:default/acme',
    ];
    expect(JSON.stringify(decision)).toContain(JSON.stringify({ claims }));
  });

  it('gives members of groups nested in an admin group admin rights', async () => {
    const decision = await policy.handle(
      { permission: catalogEntityDeletePermission },
      userOf('user:default/platform-intern'),
    );
    expect(decision).toEqual({ result: AuthorizeResult.ALLOW });
  });
});
