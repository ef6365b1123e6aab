import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import authPlugin from '@backstage/plugin-auth-backend';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import request from 'supertest';
import { authModuleOidcProvider } from './module';

/** An issuer that serves its discovery document, on a given port. */
async function startIssuer(port: number) {
  const issuer = `http://127.0.0.1:${port}`;
  const server = http.createServer((req, res) => {
    if (req.url !== '/.well-known/openid-configuration') {
      res.statusCode = 404;
      res.end();
      return;
    }
    res.setHeader('content-type', 'application/json');
    res.end(
      JSON.stringify({
        issuer,
        authorization_endpoint: `${issuer}/authorize`,
        token_endpoint: `${issuer}/token`,
        userinfo_endpoint: `${issuer}/userinfo`,
        jwks_uri: `${issuer}/jwks`,
        response_types_supported: ['code'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['RS256'],
      }),
    );
  });
  await new Promise<void>(resolve => server.listen(port, '127.0.0.1', resolve));
  return { server, issuer };
}

/** A port that nothing listens on, for now. */
async function freePort() {
  const server = http.createServer();
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise(resolve => server.close(resolve));
  return port;
}

describe('authModuleOidcProvider', () => {
  it('finds an identity provider that was down when the backend started', async () => {
    const port = await freePort();
    const { server } = await startTestBackend({
      features: [
        authPlugin,
        authModuleOidcProvider,
        catalogServiceMock.factory({ entities: [] }),
        mockServices.rootConfig.factory({
          data: {
            app: { baseUrl: 'http://localhost:3000' },
            auth: {
              environment: 'development',
              session: { secret: 'session-secret' },
              providers: {
                oidc: {
                  development: {
                    metadataUrl: `http://127.0.0.1:${port}/.well-known/openid-configuration`,
                    clientId: 'cloud-store',
                    clientSecret: 'not-a-real-secret',
                    signIn: {
                      resolvers: [
                        { resolver: 'emailMatchingUserEntityProfileEmail' },
                      ],
                    },
                  },
                },
              },
            },
          },
        }),
      ],
    });
    const start = () =>
      request(server)
        .get('/api/auth/oidc/start')
        .query({ env: 'development', scope: 'openid profile email' });

    expect((await start()).status).toBeGreaterThanOrEqual(500);

    const issuer = await startIssuer(port);
    try {
      const res = await start();
      expect(res.status).toBe(302);
      const location = new URL(res.headers.location);
      expect(`${location.origin}${location.pathname}`).toBe(
        `${issuer.issuer}/authorize`,
      );
      expect(location.searchParams.get('client_id')).toBe('cloud-store');
    } finally {
      issuer.server.close();
    }
  });

  it('stops start-up when the configuration lacks a client', async () => {
    await expect(
      startTestBackend({
        features: [
          authPlugin,
          authModuleOidcProvider,
          catalogServiceMock.factory({ entities: [] }),
          mockServices.rootConfig.factory({
            data: {
              app: { baseUrl: 'http://localhost:3000' },
              auth: {
                environment: 'development',
                providers: {
                  oidc: {
                    development: {
                      metadataUrl:
                        'http://127.0.0.1:1/.well-known/openid-configuration',
                    },
                  },
                },
              },
            },
          }),
        ],
      }),
    ).rejects.toThrow(/clientId/);
  });
});
