import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { GroupAncestryResolver } from '@internal/plugin-catalog-node-groups';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  cloudCommandUsePermission,
  cloudStackOwnerAssignPermission,
  StackSpec,
} from '@internal/plugin-cloud-common';
import { group, ORG } from '../__testUtils__/providers';
import { StackAdmission } from './StackAdmission';

const RUNTIME_ONLY: StackSpec = {
  roles: [{ name: 'app', runtime: 'node', entry: 'server.js', count: 1 }],
};
const RAW: StackSpec = {
  roles: [{ name: 'app', command: ['node', 'server.js'], count: 1 }],
};

const ADMIN = 'user:default/admin';
const DEVELOPER = 'user:default/developer';

describe('StackAdmission', () => {
  const catalog = catalogServiceMock({
    entities: [
      ...ORG,
      {
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'User',
        metadata: { name: 'developer', namespace: 'default' },
        spec: {},
      },
    ],
  });
  const userInfo = mockServices.userInfo.mock({
    async getUserInfo(credentials) {
      const ref = (credentials.principal as { userEntityRef: string })
        .userEntityRef;
      return {
        userEntityRef: ref,
        ownershipEntityRefs:
          ref === DEVELOPER ? [ref, 'group:default/team-web'] : [ref],
      };
    },
  });
  // admins hold both permissions, everyone else neither
  const permissions = mockServices.permissions.mock({
    async authorize(requests, { credentials }) {
      const user = (credentials.principal as { userEntityRef?: string })
        .userEntityRef;
      return requests.map(() => ({
        result: user === ADMIN ? AuthorizeResult.ALLOW : AuthorizeResult.DENY,
      }));
    },
  });
  const admission = StackAdmission.create({
    permissions,
    catalog,
    userInfo,
    groups: GroupAncestryResolver.create({
      catalog,
      auth: mockServices.auth(),
      logger: mockServices.logger.mock(),
    }),
  });
  const as = (user: string) => ({ credentials: mockCredentials.user(user) });

  beforeEach(() => permissions.authorize.mockClear());

  it('lets a user give a stack to their group or a group above it, without asking the policy', async () => {
    for (const owner of [
      'group:default/team-web',
      'group:default/developers',
      'Group:default/Engineering',
      'acme',
    ]) {
      await expect(
        admission.admit({ owner, spec: RUNTIME_ONLY }, as(DEVELOPER)),
      ).resolves.toEqual({
        createdBy: DEVELOPER,
        owner: expect.stringMatching(/^group:default\/[a-z-]+$/),
      });
    }
    expect(permissions.authorize).not.toHaveBeenCalled();
  });

  it('refuses a user a group they are not in, unless they may assign any owner', async () => {
    await expect(
      admission.admit(
        { owner: 'group:default/finance', spec: RUNTIME_ONLY },
        as(DEVELOPER),
      ),
    ).rejects.toMatchObject({
      name: 'NotAllowedError',
      message:
        'You are not a member of group:default/finance, so you cannot create a stack it owns',
    });
    await expect(
      admission.admit(
        { owner: 'group:default/finance', spec: RUNTIME_ONLY },
        as(ADMIN),
      ),
    ).resolves.toEqual({ createdBy: ADMIN, owner: 'group:default/finance' });
    expect(permissions.authorize.mock.calls.map(([r]) => r)).toEqual([
      [{ permission: cloudStackOwnerAssignPermission }],
      [{ permission: cloudStackOwnerAssignPermission }],
    ]);
  });

  it('refuses raw commands to users without the command permission', async () => {
    await expect(
      admission.admit(
        { owner: 'group:default/team-web', spec: RAW },
        as(DEVELOPER),
      ),
    ).rejects.toMatchObject({
      name: 'NotAllowedError',
      message: expect.stringContaining('cloud.command.use'),
    });
    await expect(
      admission.admit({ owner: 'group:default/finance', spec: RAW }, as(ADMIN)),
    ).resolves.toMatchObject({ createdBy: ADMIN });
    expect(permissions.authorize).toHaveBeenLastCalledWith(
      [
        { permission: cloudStackOwnerAssignPermission },
        { permission: cloudCommandUsePermission },
      ],
      expect.anything(),
    );
  });

  it('lets a service name any existing group and use raw commands, for its requester', async () => {
    await expect(
      admission.admit(
        { owner: 'group:default/finance', spec: RAW },
        {
          credentials: mockCredentials.service('plugin:scaffolder'),
          requestedBy: DEVELOPER,
        },
      ),
    ).resolves.toEqual({
      createdBy: DEVELOPER,
      owner: 'group:default/finance',
    });
    expect(permissions.authorize).not.toHaveBeenCalled();
  });

  it.each([
    ['group:default/nobody', "No group 'group:default/nobody' in the catalog"],
    [
      'user:default/developer',
      "owner must be a group entity ref, got 'user:default/developer'",
    ],
    ['', "owner must be a group entity ref, got ''"],
  ])('answers 400 to the owner %j', async (owner, message) => {
    for (const caller of [
      as(ADMIN),
      { credentials: mockCredentials.service() },
    ]) {
      await expect(
        admission.admit({ owner, spec: RUNTIME_ONLY }, caller),
      ).rejects.toMatchObject({ name: 'InputError', message });
    }
  });

  it('uses the group hierarchy of the catalog, spec.parent included', async () => {
    const nested = catalogServiceMock({
      entities: [group('outer'), group('inner', 'outer')],
    });
    const resolver = GroupAncestryResolver.create({
      catalog: nested,
      auth: mockServices.auth(),
      logger: mockServices.logger.mock(),
    });
    const other = StackAdmission.create({
      permissions,
      catalog: nested,
      userInfo: mockServices.userInfo({
        ownershipEntityRefs: ['group:default/inner'],
      }),
      groups: resolver,
    });
    await expect(
      other.admit(
        { owner: 'group:default/outer', spec: RUNTIME_ONLY },
        as(DEVELOPER),
      ),
    ).resolves.toMatchObject({ owner: 'group:default/outer' });
  });
});
