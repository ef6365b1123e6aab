import {
  mockCredentials,
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { InputError } from '@backstage/errors';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { NodeFailedError } from '@internal/plugin-cloud-node';
import fs from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import {
  FakeProvider,
  localModuleOnHost,
  ORG,
  providerModule,
} from './__testUtils__/providers';
import { cloudPlugin } from './plugin';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

describe.each(databases.eachSupportedId())(
  'a deploy that fails at the provider, on %s',
  databaseId => {
    const provider = new FakeProvider();
    let backend: Awaited<ReturnType<typeof startTestBackend>>;
    let dataDir: string;

    beforeAll(async () => {
      dataDir = fs.mkdtempSync(join(os.tmpdir(), 'cloud-failed-'));
      const knex = await databases.init(databaseId);
      backend = await startTestBackend({
        features: [
          cloudPlugin,
          providerModule(provider),
          localModuleOnHost({ hostId: 'host-a', dataDir }),
          catalogServiceMock.factory({ entities: ORG }),
          mockServices.database.factory({ knex }),
        ],
      });
    });

    afterAll(async () => {
      await backend?.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    });

    function deploy(name: string) {
      return request(backend.server)
        .post('/api/cloud/stacks')
        .set('authorization', mockCredentials.service.header())
        .send({
          name,
          owner: 'group:default/team-web',
          provider: 'fake',
          region: 'fake-1',
          spec: {
            roles: [{ name: 'app', runtime: 'node', entry: 'a.js', count: 1 }],
          },
          requestedBy: 'user:default/developer',
        });
    }

    async function stackNamed(name: string) {
      const res = await request(backend.server)
        .get('/api/cloud/stacks?includeDeleted=true')
        .set('authorization', mockCredentials.service.header());
      return res.body.items.find((s: { name: string }) => s.name === name);
    }

    it('answers 422 for a node of the local provider that exits at once, and leaves nothing running', async () => {
      const res = await request(backend.server)
        .post('/api/cloud/stacks')
        .set('authorization', mockCredentials.service.header())
        .send({
          name: 'exits-locally',
          owner: 'group:default/team-web',
          provider: 'local',
          region: 'local',
          spec: {
            roles: [
              {
                name: 'app',
                count: 1,
                command: [
                  'node',
                  '-e',
                  'console.log("cannot start: no config"); process.exit(3)',
                ],
              },
            ],
          },
        });
      expect(res.status).toBe(422);
      const stack = await stackNamed('exits-locally');
      expect(res.body.error.failure).toMatchObject({
        stackId: stack.id,
        role: 'app',
        node: 'app-1',
        exitCode: 3,
        logTail: expect.stringContaining('cannot start: no config'),
      });
      expect(res.body.error.message).toContain(stack.id);
      expect(stack).toMatchObject({ status: 'failed' });
      expect(fs.existsSync(join(dataDir, 'stacks', stack.id))).toBe(false);
      const listed = await request(backend.server)
        .get('/api/cloud/providers')
        .set('authorization', mockCredentials.service.header());
      expect(listed.status).toBe(200);
    });

    it('answers 422 naming the stack, role, node, exit code and log, and leaves the stack failed with nothing at the provider', async () => {
      provider.deployError = new NodeFailedError(
        'Node app-1 did not become healthy',
        {
          stackId: 'ignored',
          node: 'app-1',
          role: 'app',
          exitCode: 3,
          logTail: 'Error: Cannot find module a.js',
        },
      );
      const res = await deploy('exits-at-once');
      expect(res.status).toBe(422);
      const stack = await stackNamed('exits-at-once');
      expect(res.body.error).toMatchObject({
        name: 'NodeFailedError',
        failure: {
          stackId: stack.id,
          node: 'app-1',
          role: 'app',
          exitCode: 3,
          logTail: 'Error: Cannot find module a.js',
        },
      });
      const { message } = res.body.error;
      for (const part of [
        stack.id,
        "role 'app'",
        'node app-1',
        'exit code 3',
        'Error: Cannot find module a.js',
      ]) {
        expect(message).toContain(part);
      }
      expect(stack).toMatchObject({ status: 'failed', error: message });
      expect(stack.deletedAt).toBeTruthy();
      expect(provider.deleted).toContain(stack.id);
      expect(await provider.getStack(stack.id)).toBeUndefined();
      const details = await request(backend.server)
        .get(`/api/cloud/stacks/${stack.id}`)
        .set('authorization', mockCredentials.service.header());
      expect(
        details.body.nodes.every(
          (n: { status: string }) => n.status === 'deleted',
        ),
      ).toBe(true);
    });

    it('keeps the status of an error in the request, and names the provider of any other', async () => {
      provider.deployError = new InputError('The image is too large');
      const bad = await deploy('too-large');
      expect(bad.status).toBe(400);
      const tooLarge = await stackNamed('too-large');
      expect(bad.body.error.message).toBe(
        `Stack ${tooLarge.id} failed: The image is too large`,
      );
      expect(tooLarge).toMatchObject({
        status: 'failed',
        error: bad.body.error.message,
      });

      provider.deployError = new Error('the disk is full');
      const broken = await deploy('disk-full');
      expect(broken.status).toBe(500);
      const diskFull = await stackNamed('disk-full');
      expect(diskFull).toMatchObject({
        status: 'failed',
        error: `Stack ${diskFull.id} failed at provider 'fake'; caused by Error: the disk is full`,
      });
      expect(await provider.listStacks()).toEqual([]);
    });
    it('answers 422 to a restart whose node does not come up, and records the node failed', async () => {
      provider.deployError = undefined;
      const created = await deploy('restarts-badly');
      expect(created.status).toBe(201);
      provider.restartError = new NodeFailedError('app-1 did not come up', {
        stackId: created.body.id,
        node: 'app-1',
        role: 'app',
        exitCode: 1,
        logTail: 'out of memory',
      });
      try {
        const res = await request(backend.server)
          .post(`/api/cloud/stacks/${created.body.id}/restart`)
          .set('authorization', mockCredentials.service.header())
          .send({});
        expect(res.status).toBe(422);
        expect(res.body.error.failure).toMatchObject({
          node: 'app-1',
          exitCode: 1,
        });
      } finally {
        provider.restartError = undefined;
      }
      const stack = await request(backend.server)
        .get(`/api/cloud/stacks/${created.body.id}`)
        .set('authorization', mockCredentials.service.header());
      expect(stack.body).toMatchObject({
        status: 'degraded',
        nodes: [expect.objectContaining({ name: 'app-1', status: 'failed' })],
      });
      // the stack is free again: the next restart goes through
      const again = await request(backend.server)
        .post(`/api/cloud/stacks/${created.body.id}/restart`)
        .set('authorization', mockCredentials.service.header())
        .send({});
      expect(again.status).toBe(200);
      expect(again.body.status).toBe('running');
    });
  },
);
