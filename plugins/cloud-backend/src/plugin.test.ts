import {
  mockCredentials,
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { StackSpec } from '@internal/plugin-cloud-common';
import fs from 'node:fs';
import { request as httpRequest } from 'node:http';
import os from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { localModuleOnHost, ORG } from './__testUtils__/providers';
import { cloudPlugin } from './plugin';

jest.setTimeout(120_000);

const SERVER = `require('http').createServer((q, s) => s.end('hello from ' + process.env.NODE_NAME)).listen(Number(process.env.PORT), '127.0.0.1');`;

/** A database, app nodes and a load balancer, on the provider's runtimes. */
function threeTier(appCount = 2): StackSpec {
  return {
    roles: [
      {
        name: 'db',
        count: 1,
        runtime: 'node',
        entry: 's.js',
        files: { 's.js': SERVER },
      },
      {
        name: 'app',
        count: appCount,
        runtime: 'node',
        entry: 's.js',
        files: { 's.js': SERVER },
      },
      { name: 'lb', runtime: 'load-balancer', count: 1, balances: 'app' },
    ],
  };
}

function getViaRouter(url: string): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port: Number(port),
        path: '/',
        headers: { host: hostname },
        agent: false,
      },
      res => {
        let body = '';
        res.on('data', c => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

describe.each(databases.eachSupportedId())('cloud API on %s', databaseId => {
  let dataDir: string;
  let backend: Awaited<ReturnType<typeof startTestBackend>>;
  const auditor = mockServices.auditor.mock();
  const auditEvent = { success: jest.fn(), fail: jest.fn() };

  beforeAll(async () => {
    auditor.createEvent.mockResolvedValue(auditEvent);
    dataDir = fs.mkdtempSync(join(os.tmpdir(), 'cloud-api-'));
    const knex = await databases.init(databaseId);
    backend = await startTestBackend({
      features: [
        cloudPlugin,
        localModuleOnHost({
          hostId: `host-${databaseId.toLowerCase()}`,
          dataDir,
        }),
        catalogServiceMock.factory({ entities: ORG }),
        // the developer is in the web team
        mockServices.userInfo.mock({
          getUserInfo: async () => ({
            userEntityRef: 'user:default/developer',
            ownershipEntityRefs: [
              'user:default/developer',
              'group:default/team-web',
            ],
          }),
        }).factory,
        mockServices.database.factory({ knex }),
        auditor.factory,
        mockServices.rootConfig.factory({
          data: {
            cloud: { maxNodesPerRole: 5, local: { dataDir } },
          },
        }),
      ],
    });
  });

  afterAll(async () => {
    await backend?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const user = mockCredentials.user('user:default/developer');
  const auth = () => mockCredentials.user.header('user:default/developer');
  const suffix = databaseId.toLowerCase().replace(/_/g, '');
  let stackId: string;

  async function counts() {
    const stacks = await request(backend.server)
      .get('/api/cloud/stacks?includeDeleted=true')
      .set('authorization', auth());
    const usage = await request(backend.server)
      .get('/api/cloud/usage')
      .set('authorization', auth());
    return { stacks: stacks.body.items.length, usage: usage.body.items.length };
  }

  it('lists the providers and regions', async () => {
    const res = await request(backend.server)
      .get('/api/cloud/providers')
      .set('authorization', auth());
    expect(res.status).toBe(200);
    expect(res.body.items).toEqual([
      expect.objectContaining({
        id: 'local',
        title: 'Local host',
        regions: ['local'],
        runtimes: expect.arrayContaining([
          expect.objectContaining({ name: 'load-balancer' }),
        ]),
      }),
    ]);
  });

  it('deploys a 3-tier stack whose URL answers', async () => {
    const res = await request(backend.server)
      .post('/api/cloud/stacks')
      .set('authorization', auth())
      .set('idempotency-key', `key-${suffix}`)
      .send({
        name: `shop-${suffix}`,
        owner: 'group:default/team-web',
        template: 'template:default/three-tier',
        provider: 'local',
        region: 'local',
        spec: threeTier(),
      });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      name: `shop-${suffix}`,
      status: 'running',
      createdBy: user.principal.userEntityRef,
    });
    expect(res.body.nodes).toHaveLength(4);
    for (const node of res.body.nodes) {
      expect(node).toMatchObject({
        provider: 'local',
        region: 'local',
        status: 'running',
      });
      expect(node.providerResourceId).toMatch(/^local:/);
      expect(node.privateAddress).toMatch(/^127\.0\.0\.1:\d+$/);
    }
    stackId = res.body.id;
    const page = await getViaRouter(res.body.url);
    expect(page.status).toBe(200);
    expect(page.body).toMatch(/hello from app-\d/);
    expect(auditor.createEvent).toHaveBeenCalledWith(
      expect.objectContaining({ eventId: 'stack-create' }),
    );
  });

  it('answers the first response again for a repeated idempotency key, 409 for another body', async () => {
    const body = {
      name: `shop-${suffix}`,
      owner: 'group:default/team-web',
      template: 'template:default/three-tier',
      provider: 'local',
      region: 'local',
      spec: threeTier(),
    };
    const again = await request(backend.server)
      .post('/api/cloud/stacks')
      .set('authorization', auth())
      .set('idempotency-key', `key-${suffix}`)
      .send(body);
    expect(again.status).toBe(201);
    expect(again.body.id).toBe(stackId);
    const other = await request(backend.server)
      .post('/api/cloud/stacks')
      .set('authorization', auth())
      .set('idempotency-key', `key-${suffix}`)
      .send({ ...body, owner: 'group:default/finance' });
    expect(other.status).toBe(409);
    const sameName = await request(backend.server)
      .post('/api/cloud/stacks')
      .set('authorization', auth())
      .send(body);
    expect(sameName.status).toBe(409);
  });

  it.each([
    ['an unknown provider', { provider: 'mars' }, 400],
    ['an unknown region', { region: 'eu-west-9' }, 400],
    [
      'a role without a runtime or command',
      { spec: { roles: [{ name: 'app', count: 1 }] } },
      400,
    ],
    [
      'a duplicate role',
      {
        spec: {
          roles: [
            { name: 'app', count: 1, runtime: 'node', entry: 'a.js' },
            { name: 'app', count: 1, runtime: 'node', entry: 'a.js' },
          ],
        },
      },
      400,
    ],
    [
      'too many nodes',
      { spec: { roles: [{ name: 'app', count: 6, runtime: 'node' }] } },
      400,
    ],
    ['a bad name', { name: 'Not_A_Label' }, 400],
  ])('refuses %s with nothing half-created', async (_, patch, status) => {
    const before = await counts();
    const res = await request(backend.server)
      .post('/api/cloud/stacks')
      .set('authorization', auth())
      .send({
        name: `bad-${suffix}`,
        owner: 'group:default/team-web',
        provider: 'local',
        region: 'local',
        spec: threeTier(),
        ...patch,
      });
    expect(res.status).toBe(status);
    expect(res.body.error.name).toBe('InputError');
    expect(await counts()).toEqual(before);
  });

  it('lists stacks with filters', async () => {
    const mine = await request(backend.server)
      .get('/api/cloud/stacks?owner=group:default/team-web&status=running')
      .set('authorization', auth());
    expect(mine.body.error).toBeUndefined();
    expect(mine.body.items.map((s: { id: string }) => s.id)).toEqual([stackId]);
    const none = await request(backend.server)
      .get('/api/cloud/stacks?provider=openstack')
      .set('authorization', auth());
    expect(none.body.items).toEqual([]);
  });

  it('scales a role within limits', async () => {
    for (const count of [-1, 6, 1.5]) {
      const res = await request(backend.server)
        .post(`/api/cloud/stacks/${stackId}/scale`)
        .set('authorization', auth())
        .send({ role: 'app', count });
      expect(res.status).toBe(400);
    }
    const unknownRole = await request(backend.server)
      .post(`/api/cloud/stacks/${stackId}/scale`)
      .set('authorization', auth())
      .send({ role: 'cache', count: 1 });
    expect(unknownRole.status).toBe(400);
    const res = await request(backend.server)
      .post(`/api/cloud/stacks/${stackId}/scale`)
      .set('authorization', auth())
      .send({ role: 'app', count: 3 });
    expect(res.status).toBe(200);
    const apps = res.body.nodes.filter(
      (n: { role: string }) => n.role === 'app',
    );
    expect(apps).toHaveLength(3);
    expect(apps.every((n: { status: string }) => n.status === 'running')).toBe(
      true,
    );
  });

  it('runs scripts on running nodes only, audited with the script', async () => {
    const stop = await request(backend.server)
      .post(`/api/cloud/stacks/${stackId}/stop`)
      .set('authorization', auth())
      .send({ nodes: ['db-1'] });
    expect(stop.status).toBe(200);
    expect(
      stop.body.nodes.find((n: { name: string }) => n.name === 'db-1').status,
    ).toBe('stopped');
    const refused = await request(backend.server)
      .post(`/api/cloud/stacks/${stackId}/nodes/db-1/script`)
      .set('authorization', auth())
      .send({ script: 'echo hi' });
    expect(refused.status).toBe(409);
    await request(backend.server)
      .post(`/api/cloud/stacks/${stackId}/start`)
      .set('authorization', auth())
      .send({ nodes: ['db-1'] })
      .expect(200);
    const ran = await request(backend.server)
      .post(`/api/cloud/stacks/${stackId}/nodes/db-1/script`)
      .set('authorization', auth())
      .send({ script: 'echo "node $NODE_NAME"', timeoutSeconds: 5 });
    expect({ status: ran.status, body: ran.body }).toMatchObject({
      status: 200,
      body: { exitCode: 0, timedOut: false },
    });
    expect(ran.body.output).toContain('node db-1');
    expect(auditor.createEvent).toHaveBeenCalledWith(
      expect.objectContaining({
        eventId: 'node-script-run',
        severityLevel: 'high',
        meta: expect.objectContaining({ script: 'echo "node $NODE_NAME"' }),
      }),
    );
    const tooLong = await request(backend.server)
      .post(`/api/cloud/stacks/${stackId}/nodes/db-1/script`)
      .set('authorization', auth())
      .send({ script: 'sleep 1', timeoutSeconds: 100000 });
    expect(tooLong.status).toBe(400);
  });

  it('shows node logs', async () => {
    const res = await request(backend.server)
      .get(`/api/cloud/stacks/${stackId}/nodes/db-1/logs`)
      .set('authorization', auth());
    expect(res.status).toBe(200);
    expect(res.body.logs).toContain('starting');
  });

  it('deletes the stack and keeps usage records', async () => {
    const url = (
      await request(backend.server)
        .get(`/api/cloud/stacks/${stackId}`)
        .set('authorization', auth())
    ).body.url;
    const res = await request(backend.server)
      .delete(`/api/cloud/stacks/${stackId}`)
      .set('authorization', auth());
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      status: 'deleted',
      deletedBy: 'user:default/developer',
    });
    expect((await getViaRouter(url)).status).toBe(404);
    expect(fs.existsSync(join(dataDir, 'stacks', stackId))).toBe(false);

    const usage = await request(backend.server)
      .get(`/api/cloud/usage?stackId=${stackId}`)
      .set('authorization', auth());
    const records = usage.body.items;
    // the stack, 4 initial nodes and one more app node from scaling
    expect(records).toHaveLength(6);
    for (const record of records) {
      expect(record).toMatchObject({
        provider: 'local',
        region: 'local',
        createdBy: 'user:default/developer',
        deletedBy: 'user:default/developer',
      });
      expect(record.deletedAt).toBeTruthy();
    }
    const csv = await request(backend.server)
      .get(`/api/cloud/usage?stackId=${stackId}&kind=node&format=csv`)
      .set('authorization', auth());
    expect(csv.headers['content-type']).toContain('text/csv');
    const lines = csv.text.trim().split('\n');
    expect(lines[0]).toContain('providerResourceId');
    expect(lines).toHaveLength(6);

    const list = await request(backend.server)
      .get('/api/cloud/stacks')
      .set('authorization', auth());
    expect(list.body.items.some((s: { id: string }) => s.id === stackId)).toBe(
      false,
    );
  });
});
