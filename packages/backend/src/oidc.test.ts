import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { ConfigSources } from '@backstage/config-loader';
import authPlugin from '@backstage/plugin-auth-backend';
import oidcModule from '@internal/plugin-auth-backend-module-oidc-provider';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import path from 'node:path';
import request from 'supertest';

const root = path.resolve(__dirname, '../../..');

/** A minimal OpenID provider that serves its discovery document. */
async function startIssuer() {
  const server = http.createServer((req, res) => {
    const { port } = server.address() as AddressInfo;
    const issuer = `http://127.0.0.1:${port}`;
    if (req.url === '/.well-known/openid-configuration') {
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
      return;
    }
    res.statusCode = 404;
    res.end();
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}` };
}

describe('single sign-on through OIDC in production', () => {
  it('is configured from environment variables by app-config.production.yaml', async () => {
    const issuer = await startIssuer();
    try {
      const env: Record<string, string> = {
        OIDC_METADATA_URL: `${issuer.url}/.well-known/openid-configuration`,
        OIDC_CLIENT_ID: 'cloud-store',
        OIDC_CLIENT_SECRET: 'not-a-real-secret',
        AUTH_SESSION_SECRET: 'session-secret',
      };
      const config = await ConfigSources.toConfig(
        ConfigSources.default({
          argv: [
            '--config',
            path.join(root, 'app-config.yaml'),
            '--config',
            path.join(root, 'app-config.production.yaml'),
          ],
          env: {},
          substitutionFunc: async name => env[name],
        }),
      );
      expect(config.getString('auth.environment')).toBe('production');
      expect(config.getBoolean('cloudStore.signIn.oidc')).toBe(true);

      const { server } = await startTestBackend({
        features: [
          authPlugin,
          oidcModule,
          catalogServiceMock.factory({ entities: [] }),
          mockServices.rootConfig.factory({
            data: {
              app: { baseUrl: 'http://localhost:3000' },
              auth: config.getConfig('auth').get(),
            },
          }),
        ],
      });

      const res = await request(server)
        .get('/api/auth/oidc/start')
        .query({ env: 'production', scope: 'openid profile email' });

      expect(res.status).toBe(302);
      const location = new URL(res.headers.location);
      expect(`${location.origin}${location.pathname}`).toBe(
        `${issuer.url}/authorize`,
      );
      expect(location.searchParams.get('client_id')).toBe('cloud-store');

      // The development sign-in does not exist in production.
      const demo = await request(server)
        .get('/api/auth/demo/refresh')
        .set('x-cloud-store-demo-user', 'developer');
      expect(demo.status).toBe(404);
    } finally {
      issuer.server.close();
    }
  });
});
