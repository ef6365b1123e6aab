import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
// eslint-disable-next-line @backstage/no-mixed-plugin-imports -- the tests run the real cloud backend
import cloudPlugin from '@internal/plugin-cloud-backend';
import localModule from '@internal/plugin-cloud-backend-module-local';
import fs from 'node:fs';
import { AddressInfo } from 'node:net';
import os from 'node:os';
import { join } from 'node:path';
import { CloudApiClient } from '@internal/plugin-cloud-common';
import { mockCatalogWithOwnerGroup } from '@internal/plugin-cloud-node/testUtils';

/** A real cloud backend with the local provider, and a client of it. */
export async function startCloudBackend() {
  const dataDir = fs.mkdtempSync(join(os.tmpdir(), 'cloud-actions-'));
  const backend = await startTestBackend({
    features: [
      cloudPlugin,
      localModule,
      mockCatalogWithOwnerGroup(),
      mockServices.rootConfig.factory({
        data: { cloud: { maxNodesPerRole: 5, local: { dataDir } } },
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
