import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { catalogEntityDeletePermission } from '@backstage/plugin-catalog-common/alpha';
import {
  AuthorizeResult,
  createPermission,
} from '@backstage/plugin-permission-common';
import { StorePolicy } from './StorePolicy';

const config = mockServices.rootConfig({
  data: {
    cloudStore: { admins: { groups: ['group:default/platform-admins'] } },
  },
});

function policyFor(ownershipEntityRefs: Record<string, string[]>) {
  const userInfo = mockServices.userInfo.mock({
    getUserInfo: async credentials => {
      const userEntityRef = (credentials.principal as { userEntityRef: string })
        .userEntityRef;
      return {
        userEntityRef,
        ownershipEntityRefs: ownershipEntityRefs[userEntityRef] ?? [],
      };
    },
  });
  return StorePolicy.create({ config, userInfo });
}

function userQuery(userEntityRef: string) {
  return {
    credentials: mockCredentials.user(userEntityRef),
    info: { userEntityRef, ownershipEntityRefs: [] },
  };
}

describe('StorePolicy', () => {
  const policy = policyFor({
    'user:default/platform-admin': [
      'user:default/platform-admin',
      'group:default/platform-admins',
    ],
    'user:default/developer': [
      'user:default/developer',
      'group:default/developers',
    ],
  });

  it('lets platform admins delete catalog entities', async () => {
    await expect(
      policy.handle(
        { permission: catalogEntityDeletePermission },
        userQuery('user:default/platform-admin'),
      ),
    ).resolves.toEqual({ result: AuthorizeResult.ALLOW });
  });

  it('denies catalog deletion to everyone else', async () => {
    await expect(
      policy.handle(
        { permission: catalogEntityDeletePermission },
        userQuery('user:default/developer'),
      ),
    ).resolves.toEqual({ result: AuthorizeResult.DENY });
  });

  it('allows ordinary permissions to signed-in users', async () => {
    const read = createPermission({
      name: 'catalog.entity.read',
      attributes: { action: 'read' },
    });
    await expect(
      policy.handle({ permission: read }, userQuery('user:default/developer')),
    ).resolves.toEqual({ result: AuthorizeResult.ALLOW });
  });

  it('reads the admin groups from config, case-insensitively', async () => {
    const other = StorePolicy.create({
      config: mockServices.rootConfig({
        data: { cloudStore: { admins: { groups: ['Group:default/Finance'] } } },
      }),
      userInfo: mockServices.userInfo.mock({
        getUserInfo: async () => ({
          userEntityRef: 'user:default/finance',
          ownershipEntityRefs: ['group:default/finance'],
        }),
      }),
    });
    await expect(
      other.handle(
        { permission: catalogEntityDeletePermission },
        userQuery('user:default/finance'),
      ),
    ).resolves.toEqual({ result: AuthorizeResult.ALLOW });
  });
});
