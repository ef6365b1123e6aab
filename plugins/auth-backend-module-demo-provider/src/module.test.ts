import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import authPlugin from '@backstage/plugin-auth-backend';
import request from 'supertest';
import { authModuleDemoProvider } from './module';
import { DEMO_USER_HEADER } from './authenticator';

const entities = [
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'User',
    metadata: { name: 'developer', namespace: 'default' },
    spec: { memberOf: ['developers'] },
    relations: [{ type: 'memberOf', targetRef: 'group:default/developers' }],
  },
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'User',
    metadata: { name: 'outsider', namespace: 'default' },
    spec: {},
  },
];

function decodeClaims(token: string) {
  return JSON.parse(
    Buffer.from(token.split('.')[1], 'base64url').toString('utf8'),
  );
}

describe('authModuleDemoProvider', () => {
  const auditor = mockServices.auditor.mock();
  const auditEvent = { success: jest.fn(), fail: jest.fn() };

  beforeEach(() => {
    jest.clearAllMocks();
    auditor.createEvent.mockResolvedValue(auditEvent);
  });

  async function startBackend() {
    const { server } = await startTestBackend({
      features: [
        auditor.factory,
        authPlugin,
        authModuleDemoProvider,
        catalogServiceMock.factory({ entities }),
        mockServices.rootConfig.factory({
          data: {
            app: { baseUrl: 'http://localhost:3000' },
            auth: {
              environment: 'development',
              providers: { demo: { development: {} } },
            },
            cloudStore: { signIn: { demoUsers: ['developer', 'ghost'] } },
          },
        }),
      ],
    });
    return server;
  }

  it('signs in a listed demo user as their catalog user with their groups', async () => {
    const server = await startBackend();
    const res = await request(server)
      .get('/api/auth/demo/refresh')
      .set(DEMO_USER_HEADER, 'developer');

    expect(res.status).toBe(200);
    expect(res.body.backstageIdentity.identity).toEqual({
      type: 'user',
      userEntityRef: 'user:default/developer',
      ownershipEntityRefs: [
        'user:default/developer',
        'group:default/developers',
      ],
    });
    expect(decodeClaims(res.body.backstageIdentity.token).sub).toBe(
      'user:default/developer',
    );
  });

  it('audits the sign-in with the user and the request', async () => {
    const server = await startBackend();
    const res = await request(server)
      .get('/api/auth/demo/refresh')
      .set(DEMO_USER_HEADER, 'developer');

    expect(res.status).toBe(200);
    expect(auditor.createEvent).toHaveBeenCalledTimes(1);
    expect(auditor.createEvent).toHaveBeenCalledWith({
      eventId: 'login',
      severityLevel: 'medium',
      request: expect.objectContaining({
        method: 'GET',
        headers: expect.objectContaining({ [DEMO_USER_HEADER]: 'developer' }),
      }),
      meta: { provider: 'demo', userEntityRef: 'user:default/developer' },
    });
    expect(auditEvent.success).toHaveBeenCalledTimes(1);
    expect(auditEvent.fail).not.toHaveBeenCalled();
  });

  it('audits a failed sign-in of a listed name without a catalog user', async () => {
    const server = await startBackend();
    await request(server)
      .get('/api/auth/demo/refresh')
      .set(DEMO_USER_HEADER, 'ghost');

    expect(auditor.createEvent).toHaveBeenCalledWith(
      expect.objectContaining({
        eventId: 'login',
        meta: { provider: 'demo', userEntityRef: 'user:default/ghost' },
      }),
    );
    expect(auditEvent.fail).toHaveBeenCalledWith({
      error: expect.objectContaining({ name: 'NotFoundError' }),
    });
    expect(auditEvent.success).not.toHaveBeenCalled();
  });

  it('refuses a user who is not on the demo list', async () => {
    const server = await startBackend();
    const res = await request(server)
      .get('/api/auth/demo/refresh')
      .set(DEMO_USER_HEADER, 'outsider');

    expect(res.status).toBe(401);
    expect(res.body.error.message).toContain('not one of the demo users');
  });

  it('refuses a listed name that has no user in the catalog', async () => {
    const server = await startBackend();
    const res = await request(server)
      .get('/api/auth/demo/refresh')
      .set(DEMO_USER_HEADER, 'ghost');

    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.body.backstageIdentity).toBeUndefined();
  });

  it('refuses a request without the header', async () => {
    const server = await startBackend();
    const res = await request(server).get('/api/auth/demo/refresh');

    expect(res.status).toBe(401);
    expect(res.body.error.message).toContain(DEMO_USER_HEADER);
  });
});
