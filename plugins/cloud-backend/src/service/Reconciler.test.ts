import {
  mockCredentials,
  mockServices,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { LocalProvider } from '@internal/plugin-cloud-backend-module-local';
import { StackSpec } from '@internal/plugin-cloud-common';
import fs from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { ORG } from '../__testUtils__/providers';
import { CloudStore, StoredStack } from '../database/CloudStore';
import { createStackServices } from './createStackServices';
import { ProviderRegistry } from './ProviderRegistry';
import { RECONCILER_ACTOR } from './StackService';

jest.setTimeout(60_000);

const SERVER = `require('http').createServer((q, s) => s.end('ok')).listen(Number(process.env.PORT), '127.0.0.1');`;
const spec: StackSpec = {
  roles: [
    {
      name: 'app',
      count: 2,
      command: ['node', 's.js'],
      files: { 's.js': SERVER },
    },
    { name: 'lb', runtime: 'load-balancer', count: 1, balances: 'app' },
  ],
};

function isAlive(pid: number) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

function pidsOf(dataDir: string, stackId: string): number[] {
  const dir = join(dataDir, 'stacks', stackId, 'nodes');
  return fs
    .readdirSync(dir)
    .map(n => Number(fs.readFileSync(join(dir, n, 'node.pid'), 'utf8')));
}

async function waitFor(check: () => boolean | Promise<boolean>) {
  const deadline = Date.now() + 10_000;
  while (!(await check())) {
    if (Date.now() > deadline) {
      throw new Error('Timed out waiting for a condition');
    }
    await new Promise(resolve => setTimeout(resolve, 50));
  }
}

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

describe.each(databases.eachSupportedId())('Reconciler on %s', databaseId => {
  let dataDir: string;
  let providers: LocalProvider[];

  beforeEach(() => {
    dataDir = fs.mkdtempSync(join(os.tmpdir(), 'cloud-reconcile-'));
    providers = [];
  });

  afterEach(async () => {
    for (const provider of providers) {
      for (const stack of await provider.listStacks()) {
        await provider.deleteStack(stack.stackId);
      }
      await provider.shutdown();
    }
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  /**
   * One backend "life": a provider on a data folder, as the instance serving
   * `hostId`, and the services.
   */
  async function start(
    store: CloudStore,
    options: { hostId?: string; dir?: string } = {},
  ) {
    const hostId = options.hostId ?? 'host-a';
    const provider = await LocalProvider.create({
      dataDir: options.dir ?? dataDir,
      logger: mockServices.logger.mock(),
      healthIntervalMs: 200,
      hostId,
    });
    providers.push(provider);
    const registry = new ProviderRegistry();
    registry.addProvider(provider);
    const services = createStackServices({
      store,
      providers: registry,
      logger: mockServices.logger.mock(),
      limits: { maxNodesPerRole: 5, maxScriptTimeoutSeconds: 60 },
      auditor: mockServices.auditor.mock({
        createEvent: async () => ({
          success: async () => {},
          fail: async () => {},
        }),
      }),
      auth: mockServices.auth(),
      permissions: mockServices.permissions(),
      userInfo: mockServices.userInfo(),
      catalog: catalogServiceMock({ entities: ORG }),
      instanceId: `${hostId}-${Math.random().toString(36).slice(2)}`,
      baseUrl: `http://${hostId}.invalid/api/cloud`,
      hostAliveMs: 30_000,
    });
    return { provider, ...services };
  }

  const asService = { credentials: mockCredentials.service() };

  /** Ends a life the way SIGKILL would: no shutdown, processes left behind. */
  async function kill(life: { provider: LocalProvider }) {
    providers.splice(providers.indexOf(life.provider), 1);
    await life.provider.abandon();
  }

  function row(
    id: string,
    name: string,
    status: 'deploying' | 'deleting' | 'running',
  ): StoredStack {
    return {
      id,
      name,
      owner: 'group:default/team-web',
      provider: 'local',
      region: 'local',
      hostId: 'host-a',
      status,
      spec,
      createdBy: 'user:default/developer',
      createdAt: new Date().toISOString(),
    };
  }

  it('leaves a terminal state and no orphan after crashes during deploy and delete', async () => {
    const knex = await databases.init(databaseId);
    const store = await CloudStore.create(
      mockServices.database({ knex, migrations: { skip: false } }),
    );
    const first = await start(store);

    // killed during deploy: the pending row is written, the provider started nodes
    await store.insertStack(row('deploying-1', 'half-born', 'deploying'));
    await first.provider.deployStack({
      stackId: 'deploying-1',
      name: 'half-born',
      region: 'local',
      spec,
    });
    // killed during delete: marked deleting, nodes still running
    const kept = await first.stacks.create(
      {
        name: 'dying',
        owner: 'group:default/team-web',
        provider: 'local',
        region: 'local',
        spec,
      },
      asService,
    );
    await store.updateStack(kept.stack.id, {
      status: 'deleting',
      deletedBy: 'user:default/ops',
    });
    // a healthy stack that must come back
    const healthy = await first.stacks.create(
      {
        name: 'healthy',
        owner: 'group:default/team-web',
        provider: 'local',
        region: 'local',
        spec,
      },
      asService,
    );
    // an orphan the inventory never heard of, and a ghost the provider lost
    await first.provider.deployStack({
      stackId: 'orphan-1',
      name: 'orphan',
      region: 'local',
      spec,
    });
    await store.insertStack(row('ghost-1', 'ghost', 'running'));

    const pids = {
      deploying: pidsOf(dataDir, 'deploying-1'),
      deleting: pidsOf(dataDir, kept.stack.id),
      orphan: pidsOf(dataDir, 'orphan-1'),
      healthy: pidsOf(dataDir, healthy.stack.id),
    };
    await kill(first);

    const second = await start(store);
    const report = await second.reconciler.reconcile();
    expect(report).toMatchObject({
      resumedDeploys: ['deploying-1'],
      deletesFinished: [kept.stack.id],
      orphansDeleted: ['orphan-1'],
      ghostsRemoved: ['ghost-1'],
    });

    await waitFor(() =>
      [
        ...pids.deploying,
        ...pids.deleting,
        ...pids.orphan,
        ...pids.healthy,
      ].every(p => !isAlive(p)),
    );
    expect(
      (await second.provider.listStacks()).map(s => s.stackId).sort(),
    ).toEqual(['deploying-1', healthy.stack.id].sort());

    // the interrupted deploy is finished, on new processes
    await waitFor(
      async () =>
        (await second.stacks.get('deploying-1')).status !== 'deploying',
    );
    const resumed = await second.stacks.get('deploying-1');
    expect(resumed).toMatchObject({
      status: 'running',
      url: expect.any(String),
    });
    expect(resumed.deletedAt).toBeUndefined();
    expect(resumed.nodes.map(n => [n.name, n.status])).toEqual([
      ['app-1', 'running'],
      ['app-2', 'running'],
      ['lb-1', 'running'],
    ]);
    expect(pidsOf(dataDir, 'deploying-1').every(isAlive)).toBe(true);
    const deleted = await second.stacks.get(kept.stack.id);
    expect(deleted).toMatchObject({
      status: 'deleted',
      deletedBy: 'user:default/ops',
    });
    expect(deleted.nodes.every(n => n.deletedBy === 'user:default/ops')).toBe(
      true,
    );
    const ghost = await second.stacks.get('ghost-1');
    expect(ghost).toMatchObject({
      status: 'deleted',
      deletedBy: RECONCILER_ACTOR,
    });

    // the healthy stack runs again, on new processes
    await waitFor(async () => {
      const now = await second.provider.getStack(healthy.stack.id);
      return now!.nodes.every(n => n.status === 'running');
    });
    const respawned = pidsOf(dataDir, healthy.stack.id);
    expect(respawned.every(isAlive)).toBe(true);
    expect(respawned.some(p => pids.healthy.includes(p))).toBe(false);
    await second.reconciler.reconcile();
    const live = await second.stacks.get(healthy.stack.id);
    expect(live.status).toBe('running');
    expect(live.nodes).toHaveLength(3);
    const names = (await store.listStacks({})).map(s => s.name).sort();
    expect(names).toEqual(['half-born', 'healthy']);
  });
  it('lets each instance judge only the stacks of its own host, tick after tick', async () => {
    const knex = await databases.init(databaseId);
    const store = await CloudStore.create(
      mockServices.database({ knex, migrations: { skip: false } }),
    );
    const dirB = fs.mkdtempSync(join(os.tmpdir(), 'cloud-reconcile-b-'));
    try {
      const a = await start(store, { hostId: 'host-a' });
      const b = await start(store, { hostId: 'host-b', dir: dirB });
      const request = (name: string) => ({
        name,
        owner: 'group:default/team-web',
        provider: 'local',
        region: 'local',
        spec,
      });
      const onA = await a.stacks.create(request('on-a'), asService);
      const onB = await b.stacks.create(request('on-b'), asService);
      const pids = [
        ...pidsOf(dataDir, onA.stack.id),
        ...pidsOf(dirB, onB.stack.id),
      ];
      expect(pids).toHaveLength(6);

      // each instance reconciles its host, and now and then everything it
      // has, as at start-up; neither may take the other's stack for a ghost
      for (let tick = 0; tick < 10; tick++) {
        const scope = tick % 3 === 0 ? 'all' : 'hosts';
        for (const life of [a, b]) {
          const report = await life.reconciler.reconcile(scope);
          expect(report).toMatchObject({
            orphansDeleted: [],
            ghostsRemoved: [],
            resumedDeploys: [],
            deletesFinished: [],
            synced: 1,
          });
        }
      }
      for (const { stack } of [onA, onB]) {
        const now = await a.stacks.get(stack.id);
        expect(now.status).toBe('running');
        expect(now.deletedAt).toBeUndefined();
        expect(now.nodes.every(n => n.status === 'running')).toBe(true);
      }
      expect(pids.every(isAlive)).toBe(true);
      expect((await store.getStack(onA.stack.id))?.hostId).toBe('host-a');
      expect((await store.getStack(onB.stack.id))?.hostId).toBe('host-b');
    } finally {
      for (const provider of providers.splice(1)) {
        for (const stack of await provider.listStacks()) {
          await provider.deleteStack(stack.stackId);
        }
        await provider.shutdown();
      }
      fs.rmSync(dirB, { recursive: true, force: true });
    }
  });

  it('leaves leased stacks alone and resumes those whose lease ended', async () => {
    const knex = await databases.init(databaseId);
    const store = await CloudStore.create(
      mockServices.database({ knex, migrations: { skip: false } }),
    );
    const life = await start(store);
    const inOneMinute = new Date(Date.now() + 60_000).toISOString();
    const aMinuteAgo = new Date(Date.now() - 60_000).toISOString();
    // a call of this instance deploys this one now
    const call = `${life.leases.instanceId}:call`;
    await store.insertStack({
      ...row('held-1', 'held', 'deploying'),
      lease: { owner: call, expiresAt: inOneMinute },
    });
    // an instance of this host deployed these, then died
    await store.insertStack({
      ...row('expired-1', 'expired', 'deploying'),
      lease: { owner: 'gone:1', expiresAt: aMinuteAgo },
    });
    await store.insertStack({
      ...row('stale-1', 'stale', 'deploying'),
      lease: { owner: 'earlier-life:1', expiresAt: inOneMinute },
    });

    const first = await life.reconciler.reconcile();
    expect(first.resumedDeploys).toEqual(['expired-1']);
    // the lease of an earlier life of this host's instance ends at start
    expect(await life.leases.releaseStale('host-a')).toBe(1);
    const second = await life.reconciler.reconcile();
    expect(second.resumedDeploys).toEqual(['stale-1']);

    for (const id of ['expired-1', 'stale-1']) {
      // the lease ends once the deploy is recorded
      await waitFor(async () => {
        const resumed = await store.getStack(id);
        return resumed?.status === 'running' && !resumed.lease;
      });
    }
    const held = await store.getStack('held-1');
    expect(held).toMatchObject({
      status: 'deploying',
      lease: { owner: call },
    });
    expect(await life.provider.getStack('held-1')).toBeUndefined();
  });
  it('records the nodes of a resumed deploy and of a delete before the status that ends them', async () => {
    const knex = await databases.init(databaseId);
    const store = await CloudStore.create(
      mockServices.database({ knex, migrations: { skip: false } }),
    );
    // slow node writes: a status written beside them would be read first
    const later = () => new Promise(resolve => setTimeout(resolve, 300));
    const insertNodes = store.insertNodes.bind(store);
    jest.spyOn(store, 'insertNodes').mockImplementation(async nodes => {
      await later();
      return insertNodes(nodes);
    });
    const markNodesDeleted = store.markNodesDeleted.bind(store);
    jest
      .spyOn(store, 'markNodesDeleted')
      .mockImplementation(async (...args) => {
        await later();
        return markNodesDeleted(...args);
      });

    /** The nodes of a stack read right after it is first seen in `status`. */
    async function nodesWhenFirstSeen(id: string, status: string) {
      const deadline = Date.now() + 20_000;
      while ((await store.getStack(id))?.status !== status) {
        if (Date.now() > deadline) {
          throw new Error(`Stack ${id} did not become ${status}`);
        }
        await new Promise(resolve => setTimeout(resolve, 10));
      }
      const nodes = await store.listNodes(id, { includeDeleted: true });
      return nodes.map(n => [n.name, n.status]);
    }

    const life = await start(store);
    await store.insertStack({
      ...row('expired-1', 'expired', 'deploying'),
      lease: {
        owner: 'gone:1',
        expiresAt: new Date(Date.now() - 60_000).toISOString(),
      },
    });
    // a reader of the API that reads the stack once the deploy has ended,
    // and started reading before it ended
    let deployEnded!: () => void;
    const ended = new Promise<void>(resolve => {
      deployEnded = resolve;
    });
    const getStack = store.getStack.bind(store);
    jest.spyOn(store, 'getStack').mockImplementationOnce(async id => {
      await ended;
      return getStack(id);
    });
    const read = life.stacks.get('expired-1');
    const running = nodesWhenFirstSeen('expired-1', 'running');
    expect((await life.reconciler.reconcile()).resumedDeploys).toEqual([
      'expired-1',
    ]);
    expect(await running).toEqual([
      ['app-1', 'running'],
      ['app-2', 'running'],
      ['lb-1', 'running'],
    ]);
    deployEnded();
    const details = await read;
    expect([details.status, details.nodes.map(n => n.name)]).toEqual([
      'running',
      ['app-1', 'app-2', 'lb-1'],
    ]);

    const deleted = nodesWhenFirstSeen('expired-1', 'deleted');
    await life.stacks.delete('expired-1', asService.credentials);
    expect(await deleted).toEqual([
      ['app-1', 'deleted'],
      ['app-2', 'deleted'],
      ['lb-1', 'deleted'],
    ]);
  });

  it('gives a stack recorded before stacks had hosts to the host that runs it', async () => {
    const knex = await databases.init(databaseId);
    const store = await CloudStore.create(
      mockServices.database({ knex, migrations: { skip: false } }),
    );
    const life = await start(store);
    await store.insertStack({
      ...row('older-1', 'older', 'running'),
      hostId: undefined,
    });
    await life.provider.deployStack({
      stackId: 'older-1',
      name: 'older',
      region: 'local',
      spec,
    });
    // a stack without a host that no host runs is no one's ghost
    await store.insertStack({
      ...row('nowhere-1', 'nowhere', 'running'),
      hostId: undefined,
    });

    const first = await life.reconciler.reconcile();
    expect(first).toMatchObject({ orphansDeleted: [], ghostsRemoved: [] });
    expect((await store.getStack('older-1'))?.hostId).toBe('host-a');
    const second = await life.reconciler.reconcile();
    expect(second).toMatchObject({
      orphansDeleted: [],
      ghostsRemoved: [],
      synced: 1,
    });
    expect(await life.provider.getStack('older-1')).toBeDefined();
    expect((await store.getStack('nowhere-1'))?.status).toBe('running');
  });
});
