import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
// eslint-disable-next-line @backstage/no-mixed-plugin-imports -- the tests run the real cloud backend
import cloudPlugin from '@internal/plugin-cloud-backend';
import localModule from '@internal/plugin-cloud-backend-module-local';
import openStackModule from '@internal/plugin-cloud-backend-module-openstack';
import fs from 'node:fs';
import { AddressInfo } from 'node:net';
import os from 'node:os';
import { join } from 'node:path';
import { CloudApiClient } from '@internal/plugin-cloud-common';
import { mockCatalogWithOwnerGroup } from '@internal/plugin-cloud-node/testUtils';

/**
 * The cloud of `scripts/openstack.sh` (or any Keystone and Heat) as
 * `eval "$(scripts/openstack.sh env)"` gives it; undefined when not set.
 */
export const testOpenStack = process.env.CLOUDSTORE_OPENSTACK_AUTH_URL
  ? {
      authUrl: process.env.CLOUDSTORE_OPENSTACK_AUTH_URL,
      region: process.env.CLOUDSTORE_OPENSTACK_REGION ?? 'RegionOne',
      project: process.env.CLOUDSTORE_OPENSTACK_PROJECT ?? 'cloudstore',
      domain: process.env.CLOUDSTORE_OPENSTACK_DOMAIN ?? 'Default',
      username: process.env.CLOUDSTORE_OPENSTACK_USERNAME ?? 'cloudstore',
    }
  : undefined;

/**
 * A real cloud backend with the local provider, and a client of it; with
 * `openstack`, also the provider `openstack` on the cloud of testOpenStack.
 */
export async function startCloudBackend(options: { openstack?: boolean } = {}) {
  const dataDir = fs.mkdtempSync(join(os.tmpdir(), 'cloud-actions-'));
  const cloud = options.openstack ? testOpenStack : undefined;
  if (options.openstack && !cloud) {
    throw new Error('CLOUDSTORE_OPENSTACK_AUTH_URL is not set');
  }
  const openstack = cloud && {
    providers: {
      openstack: {
        regions: {
          [cloud.region]: {
            authUrl: cloud.authUrl,
            project: cloud.project,
            projectDomain: cloud.domain,
            credentials: {
              type: 'password',
              username: cloud.username,
              userDomain: cloud.domain,
              passwordEnv: 'CLOUDSTORE_OPENSTACK_PASSWORD',
            },
          },
        },
      },
    },
  };
  const backend = await startTestBackend({
    features: [
      cloudPlugin,
      localModule,
      ...(openstack ? [openStackModule] : []),
      mockCatalogWithOwnerGroup(),
      mockServices.rootConfig.factory({
        data: {
          cloud: {
            maxNodesPerRole: 5,
            local: { dataDir },
            ...(openstack ? { openstack } : {}),
          },
        },
      }),
    ],
  });
  const { port } = backend.server.address() as AddressInfo;
  const api = new CloudApiClient({
    discoveryApi: {
      getBaseUrl: async (pluginId: string) =>
        `http://127.0.0.1:${port}/api/${pluginId}`,
    },
  });
  return {
    api,
    auth: mockServices.auth(),
    dataDir,
    port,
    async stop() {
      await backend.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export const SERVER_JS = `
require('http')
  .createServer((req, res) => res.end('hello from ' + process.env.NODE_NAME))
  .listen(Number(process.env.PORT), '127.0.0.1');
`;
