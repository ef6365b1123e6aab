import {
  mockCredentials,
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { StackSpec } from '@internal/plugin-cloud-common';
import fs from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { hashBody } from '@internal/backend-idempotency-node';
import { Knex } from 'knex';
import request from 'supertest';
import { localModuleOnHost, ORG } from '../__testUtils__/providers';
import { cloudPlugin } from '../plugin';
import { inventoryKeyOf } from './idempotency';

jest.setTimeout(120_000);

const SERVER = `require('http').createServer((q, s) => s.end('ok')).listen(Number(process.env.PORT), '127.0.0.1');`;

const SPEC: StackSpec = {
  roles: [
    {
      name: 'app',
      count: 2,
      command: ['node', 's.js'],
      files: { 's.js': SERVER },
    },
  ],
};

const ALICE = 'user:default/alice';
const BOB = 'user:default/bob';
const COUNTER = 'echo run >> runs.txt; wc -l < runs.txt';

/** The same body with its keys in the opposite order. */
function reordered(body: object): object {
  return Object.fromEntries(Object.entries(body).reverse());
}

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

describe.each(databases.eachSupportedId())(
  'Idempotency-Key of the cloud API on %s',
  databaseId => {
    let dataDir: string;
    let backend: Awaited<ReturnType<typeof startTestBackend>>;
    const auditor = mockServices.auditor.mock();
    const events: string[] = [];
    const suffix = databaseId.toLowerCase().replace(/_/g, '');
    let stackId: string;
    let knex: Knex;

    auditor.createEvent.mockImplementation(async ({ eventId }) => {
      events.push(eventId);
      return { success: async () => {}, fail: async () => {} };
    });

    /** How many times an operation really ran: each run is audited. */
    const runs = (eventId: string) => events.filter(e => e === eventId).length;

    function send(
      method: 'post' | 'delete',
      path: string,
      user: string,
      key: string | undefined,
      body?: object,
    ) {
      const req = request(backend.server)
        [method](`/api/cloud${path}`)
        .set('authorization', mockCredentials.user.header(user));
      if (key) {
        req.set('idempotency-key', key);
      }
      return body ? req.send(body) : req;
    }

    beforeAll(async () => {
      dataDir = fs.mkdtempSync(join(os.tmpdir(), 'cloud-idempotency-'));
      knex = await databases.init(databaseId);
      backend = await startTestBackend({
        features: [
          cloudPlugin,
          localModuleOnHost({ hostId: `host-${suffix}`, dataDir }),
          catalogServiceMock.factory({ entities: ORG }),
          mockServices.database.factory({ knex }),
          auditor.factory,
          mockServices.rootConfig.factory({
            data: { cloud: { maxNodesPerRole: 5, local: { dataDir } } },
          }),
        ],
      });
      const res = await send('post', '/stacks', ALICE, undefined, {
        name: `idem-${suffix}`,
        owner: 'group:default/team-web',
        provider: 'local',
        region: 'local',
        spec: SPEC,
      }).expect(201);
      stackId = res.body.id;
    });

    afterAll(async () => {
      await backend?.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    });

    it('deploys once per key and caller: the same request answers the first stack, another body is a 409', async () => {
      const body = {
        name: `keyed-${suffix}`,
        owner: 'group:default/team-web',
        provider: 'local',
        region: 'local',
        spec: SPEC,
      };
      const key = `create-${suffix}`;
      const before = runs('stack-create');
      const first = await send('post', '/stacks', ALICE, key, body);
      expect(first.status).toBe(201);
      const again = await send('post', '/stacks', ALICE, key, reordered(body));
      expect({ status: again.status, body: again.body }).toEqual({
        status: 201,
        body: first.body,
      });
      const other = { ...body, name: `other-${suffix}` };
      const conflict = await send('post', '/stacks', ALICE, key, other);
      expect(conflict.status).toBe(409);
      expect(conflict.body.error.message).toMatch(/different request/);
      expect(runs('stack-create')).toBe(before + 1);

      // another caller's key is their own
      const bobs = await send('post', '/stacks', BOB, key, other);
      expect(bobs.status).toBe(201);
      expect(bobs.body.id).not.toBe(first.body.id);
      expect(bobs.body.createdBy).toBe(BOB);

      const list = await request(backend.server)
        .get('/api/cloud/stacks')
        .set('authorization', mockCredentials.user.header(ALICE));
      const names = list.body.items.map((s: { name: string }) => s.name);
      expect(names.filter((n: string) => n === body.name)).toHaveLength(1);
      for (const id of [first.body.id, bobs.body.id]) {
        await send('delete', `/stacks/${id}`, ALICE, undefined).expect(200);
      }
    });

    it.each([
      ['stop', 'node-stop', { nodes: ['app-1'] }, { nodes: ['app-2'] }],
      ['start', 'node-start', { nodes: ['app-1'] }, { nodes: ['app-2'] }],
      ['restart', 'node-restart', { nodes: ['app-2'] }, { nodes: ['app-1'] }],
      [
        'scale',
        'stack-scale',
        { role: 'app', count: 3 },
        { role: 'app', count: 2 },
      ],
      [
        'nodes/app-1/script',
        'node-script-run',
        { script: COUNTER, timeoutSeconds: 10 },
        { script: 'echo other', timeoutSeconds: 10 },
      ],
    ])(
      'POST /stacks/{stackId}/%s runs once per key and caller',
      async (route, eventId, body, otherBody) => {
        const path = `/stacks/${stackId}/${route}`;
        const key = `${route}-${suffix}`;
        const before = runs(eventId);

        const first = await send('post', path, ALICE, key, body);
        expect(first.status).toBe(200);
        const again = await send('post', path, ALICE, key, reordered(body));
        expect({ status: again.status, body: again.body }).toEqual({
          status: 200,
          body: first.body,
        });
        expect(runs(eventId)).toBe(before + 1);

        const conflict = await send('post', path, ALICE, key, otherBody);
        expect(conflict.status).toBe(409);
        expect(runs(eventId)).toBe(before + 1);

        // the same key from another caller is another request
        const bobs = await send('post', path, BOB, key, otherBody);
        expect(bobs.status).toBe(200);
        expect(runs(eventId)).toBe(before + 2);
      },
    );

    it('runs a keyed script once: its replay did not run it again', async () => {
      const path = `/stacks/${stackId}/nodes/app-1/script`;
      const replay = await send(
        'post',
        path,
        ALICE,
        `nodes/app-1/script-${suffix}`,
        {
          script: COUNTER,
          timeoutSeconds: 10,
        },
      );
      expect(replay.body.output.trim()).toBe('1');
      const unkeyed = await send('post', path, ALICE, undefined, {
        script: COUNTER,
        timeoutSeconds: 10,
      });
      expect(unkeyed.body.output.trim()).toBe('2');
    });

    /** A key whose request never answered, as after a crash of its backend. */
    async function claimedByADeadRequest(
      route: string,
      key: string,
      body: object,
    ) {
      await knex('cloud_idempotency_keys').insert({
        principal: ALICE,
        route,
        key,
        body_hash: hashBody(body),
        response_status: null,
        response_json: null,
        created_at: new Date(),
      });
    }

    it('answers a deploy whose first request never answered from the inventory, once', async () => {
      const body = {
        name: `cut-off-${suffix}`,
        owner: 'group:default/team-web',
        provider: 'local',
        region: 'local',
        spec: SPEC,
      };
      const key = `cut-off-${suffix}`;
      await claimedByADeadRequest('POST /stacks', key, body);
      const first = await send('post', '/stacks', ALICE, key, reordered(body));
      expect(first.status).toBe(201);
      // the inventory knows the stack by the caller's key
      const rows = await knex('stacks').where({
        idempotency_key: inventoryKeyOf(mockCredentials.user(ALICE), key),
      });
      expect(rows.map(r => r.id)).toEqual([first.body.id]);
      const again = await send('post', '/stacks', ALICE, key, body);
      expect({ status: again.status, id: again.body.id }).toEqual({
        status: 201,
        id: first.body.id,
      });
      await send('delete', `/stacks/${first.body.id}`, ALICE, undefined).expect(
        200,
      );
    });

    it('refuses an operation whose first request has not answered yet', async () => {
      const path = `/stacks/${stackId}/restart`;
      const key = `running-${suffix}`;
      await claimedByADeadRequest(`POST ${path}`, key, {});
      const res = await send('post', path, ALICE, key, {});
      expect(res.status).toBe(409);
      expect(res.body.error.message).toMatch(/still in progress/);
    });

    it('lets a request that failed be sent again with its key', async () => {
      const path = `/stacks/${stackId}/scale`;
      const key = `failed-scale-${suffix}`;
      const before = runs('stack-scale');
      const refused = await send('post', path, ALICE, key, {
        role: 'nope',
        count: 1,
      });
      expect(refused.status).toBe(400);
      const again = await send('post', path, ALICE, key, {
        role: 'nope',
        count: 1,
      });
      expect(again.status).toBe(400);
      expect(runs('stack-scale')).toBe(before + 2);
    });

    it('DELETE /stacks/{stackId} runs once per key and caller', async () => {
      const path = `/stacks/${stackId}`;
      const key = `delete-${suffix}`;
      const before = runs('stack-delete');
      const first = await send('delete', path, ALICE, key);
      expect(first.status).toBe(200);
      expect(first.body.status).toBe('deleted');
      const again = await send('delete', path, ALICE, key);
      expect({ status: again.status, body: again.body }).toEqual({
        status: 200,
        body: first.body,
      });
      expect(runs('stack-delete')).toBe(before + 1);
      const bobs = await send('delete', path, BOB, key);
      expect(bobs.status).toBe(200);
      expect(runs('stack-delete')).toBe(before + 2);
    });
  },
);
