import {
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import catalogPlugin from '@backstage/plugin-catalog-backend';
// eslint-disable-next-line @backstage/no-mixed-plugin-imports -- the test runs the real cloud backend
import cloudPlugin from '@internal/plugin-cloud-backend';
import localModule from '@internal/plugin-cloud-backend-module-local';
import { mockCatalogWithOwnerGroup } from '@internal/plugin-cloud-node/testUtils';
import fs from 'node:fs';
import { AddressInfo } from 'node:net';
import os from 'node:os';
import { join } from 'node:path';
import { catalogModuleCloud } from './module';

const SERVER_JS = `
require('http')
  .createServer((req, res) => res.end('hello'))
  .listen(Number(process.env.PORT), '127.0.0.1');
`;

/** Polls until `check` passes or the deadline runs out. */
async function eventually<T>(check: () => Promise<T>, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) {
        throw error;
      }
      await new Promise(resolve => setTimeout(resolve, 200));
    }
  }
}

describe('catalogModuleCloud', () => {
  const dataDir = fs.mkdtempSync(join(os.tmpdir(), 'catalog-cloud-'));
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('mirrors a deployed stack as a Resource and drops it once deleted', async () => {
    // The mock scheduler runs tasks only when told to, which makes the
    // refreshes of the provider deterministic.
    const scheduler = mockServices.scheduler();
    const backend = await startTestBackend({
      features: [
        createServiceFactory({
          service: coreServices.scheduler,
          deps: {},
          factory: () => scheduler,
        }),
        catalogPlugin,
        catalogModuleCloud,
        cloudPlugin,
        localModule,
        // the cloud backend checks stack owners in the catalog: the group
        // is there in this stand-in, not in the real catalog under test
        mockCatalogWithOwnerGroup(),
        mockServices.rootConfig.factory({
          data: {
            app: { baseUrl: 'http://app.test' },
            catalog: { processingInterval: { seconds: 1 } },
            cloud: { local: { dataDir } },
          },
        }),
      ],
    });
    try {
      const { port } = backend.server.address() as AddressInfo;
      const api = `http://127.0.0.1:${port}/api`;
      const headers = {
        authorization: mockCredentials.user.header('user:default/developer'),
        'content-type': 'application/json',
      };

      const created = await fetch(`${api}/cloud/stacks`, {
        method: 'POST',
        headers,
        body: JSON.stringify({
          name: 'shop-web',
          owner: 'group:default/web-team',
          provider: 'local',
          region: 'local',
          spec: {
            roles: [
              {
                name: 'app',
                count: 1,
                command: ['node', 'server.js'],
                files: { 'server.js': SERVER_JS },
              },
            ],
          },
        }),
      });
      expect(created.status).toBeLessThan(300);
      const stack = await created.json();
      expect(stack.status).not.toBe('deleted');
      expect(stack.createdBy).toBe('user:default/developer');

      await scheduler.triggerTask('cloud-stacks:refresh');

      const entityUrl = `${api}/catalog/entities/by-name/resource/default/shop-web`;
      const entity = await eventually(async () => {
        const res = await fetch(entityUrl, { headers });
        expect(res.status).toBe(200);
        return res.json();
      });
      expect(entity.spec).toEqual({
        type: 'cloud-stack',
        owner: 'group:default/web-team',
      });
      expect(entity.metadata.annotations['cloudstore.io/stack-id']).toBe(
        stack.id,
      );
      expect(entity.metadata.links[0].url).toBe(
        `http://app.test/cloud/stacks/${stack.id}`,
      );
      expect(entity.relations).toContainEqual({
        type: 'ownedBy',
        targetRef: 'group:default/web-team',
      });

      const deleted = await fetch(`${api}/cloud/stacks/${stack.id}`, {
        method: 'DELETE',
        headers,
      });
      expect(deleted.status).toBeLessThan(300);
      await scheduler.triggerTask('cloud-stacks:refresh');

      await eventually(async () => {
        const res = await fetch(entityUrl, { headers });
        expect(res.status).toBe(404);
      });
    } finally {
      await backend.stop();
    }
  });
});
