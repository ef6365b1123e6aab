import { Entity } from '@backstage/catalog-model';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import permissionPlugin from '@backstage/plugin-permission-backend';
import request from 'supertest';
import { permissionModuleStorePolicy } from '../module';

jest.setTimeout(60_000);

const ADMIN = 'user:default/platform-admin';
const DEVELOPER = 'user:default/developer';
const SCIENTIST = 'user:default/data-scientist';

const group = (name: string, parent?: string): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Group',
  metadata: { name, namespace: 'default' },
  spec: {
    type: 'team',
    children: [],
    profile: { displayName: `The ${name}` },
    ...(parent && { parent }),
  },
});

const user = (name: string, memberOf: string): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'User',
  metadata: { name, namespace: 'default' },
  spec: { memberOf: [memberOf] },
  relations: [{ type: 'memberOf', targetRef: `group:default/${memberOf}` }],
});

const ENTITIES = [
  group('acme'),
  group('developers', 'acme'),
  group('team-data', 'developers'),
  group('platform-admins', 'acme'),
  user('platform-admin', 'platform-admins'),
  user('developer', 'developers'),
  user('data-scientist', 'team-data'),
];

const ACCESS = {
  policies: [
    {
      name: 'NoRawCommandsForDevelopers',
      description: 'Developers never run raw host commands',
      statements: [{ effect: 'deny', permissions: ['cloud.command.use'] }],
    },
  ],
  bindings: [
    { policy: 'StoreConsumer', principals: ['*'] },
    {
      policy: 'AdministratorAccess',
      principals: ['group:default/platform-admins'],
    },
    { policy: 'ScriptRunAccess', principals: ['group:default/team-data'] },
    {
      policy: 'CloudAccountReadOnlyAccess',
      principals: ['group:default/team-data'],
    },
    {
      policy: 'NoRawCommandsForDevelopers',
      principals: ['group:default/developers'],
    },
  ],
};

describe('the access API', () => {
  let server: Awaited<ReturnType<typeof startTestBackend>>['server'];

  beforeAll(async () => {
    ({ server } = await startTestBackend({
      features: [
        permissionPlugin,
        permissionModuleStorePolicy,
        catalogServiceMock.factory({ entities: ENTITIES }),
        // Sign-in gives a user their direct groups, as the catalog says.
        mockServices.userInfo.mock({
          getUserInfo: async credentials => {
            const ref = (credentials.principal as { userEntityRef: string })
              .userEntityRef;
            const entity = ENTITIES.find(
              e => `user:default/${e.metadata.name}` === ref,
            );
            return {
              userEntityRef: ref,
              ownershipEntityRefs: [
                ref,
                ...(entity?.relations ?? []).map(r => r.targetRef),
              ],
            };
          },
        }).factory,
        mockServices.rootConfig.factory({
          data: {
            permission: { enabled: true },
            cloudStore: { access: ACCESS },
          },
        }),
      ],
    }));
  });

  const as = (ref: string) => ({
    get: (path: string) =>
      request(server)
        .get(`/api/permission/access${path}`)
        .set('authorization', mockCredentials.user.header(ref)),
    post: (path: string, body: object) =>
      request(server)
        .post(`/api/permission/access${path}`)
        .set('authorization', mockCredentials.user.header(ref))
        .send(body),
  });

  it('lists every policy with its type, description and where it is bound', async () => {
    const res = await as(ADMIN).get('/policies');
    expect(res.status).toBe(200);
    expect(res.body.items).toHaveLength(18);
    expect(res.body.items).toContainEqual(
      expect.objectContaining({
        name: 'ScriptRunAccess',
        type: 'managed',
        boundTo: ['group:default/team-data'],
      }),
    );
    expect(res.body.items.at(-1)).toMatchObject({
      name: 'NoRawCommandsForDevelopers',
      type: 'custom',
      description: 'Developers never run raw host commands',
      boundTo: ['group:default/developers'],
      statements: [{ effect: 'deny', permissions: ['cloud.command.use'] }],
    });
  });

  it('draws the matrix of groups by permissions, nested groups inheriting', async () => {
    const res = await as(ADMIN).get('/matrix');
    expect(res.status).toBe(200);
    expect(res.body.permissions).toContainEqual({
      name: 'cloud.stack.read',
      action: 'read',
      resourceType: 'cloud-stack',
    });
    const row = (ref: string) =>
      res.body.groups.find((g: { ref: string }) => g.ref === ref);
    expect(row('group:default/platform-admins')).toMatchObject({
      title: 'The platform-admins',
      decisions: { 'cloud.command.use': 'ALLOW', 'audit.log.read': 'ALLOW' },
    });
    expect(row('group:default/developers').decisions).toMatchObject({
      'cloud.usage.read': 'DENY',
      'cloud.node.script.run': 'CONDITIONAL',
      'store.order.create': 'ALLOW',
    });
    // team-data is in developers: its own policies, and the deny above.
    expect(row('group:default/team-data').decisions).toMatchObject({
      'cloud.usage.read': 'ALLOW',
      'cloud.node.script.run': 'ALLOW',
      'cloud.command.use': 'DENY',
    });
  });

  it('explains which statement of which policy decided', async () => {
    const denied = await as(ADMIN).post('/explain', {
      user: SCIENTIST,
      permission: 'cloud.command.use',
    });
    expect(denied.status).toBe(200);
    expect(denied.body).toMatchObject({
      user: SCIENTIST,
      permission: 'cloud.command.use',
      decision: { result: 'DENY' },
      reason: 'Denied by statement 1 of NoRawCommandsForDevelopers',
      statements: [
        { policy: 'NoRawCommandsForDevelopers', policyType: 'custom' },
      ],
    });
    const nothing = await as(ADMIN).post('/explain', {
      user: 'developer',
      permission: 'cloud.usage.read',
    });
    expect(nothing.body).toMatchObject({
      user: DEVELOPER,
      decision: { result: 'DENY' },
      reason:
        'No statement of the policies bound to the user allows cloud.usage.read',
    });
    const conditional = await as(ADMIN).post('/explain', {
      user: DEVELOPER,
      permission: 'cloud.stack.read',
    });
    expect(conditional.body).toMatchObject({
      decision: { result: 'CONDITIONAL', pluginId: 'cloud' },
      statements: [{ policy: 'StoreConsumer', conditional: true }],
    });
  });

  it.each([
    [{ permission: 'cloud.stack.read' }, 'user must be a non-empty string'],
    [
      { user: 'group:default/acme', permission: 'cloud.stack.read' },
      "user must be a user entity ref, got 'group:default/acme'",
    ],
    [
      { user: DEVELOPER, permission: 'cloud.stack.reed' },
      "permission 'cloud.stack.reed' is not a known permission",
    ],
    [
      { user: DEVELOPER, permission: 'cloud.usage.read', resourceRef: 'x' },
      "permission 'cloud.usage.read' is not about a resource, so it takes no resourceRef",
    ],
  ])('refuses %j with a 400 that says why', async (body, message) => {
    const res = await as(ADMIN).post('/explain', body);
    expect(res.status).toBe(400);
    expect(res.body.error.message).toBe(message);
  });

  it('answers 404 for a user the catalog does not have', async () => {
    const res = await as(ADMIN).post('/explain', {
      user: 'user:default/nobody',
      permission: 'cloud.stack.read',
    });
    expect(res.status).toBe(404);
  });

  it('is for administrators only: others get 403, strangers 401', async () => {
    for (const path of ['/policies', '/matrix']) {
      expect((await as(DEVELOPER).get(path)).status).toBe(403);
      expect(
        (
          await request(server)
            .get(`/api/permission/access${path}`)
            .set('authorization', mockCredentials.none.header())
        ).status,
      ).toBe(401);
    }
    expect(
      (
        await as(SCIENTIST).post('/explain', {
          user: ADMIN,
          permission: 'cloud.stack.read',
        })
      ).status,
    ).toBe(403);
  });
});
