import { BackstageUserPrincipal } from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import {
  AuthorizeResult,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  cloudMetricsReadPermission,
  MetricSeries,
  StackSpec,
} from '@internal/plugin-cloud-common';
import fs from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { localModuleOnHost, ORG } from './__testUtils__/providers';
import { cloudPlugin } from './plugin';

jest.setTimeout(180_000);

const ADMIN = 'user:default/admin';
const VIEWER = 'user:default/viewer';
const OUTSIDER = 'user:default/outsider';
const OWNER = 'group:default/team-web';

const SERVER = `require('http').createServer((q, s) => s.end('hello ' + q.url)).listen(Number(process.env.PORT), '127.0.0.1');`;
const SPEC: StackSpec = {
  roles: [
    {
      name: 'db',
      count: 1,
      runtime: 'node',
      entry: 's.js',
      files: { 's.js': SERVER },
    },
  ],
};

/** Admins may do everything; viewers read stacks; outsiders nothing. */
function decide(user: string, permission: string): PolicyDecision {
  if (user === ADMIN || user === 'service') {
    return { result: AuthorizeResult.ALLOW };
  }
  if (user === VIEWER && permission === 'cloud.stack.read') {
    return { result: AuthorizeResult.ALLOW };
  }
  return { result: AuthorizeResult.DENY };
}

function userOf(credentials: { principal: unknown }) {
  const principal = credentials.principal as { type: string };
  return principal.type === 'service'
    ? 'service'
    : (principal as BackstageUserPrincipal).userEntityRef;
}

const permissions = mockServices.permissions.mock({
  async authorize(requests, { credentials }) {
    return requests.map(({ permission }) =>
      decide(userOf(credentials), permission.name),
    ) as Array<{ result: AuthorizeResult.ALLOW | AuthorizeResult.DENY }>;
  },
  async authorizeConditional(requests, { credentials }) {
    return requests.map(({ permission }) =>
      decide(userOf(credentials), permission.name),
    );
  },
});

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

describe.each(databases.eachSupportedId())(
  'cloud metrics on %s',
  databaseId => {
    let dataDir: string;
    let backend: Awaited<ReturnType<typeof startTestBackend>>;
    let stackId: string;
    const suffix = databaseId.toLowerCase().replace(/_/g, '');
    const as = (user: string) => mockCredentials.user.header(user);
    const api = () => request(backend.server);

    let collectTask: (signal: AbortSignal) => Promise<void>;

    /** Runs the collection of the test's host, as the scheduler would. */
    async function collect() {
      await collectTask(new AbortController().signal);
    }

    /**
     * The series of the last hour, raw by default: the rollups show a
     * minute once it has closed, and the test waits for figures to move.
     */
    async function series(
      query = 'range=1h&resolution=raw',
    ): Promise<MetricSeries[]> {
      const res = await api()
        .get(`/api/cloud/stacks/${stackId}/metrics?${query}`)
        .set('authorization', as(VIEWER));
      expect(res.status).toBe(200);
      return res.body.series;
    }

    /** The greatest value of a metric of db-1 in the last hour. */
    async function peak(metric: string) {
      const found = (await series()).find(
        s => s.nodeName === 'db-1' && s.metric === metric,
      );
      return Math.max(0, ...(found?.points ?? []).map(p => p.max));
    }

    /** Collects and polls until `check` holds; generous, for a loaded machine. */
    async function eventually(
      check: () => Promise<boolean>,
      timeoutMs = 60_000,
    ) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        await collect();
        if (await check()) {
          return;
        }
        if (Date.now() > deadline) {
          throw new Error('Timed out waiting for metrics');
        }
        await new Promise(resolve => setTimeout(resolve, 250));
      }
    }

    beforeAll(async () => {
      dataDir = fs.mkdtempSync(join(os.tmpdir(), 'cloud-metrics-'));
      const knex = await databases.init(databaseId);
      // collections run when the test says, not on a clock
      const scheduler = mockServices.scheduler.mock();
      backend = await startTestBackend({
        features: [
          cloudPlugin,
          localModuleOnHost({ hostId: `metrics-${suffix}`, dataDir }),
          catalogServiceMock.factory({ entities: ORG }),
          mockServices.database.factory({ knex }),
          permissions.factory,
          scheduler.factory,
          mockServices.rootConfig.factory({
            data: {
              cloud: {
                local: { dataDir },
              },
            },
          }),
        ],
      });
      // taken now: mocks are cleared before each test
      collectTask = scheduler.scheduleTask.mock.calls.find(([t]) =>
        t.id.startsWith('cloud-metrics-collect:'),
      )![0].fn as typeof collectTask;
      const res = await api()
        .post('/api/cloud/stacks')
        .set('authorization', as(ADMIN))
        .send({
          name: `watched-${suffix}`,
          owner: OWNER,
          provider: 'local',
          region: 'local',
          spec: SPEC,
        })
        .expect(201);
      stackId = res.body.id;
    });

    afterAll(async () => {
      await backend?.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    });

    it('stores the figures of a node, which rise when a script loads it and when it is called', async () => {
      // memory and disk from the first reading, rates from the second
      await eventually(async () =>
        (await series()).some(s => s.nodeName === 'db-1' && s.metric === 'cpu'),
      );
      const idleMemory = await peak('memory');
      expect(idleMemory).toBeGreaterThan(0);
      expect(await peak('disk')).toBeGreaterThan(0);

      const script = api()
        .post(`/api/cloud/stacks/${stackId}/nodes/db-1/script`)
        .set('authorization', as(ADMIN))
        .send({
          script: `node -e '
          const held = Buffer.alloc(200e6, 1);
          const fs = require("fs");
          while (!fs.existsSync("stop")) { for (let i = 0; i < 1e6; i++); }
          console.log("held", held.length);
        '`,
          timeoutSeconds: 150,
        })
        .then(res => res);
      try {
        await eventually(
          async () =>
            (await peak('memory')) > idleMemory + 150e6 &&
            (await peak('cpu')) > 50,
          120_000,
        );
      } finally {
        fs.writeFileSync(
          join(dataDir, 'stacks', stackId, 'nodes', 'db-1', 'work', 'stop'),
          '',
        );
      }
      expect((await script).body.output).toContain('held 200000000');

      const stack = await api()
        .get(`/api/cloud/stacks/${stackId}`)
        .set('authorization', as(ADMIN));
      const address = stack.body.nodes[0].privateAddress;
      const before = await peak('networkIn');
      await eventually(async () => {
        // a burst of requests within one collection interval
        await Promise.all(
          Array.from({ length: 20 }, () =>
            request(`http://${address}`).get(`/${'x'.repeat(2000)}`),
          ),
        );
        return (await peak('networkIn')) > Math.max(before, 1000);
      });
      expect(await peak('networkOut')).toBeGreaterThan(1000);
    });

    it('chooses the resolution from the range and answers one node', async () => {
      for (const [range, resolution] of [
        ['1h', '1m'],
        ['1d', '1m'],
        ['7d', '1h'],
        ['30d', '1h'],
      ]) {
        const res = await api()
          .get(`/api/cloud/stacks/${stackId}/metrics?range=${range}`)
          .set('authorization', as(VIEWER));
        expect(res.status).toBe(200);
        expect(res.body.resolution).toBe(resolution);
      }
      const res = await api()
        .get(
          `/api/cloud/stacks/${stackId}/nodes/db-1/metrics?range=1h&resolution=raw&metric=memory`,
        )
        .set('authorization', as(VIEWER));
      expect(res.status).toBe(200);
      expect(res.body.resolution).toBe('raw');
      expect(res.body.series.map((s: MetricSeries) => s.metric)).toEqual([
        'memory',
      ]);
      expect(res.body.series[0].points.length).toBeGreaterThan(1);
    });

    it('refuses bad input with a 400 and hides the stack from who may not read it', async () => {
      const get = (path: string, user = VIEWER) =>
        api()
          .get(`/api/cloud/stacks/${stackId}${path}`)
          .set('authorization', as(user));
      const future = new Date(Date.now() + 3_600_000).toISOString();
      const old = new Date(Date.now() - 500 * 86_400_000).toISOString();
      for (const [path, message] of [
        ['/nodes/nope-1/metrics?range=1h', "no node 'nope-1'"],
        [`/metrics?from=${future}`, 'future'],
        [`/metrics?from=${old}`, 'before what is kept'],
        [
          `/metrics?from=${new Date(
            Date.now() - 3 * 86_400_000,
          ).toISOString()}&resolution=1m`,
          'before what is kept',
        ],
        ['/metrics?range=1h&resolution=5m', 'resolution'],
        ['/metrics?range=2h', 'range'],
        ['/metrics', "'range' or a 'from'"],
      ]) {
        const res = await get(path);
        expect({ path, status: res.status }).toEqual({ path, status: 400 });
        expect(res.body.error.message).toMatch(new RegExp(message, 'i'));
      }
      expect((await get('/metrics?range=1h', OUTSIDER)).status).toBe(404);
      expect(
        (
          await api()
            .get('/api/cloud/stacks/no-such-stack/metrics?range=1h')
            .set('authorization', as(VIEWER))
        ).status,
      ).toBe(404);
    });

    it('exports the latest figures to Prometheus for admins and services only', async () => {
      const admin = await api()
        .get('/api/cloud/metrics')
        .set('authorization', as(ADMIN));
      expect(admin.status).toBe(200);
      expect(admin.headers['content-type']).toMatch(/^text\/plain/);
      expect(admin.text).toContain(
        '# TYPE cloud_node_cpu_seconds_total counter',
      );
      expect(admin.text).toMatch(
        new RegExp(
          `^cloud_node_memory_bytes\\{stack_id="${stackId}",node="db-1"\\} \\d+ \\d+$`,
          'm',
        ),
      );
      const service = await api()
        .get('/api/cloud/metrics')
        .set('authorization', mockCredentials.service.header());
      expect(service.status).toBe(200);
      expect(service.text).toContain('cloud_node_network_receive_bytes_total{');
      const viewer = await api()
        .get('/api/cloud/metrics')
        .set('authorization', as(VIEWER));
      expect(viewer.status).toBe(403);
      expect(permissions.authorize).toHaveBeenCalledWith(
        [{ permission: cloudMetricsReadPermission }],
        expect.anything(),
      );
    });
  },
);
