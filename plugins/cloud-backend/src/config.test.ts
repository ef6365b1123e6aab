import {
  mockCredentials,
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { CloudProvider } from '@internal/plugin-cloud-node';
import request from 'supertest';
import { FakeProvider, ORG, providerModule } from './__testUtils__/providers';
import { cloudPlugin } from './plugin';

/** The fake provider on a host of its own, and able to scale and run scripts. */
const fake = new FakeProvider();
const stackOf = async (stackId: string) => fake.stacks.get(stackId)!;
const provider: CloudProvider = {
  id: fake.id,
  title: fake.title,
  hostId: 'config-host',
  listRegions: () => fake.listRegions(),
  listRuntimes: () => fake.listRuntimes(),
  deployStack: req => fake.deployStack(req),
  getStack: stackId => fake.getStack(stackId),
  listStacks: () => fake.listStacks(),
  deleteStack: stackId => fake.deleteStack(stackId),
  startNodes: ({ stackId }) => stackOf(stackId),
  stopNodes: ({ stackId }) => stackOf(stackId),
  restartNodes: ({ stackId }) => stackOf(stackId),
  async scaleRole(stackId, role, count) {
    const stack = await stackOf(stackId);
    stack.nodes = [
      ...stack.nodes.filter(n => n.role !== role),
      ...Array.from({ length: count }, (_, i) => ({
        name: `${role}-${i + 1}`,
        role,
        resourceId: `fake:${stackId}/${role}-${i + 1}`,
        status: 'running' as const,
      })),
    ];
    return stack;
  },
  runScript: async () => ({
    exitCode: 0,
    timedOut: false,
    output: '',
    durationMs: 0,
  }),
  getLogs: async () => '',
};

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

describe('the cloud backend with every key of config.d.ts set', () => {
  const scheduler = mockServices.scheduler.mock();
  let backend: Awaited<ReturnType<typeof startTestBackend>>;
  let knex: Awaited<ReturnType<typeof databases.init>>;
  const auth = mockCredentials.user.header('user:default/developer');

  beforeAll(async () => {
    knex = await databases.init('SQLITE_3');
    backend = await startTestBackend({
      features: [
        cloudPlugin,
        providerModule(provider),
        catalogServiceMock.factory({ entities: ORG }),
        mockServices.database.factory({ knex }),
        scheduler.factory,
        mockServices.rootConfig.factory({
          data: {
            cloud: {
              maxNodesPerRole: 2,
              maxScriptTimeoutSeconds: 7,
              reconcile: {
                frequency: { seconds: 30 },
                timeout: { minutes: 2 },
                initialDelay: { seconds: 10 },
              },
              instance: {
                baseUrl: 'http://10.0.0.5:7007/api/cloud',
                heartbeat: { seconds: 4 },
              },
            },
          },
        }),
      ],
    });
  });

  afterAll(async () => {
    await backend?.stop();
  });

  it('schedules reconciliation and heartbeats as configured', async () => {
    expect(scheduler.scheduleTask).toHaveBeenCalledWith(
      expect.objectContaining({
        id: 'cloud-reconcile:config-host',
        frequency: { seconds: 30 },
        timeout: { minutes: 2 },
        initialDelay: { seconds: 10 },
      }),
    );
    expect(scheduler.scheduleTask).toHaveBeenCalledWith(
      expect.objectContaining({
        id: 'cloud-host-heartbeat',
        frequency: { seconds: 4 },
      }),
    );
  });

  it('forgets Idempotency-Keys after a day', async () => {
    const housekeeping = scheduler.scheduleTask.mock.calls
      .map(([task]) => task)
      .find(task => task.id === 'cloud-idempotency-housekeeping');
    expect(housekeeping).toMatchObject({ frequency: { hours: 1 } });
    const key = { principal: 'user:default/dev', route: 'POST /stacks' };
    await knex('cloud_idempotency_keys').insert([
      {
        ...key,
        key: 'old',
        body_hash: 'h',
        created_at: new Date(Date.now() - 25 * 60 * 60 * 1000),
      },
      { ...key, key: 'new', body_hash: 'h', created_at: new Date() },
    ]);
    await (housekeeping!.fn as () => Promise<void>)();
    const left = await knex('cloud_idempotency_keys')
      .whereIn('key', ['old', 'new'])
      .pluck('key');
    expect(left).toEqual(['new']);
  });

  it('tells the other instances where it serves its host', async () => {
    const hosts = await knex('hosts').select('host_id', 'base_url');
    expect(hosts).toEqual([
      { host_id: 'config-host', base_url: 'http://10.0.0.5:7007/api/cloud' },
    ]);
  });

  it('holds roles and scripts to the configured limits', async () => {
    const deploy = (count: number) =>
      request(backend.server)
        .post('/api/cloud/stacks')
        .set('authorization', auth)
        .send({
          name: `limits-${count}`,
          owner: 'group:default/team-web',
          provider: 'fake',
          region: 'fake-1',
          spec: { roles: [{ name: 'app', count, runtime: 'node' }] },
        });
    const tooMany = await deploy(3);
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.error.message).toContain('from 0 to 2');
    const stack = await deploy(2);
    expect(stack.status).toBe(201);

    const scaled = await request(backend.server)
      .post(`/api/cloud/stacks/${stack.body.id}/scale`)
      .set('authorization', auth)
      .send({ role: 'app', count: 3 });
    expect(scaled.status).toBe(400);
    expect(scaled.body.error.message).toContain('from 0 to 2');

    const script = (timeoutSeconds: number) =>
      request(backend.server)
        .post(`/api/cloud/stacks/${stack.body.id}/nodes/app-1/script`)
        .set('authorization', auth)
        .send({ script: 'true', timeoutSeconds });
    const tooLong = await script(8);
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.error.message).toContain('from 1 to 7');
    expect((await script(7)).status).toBe(200);
  });
});
