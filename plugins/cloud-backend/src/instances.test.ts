import {
  mockCredentials,
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { StackSpec } from '@internal/plugin-cloud-common';
import { JsonObject } from '@backstage/types';
import { Knex } from 'knex';
import fs from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { localModuleOnHost, ORG } from './__testUtils__/providers';
import { cloudPlugin } from './plugin';

jest.setTimeout(120_000);

const SERVER = `require('http').createServer((q, s) => s.end('hello from ' + process.env.NODE_NAME)).listen(Number(process.env.PORT), '127.0.0.1');`;
const SPEC: StackSpec = {
  roles: [
    {
      name: 'app',
      count: 1,
      command: ['node', 's.js'],
      files: { 's.js': SERVER },
    },
  ],
};
const DEVELOPER = 'user:default/developer';

async function waitFor<T>(
  what: string,
  fn: () => Promise<T | undefined | false>,
): Promise<T> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const value = await fn();
    if (value !== undefined && value !== false) {
      return value;
    }
    if (Date.now() > deadline) {
      throw new Error(`Timed out waiting for ${what}`);
    }
    await new Promise(resolve => setTimeout(resolve, 100));
  }
}

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

describe.each(databases.eachSupportedId())(
  'several backend instances on %s',
  databaseId => {
    const dirs: string[] = [];
    let knex: Knex;

    beforeAll(async () => {
      knex = await databases.init(databaseId);
    });

    afterAll(() => {
      dirs.forEach(dir => fs.rmSync(dir, { recursive: true, force: true }));
    });

    /** One backend instance with a local provider on a host of its own. */
    async function startInstance(
      hostId: string,
      cloud: JsonObject = {},
      scheduler?: ReturnType<typeof mockServices.scheduler.mock>,
    ) {
      const dataDir = fs.mkdtempSync(join(os.tmpdir(), `cloud-${hostId}-`));
      dirs.push(dataDir);
      const backend = await startTestBackend({
        features: [
          cloudPlugin,
          localModuleOnHost({ hostId, dataDir }),
          catalogServiceMock.factory({ entities: ORG }),
          mockServices.database.factory({ knex }),
          ...(scheduler ? [scheduler.factory] : []),
          mockServices.rootConfig.factory({ data: { cloud } }),
        ],
      });
      return { backend, dataDir, scheduler: scheduler! };
    }

    it('forwards an operation to the instance of the stack’s host, and answers 503 once that host is not served', async () => {
      // Heartbeats long enough that no host goes stale while the machine is
      // loaded: a stopped instance gives up its host at once.
      const a = await startInstance(`a-${databaseId}`, {
        instance: { heartbeat: { minutes: 1 } },
      });
      const b = await startInstance(`b-${databaseId}`, {
        instance: { heartbeat: { minutes: 1 } },
      });
      try {
        const created = await request(b.backend.server)
          .post('/api/cloud/stacks')
          .set('authorization', mockCredentials.service.header())
          .send({
            name: `on-b-${databaseId.toLowerCase().replace(/_/g, '')}`,
            owner: 'group:default/team-web',
            provider: 'local',
            region: 'local',
            spec: SPEC,
          });
        expect(created.status).toBe(201);
        const stackId = created.body.id;
        const nodeDir = (name: string) =>
          join(b.dataDir, 'stacks', stackId, 'nodes', name);

        // through the other instance, as the user who asked
        const user = mockCredentials.user.header(DEVELOPER);
        const scaled = await request(a.backend.server)
          .post(`/api/cloud/stacks/${stackId}/scale`)
          .set('authorization', user)
          .send({ role: 'app', count: 2 });
        expect(scaled.status).toBe(200);
        expect(
          scaled.body.nodes.find((n: { name: string }) => n.name === 'app-2'),
        ).toMatchObject({ status: 'running', createdBy: DEVELOPER });
        expect(fs.existsSync(nodeDir('app-2'))).toBe(true);
        expect(fs.existsSync(join(a.dataDir, 'stacks', stackId))).toBe(false);

        const stopped = await request(a.backend.server)
          .post(`/api/cloud/stacks/${stackId}/stop`)
          .set('authorization', user)
          .send({ nodes: ['app-2'] });
        expect(stopped.status).toBe(200);
        expect(
          stopped.body.nodes.find((n: { name: string }) => n.name === 'app-2')
            .status,
        ).toBe('stopped');

        const script = await request(a.backend.server)
          .post(`/api/cloud/stacks/${stackId}/nodes/app-1/script`)
          .set('authorization', user)
          .send({ script: 'pwd', timeoutSeconds: 5 });
        expect(script.status).toBe(200);
        // it ran in the node's folder on the other instance's host
        expect(script.body.output.trim().startsWith(nodeDir('app-1'))).toBe(
          true,
        );

        const logs = await request(a.backend.server)
          .get(`/api/cloud/stacks/${stackId}/nodes/app-1/logs`)
          .set('authorization', user);
        expect(logs.status).toBe(200);

        // errors of the other instance come back as they are
        const busy = await request(a.backend.server)
          .post(`/api/cloud/stacks/${stackId}/nodes/app-2/script`)
          .set('authorization', user)
          .send({ script: 'pwd', timeoutSeconds: 5 });
        expect(busy.status).toBe(409);

        await b.backend.stop();
        const refused = await waitFor('the host to be given up', async () => {
          const res = await request(a.backend.server)
            .post(`/api/cloud/stacks/${stackId}/restart`)
            .set('authorization', user)
            .send({});
          return res.status === 503 ? res : undefined;
        });
        expect(refused.body.error.message).toContain(
          `lives on host 'b-${databaseId}'`,
        );
        // and nothing was done here instead
        expect(fs.existsSync(join(a.dataDir, 'stacks', stackId))).toBe(false);
        const row = await request(a.backend.server)
          .get(`/api/cloud/stacks/${stackId}`)
          .set('authorization', user);
        expect(row.body.status).toBe('running');
      } finally {
        await a.backend.stop();
        await b.backend.stop();
      }
    });

    it('schedules the reconciliation of its own host with the configured keys, each alone enough', async () => {
      const only = await startInstance(
        `c-${databaseId}`,
        { reconcile: { frequency: { seconds: 30 } } },
        mockServices.scheduler.mock(),
      );
      await only.backend.stop();
      expect(only.scheduler.scheduleTask).toHaveBeenCalledWith(
        expect.objectContaining({
          id: `cloud-reconcile:c-${databaseId}`,
          frequency: { seconds: 30 },
          timeout: { minutes: 5 },
          initialDelay: { minutes: 1 },
        }),
      );

      const every = await startInstance(
        `d-${databaseId}`,
        {
          maxNodesPerRole: 2,
          maxScriptTimeoutSeconds: 7,
          reconcile: {
            frequency: { cron: '*/5 * * * *' },
            timeout: 'PT2M',
            initialDelay: { seconds: 5 },
          },
          instance: {
            baseUrl: 'http://10.0.0.4:7007/api/cloud',
            heartbeat: { seconds: 3 },
          },
        },
        mockServices.scheduler.mock(),
      );
      try {
        const calls = every.scheduler.scheduleTask.mock.calls.map(
          ([task]) => task,
        );
        expect(calls).toEqual(
          expect.arrayContaining([
            expect.objectContaining({
              id: `cloud-reconcile:d-${databaseId}`,
              frequency: { cron: '*/5 * * * *' },
              timeout: { minutes: 2 },
              initialDelay: { seconds: 5 },
            }),
            expect.objectContaining({
              id: 'cloud-host-heartbeat',
              scope: 'local',
              frequency: { seconds: 3 },
            }),
          ]),
        );
        expect(
          await knex('hosts')
            .where({ host_id: `d-${databaseId}` })
            .first(),
        ).toMatchObject({ base_url: 'http://10.0.0.4:7007/api/cloud' });
        const tooMany = await request(every.backend.server)
          .post('/api/cloud/stacks')
          .set('authorization', mockCredentials.service.header())
          .send({
            name: 'too-many',
            owner: 'group:default/team-web',
            provider: 'local',
            region: 'local',
            spec: { roles: [{ ...SPEC.roles[0], count: 3 }] },
          });
        expect(tooMany.status).toBe(400);
        expect(tooMany.body.error.message).toContain('from 0 to 2');
      } finally {
        await every.backend.stop();
      }
    });
  },
);
