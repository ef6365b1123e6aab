import { mockServices } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { ConfigReader } from '@backstage/config';
import { permissionRules } from '@backstage/plugin-catalog-backend/alpha';
import { catalogEntityReadPermission } from '@backstage/plugin-catalog-common/alpha';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { createConditionAuthorizer } from '@backstage/plugin-permission-node';
import {
  storeOrderAdminPermission,
  storeOrderApprovePermission,
} from '@internal/plugin-store-common';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { CatalogGovernedTemplates } from './GovernedTemplates';
import { GroupAncestryResolver } from '@internal/plugin-catalog-node-groups';
import { AccessPolicy } from './AccessPolicy';
import { policyUser } from './__testUtils__/users';

const entity = (kind: string, name: string, spec = {}): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind,
  metadata: { name, namespace: 'default' },
  spec,
});

const entities = [
  entity('Product', 'webapp', { template: 'template:default/webapp' }),
  entity('Product', 'pg', { template: 'pg' }),
  entity('Template', 'webapp'),
  entity('Template', 'pg'),
  entity('Template', 'free-for-all'),
  entity('Component', 'webapp'),
];

describe('governed templates', () => {
  const userInfo = mockServices.userInfo.mock({
    getUserInfo: async credentials => {
      const ref = (credentials.principal as { userEntityRef: string })
        .userEntityRef;
      return {
        userEntityRef: ref,
        ownershipEntityRefs:
          ref === 'user:default/platform-admin'
            ? [ref, 'group:default/platform-admins']
            : [ref, 'group:default/developers'],
      };
    },
  });
  const policy = AccessPolicy.create({
    config: new ConfigReader({
      cloudStore: {
        access: {
          bindings: [
            {
              policy: 'AdministratorAccess',
              principals: ['group:default/platform-admins'],
            },
            { policy: 'StoreConsumer', principals: ['*'] },
            { policy: 'StoreApprover', principals: ['*'] },
          ],
        },
      },
    }),
    logger: mockServices.logger.mock(),
    userInfo,
    groups: GroupAncestryResolver.create({
      catalog: catalogServiceMock({ entities }),
      auth: mockServices.auth(),
      logger: mockServices.logger.mock(),
    }),
    governedTemplates: CatalogGovernedTemplates.create({
      catalog: catalogServiceMock({ entities }),
      auth: mockServices.auth(),
    }),
  });
  const ruleset = {
    getRuleByName: (name: string) =>
      Object.values(permissionRules).find(r => r.name === name)!,
  };
  const authorize = createConditionAuthorizer<Entity>(ruleset as any);

  it('hides the templates of products from users, so the scaffolder cannot run them for them', async () => {
    const decision = await policy.handle(
      { permission: catalogEntityReadPermission },
      policyUser('user:default/developer'),
    );
    expect(decision.result).toBe(AuthorizeResult.CONDITIONAL);
    const visible = entities
      .filter(e => authorize(decision, e))
      .map(e => `${e.kind}:${e.metadata.name}`);
    expect(visible).toEqual([
      'Product:webapp',
      'Product:pg',
      'Template:free-for-all',
      'Component:webapp',
    ]);
  });

  it('shows admins and the store itself every template', async () => {
    expect(
      await policy.handle(
        { permission: catalogEntityReadPermission },
        policyUser('user:default/platform-admin'),
      ),
    ).toEqual({ result: AuthorizeResult.ALLOW });
    expect(
      await policy.handle({ permission: catalogEntityReadPermission }),
    ).toEqual({ result: AuthorizeResult.ALLOW });
  });

  it('keeps order administration to admins; approval is checked by the store', async () => {
    const developer = policyUser('user:default/developer');
    expect(
      await policy.handle({ permission: storeOrderAdminPermission }, developer),
    ).toEqual({ result: AuthorizeResult.DENY });
    expect(
      await policy.handle(
        { permission: storeOrderAdminPermission },
        policyUser('user:default/platform-admin'),
      ),
    ).toEqual({ result: AuthorizeResult.ALLOW });
    expect(
      await policy.handle(
        { permission: storeOrderApprovePermission },
        developer,
      ),
    ).toEqual({ result: AuthorizeResult.ALLOW });
  });
});
