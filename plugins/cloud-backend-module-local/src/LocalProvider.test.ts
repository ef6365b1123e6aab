import { mockServices } from '@backstage/backend-test-utils';
import {
  contractStackSpec,
  runCloudProviderContractTests,
} from '@internal/plugin-cloud-node/testUtils';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import { join } from 'node:path';
import { NodeFailedError } from '@internal/plugin-cloud-node';
import { LocalProvider, LocalProviderOptions } from './LocalProvider';
import { getLocalhostUrl, isAlive, waitFor } from './testHelpers';

const logger = mockServices.logger.mock();

function tempDir() {
  return fs.mkdtempSync(join(os.tmpdir(), 'cloud-local-'));
}

function pidOf(dataDir: string, stackId: string, node: string) {
  return Number(
    fs.readFileSync(
      join(dataDir, 'stacks', stackId, 'nodes', node, 'node.pid'),
      'utf8',
    ),
  );
}

describe('LocalProvider contract', () => {
  const dataDir = tempDir();
  runCloudProviderContractTests({
    region: 'local',
    create: () => LocalProvider.create({ dataDir, logger }),
    destroy: async provider => {
      await (provider as LocalProvider).shutdown();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
    get: getLocalhostUrl,
    collectsMetrics: true,
  });
});

describe('LocalProvider', () => {
  let dataDir: string;
  const providers: LocalProvider[] = [];

  beforeEach(() => {
    dataDir = tempDir();
  });

  afterEach(async () => {
    jest.restoreAllMocks();
    for (const provider of providers.splice(0)) {
      for (const stack of await provider.listStacks()) {
        await provider.deleteStack(stack.stackId);
      }
      await provider.shutdown();
    }
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  async function create() {
    const provider = await LocalProvider.create({
      dataDir,
      logger,
      healthIntervalMs: 200,
    });
    providers.push(provider);
    return provider;
  }

  it('restarts a crashed node', async () => {
    const provider = await create();
    await provider.deployStack({
      stackId: 's1',
      name: 'crashy',
      region: 'local',
      spec: contractStackSpec(1),
    });
    const pid = pidOf(dataDir, 's1', 'app-1');
    process.kill(pid, 'SIGKILL');
    await waitFor(() => pidOf(dataDir, 's1', 'app-1') !== pid);
    await waitFor(async () =>
      (await provider.getStack('s1'))!.nodes.every(n => n.status === 'running'),
    );
    const url = (await provider.getStack('s1'))!.url!;
    expect((await getLocalhostUrl(url)).status).toBe(200);
    const logs = await provider.getLogs({ stackId: 's1', nodeName: 'app-1' });
    expect(logs).toContain('signal=SIGKILL');
  }, 30_000);

  it('starts a node again only once its new process answers, whatever the old one answered late', async () => {
    const provider = await create();
    await provider.deployStack({
      stackId: 'late',
      name: 'late',
      region: 'local',
      spec: contractStackSpec(1),
    });
    const address = (await provider.getStack('late'))!.nodes.find(
      n => n.name === 'db-1',
    )!.privateAddress;
    // From now on db-1's answers to its health checks are held, and reach
    // the provider only after the process that gave them has exited, as
    // through a busy relay.
    const { request } = http;
    const held: Array<() => void> = [];
    jest.spyOn(http, 'request').mockImplementation(((
      options: http.RequestOptions,
      callback: (res: http.IncomingMessage) => void,
    ) => {
      if (`${options.host}:${options.port}` !== address) {
        return request(options, callback);
      }
      return request(options, res => held.push(() => callback(res)));
    }) as typeof http.request);
    await waitFor(() => held.length > 0);
    await provider.stopNodes({ stackId: 'late', nodeNames: ['db-1'] });
    jest.restoreAllMocks();
    held.forEach(answer => answer());

    const started = await provider.startNodes({
      stackId: 'late',
      nodeNames: ['db-1'],
    });
    const db = started.nodes.find(n => n.name === 'db-1')!;
    expect(db.status).toBe('running');
    // running means that the new process answers
    const res = await fetch(`http://${db.privateAddress}/`);
    expect(res.status).toBeLessThan(500);
  }, 30_000);

  it('ends every process and folder of a deleted or scaled-in node', async () => {
    const provider = await create();
    await provider.deployStack({
      stackId: 's2',
      name: 'tidy',
      region: 'local',
      spec: contractStackSpec(3),
    });
    const app3 = pidOf(dataDir, 's2', 'app-3');
    // a grandchild in the node's process group must end with it
    const script = await provider.runScript({
      stackId: 's2',
      nodeName: 'db-1',
      script: 'echo ok',
      timeoutMs: 5000,
    });
    expect(script.exitCode).toBe(0);
    await provider.scaleRole('s2', 'app', 1);
    expect(isAlive(app3)).toBe(false);
    expect(fs.existsSync(join(dataDir, 'stacks', 's2', 'nodes', 'app-3'))).toBe(
      false,
    );
    const pids = ['db-1', 'app-1', 'lb-1'].map(n => pidOf(dataDir, 's2', n));
    await provider.deleteStack('s2');
    expect(pids.filter(isAlive)).toEqual([]);
    expect(fs.existsSync(join(dataDir, 'stacks', 's2'))).toBe(false);
  }, 30_000);

  it('after a crash of the backend, ends leftovers and runs what should run', async () => {
    const first = await create();
    await first.deployStack({
      stackId: 'keep',
      name: 'keep',
      region: 'local',
      spec: contractStackSpec(1),
    });
    await first.deployStack({
      stackId: 'gone',
      name: 'gone',
      region: 'local',
      spec: contractStackSpec(1),
    });
    await first.stopNodes({ stackId: 'keep', nodeNames: ['db-1'] });
    const before = ['db-1', 'app-1', 'lb-1'].map(n =>
      pidOf(dataDir, 'gone', n),
    );
    // simulate a kill in the middle of deleting 'gone'
    const record = join(dataDir, 'stacks', 'gone', 'stack.json');
    fs.writeFileSync(
      record,
      JSON.stringify({
        ...JSON.parse(fs.readFileSync(record, 'utf8')),
        state: 'deleting',
      }),
    );
    const keepPid = pidOf(dataDir, 'keep', 'app-1');
    // the first provider is abandoned without shutdown, like a SIGKILL
    providers.splice(0);
    await first.abandon();

    const second = await create();
    expect(before.filter(isAlive)).toEqual([]);
    expect(isAlive(keepPid)).toBe(false);
    expect(await second.getStack('gone')).toBeUndefined();
    expect(fs.existsSync(join(dataDir, 'stacks', 'gone'))).toBe(false);
    await waitFor(async () => {
      const stack = await second.getStack('keep');
      return (
        stack!.nodes.find(n => n.name === 'app-1')!.status === 'running' &&
        stack!.nodes.find(n => n.name === 'lb-1')!.status === 'running'
      );
    });
    const keep = (await second.getStack('keep'))!;
    expect(keep.nodes.find(n => n.name === 'db-1')!.status).toBe('stopped');
    expect((await getLocalhostUrl(keep.url!)).status).toBe(200);
  }, 30_000);

  it('finishes a deploy that a crash of the backend cut off', async () => {
    const first = await create();
    await first.deployStack({
      stackId: 'half',
      name: 'half',
      region: 'local',
      spec: contractStackSpec(2),
    });
    // as if killed after db-1 and app-1 were started: app-2 and lb-1 unknown
    const record = join(dataDir, 'stacks', 'half', 'stack.json');
    const saved = JSON.parse(fs.readFileSync(record, 'utf8'));
    fs.writeFileSync(
      record,
      JSON.stringify({
        ...saved,
        nodes: saved.nodes.filter((n: { name: string }) =>
          ['db-1', 'app-1'].includes(n.name),
        ),
        nextIndex: { db: 1, app: 1 },
      }),
    );
    const leftovers = ['db-1', 'app-1', 'app-2', 'lb-1'].map(n =>
      pidOf(dataDir, 'half', n),
    );
    providers.splice(0);
    await first.abandon();

    const second = await create();
    expect(leftovers.filter(isAlive)).toEqual([]);
    const resumed = await second.deployStack({
      stackId: 'half',
      name: 'half',
      region: 'local',
      spec: contractStackSpec(2),
    });
    expect(resumed.nodes.map(n => [n.name, n.status])).toEqual([
      ['db-1', 'running'],
      ['app-1', 'running'],
      ['app-2', 'running'],
      ['lb-1', 'running'],
    ]);
    expect((await getLocalhostUrl(resumed.url!)).status).toBe(200);
    // deploying once more changes nothing
    const again = await second.deployStack({
      stackId: 'half',
      name: 'half',
      region: 'local',
      spec: contractStackSpec(2),
    });
    expect(again.nodes.map(n => n.name)).toEqual([
      'db-1',
      'app-1',
      'app-2',
      'lb-1',
    ]);
  }, 30_000);
});

describe('LocalProvider runtimes, failures and host identity', () => {
  let dataDir: string;
  const providers: LocalProvider[] = [];

  beforeEach(() => {
    dataDir = tempDir();
  });

  afterEach(async () => {
    for (const provider of providers.splice(0)) {
      for (const stack of await provider.listStacks()) {
        await provider.deleteStack(stack.stackId);
      }
      await provider.shutdown();
    }
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  async function create(options?: Partial<LocalProviderOptions>) {
    const provider = await LocalProvider.create({
      dataDir,
      logger,
      healthIntervalMs: 200,
      ...options,
    });
    providers.push(provider);
    return provider;
  }

  it('offers the built-in runtimes, or those configured', async () => {
    const provider = await create();
    expect(provider.listRuntimes().map(r => r.name)).toEqual([
      'node',
      'static',
      'load-balancer',
    ]);
    await provider.shutdown();
    providers.splice(0);
    const configured = await create({
      runtimes: {
        python: {
          title: 'Python',
          command: ['/usr/bin/python3', '{entry}'],
          defaultEntry: 'main.py',
        },
      },
    });
    expect(configured.listRuntimes()).toEqual([
      { name: 'python', title: 'Python', description: undefined },
    ]);
  });

  it('refuses an unknown runtime or an entry that is not a file, before anything starts', async () => {
    const provider = await create();
    await expect(
      provider.deployStack({
        stackId: 'bad',
        name: 'bad',
        region: 'local',
        spec: { roles: [{ name: 'app', count: 1, runtime: 'cobol' }] },
      }),
    ).rejects.toMatchObject({
      name: 'InputError',
      message: expect.stringContaining("'cobol'"),
    });
    await expect(
      provider.deployStack({
        stackId: 'bad',
        name: 'bad',
        region: 'local',
        spec: {
          roles: [
            {
              name: 'app',
              count: 1,
              runtime: 'node',
              entry: 'main.js',
              files: { 'server.js': '' },
            },
          ],
        },
      }),
    ).rejects.toMatchObject({
      name: 'InputError',
      message: expect.stringContaining("'main.js'"),
    });
    expect(await provider.getStack('bad')).toBeUndefined();
    expect(fs.existsSync(join(dataDir, 'stacks', 'bad'))).toBe(false);
  });

  it('serves a static site', async () => {
    const provider = await create();
    const stack = await provider.deployStack({
      stackId: 'site',
      name: 'site',
      region: 'local',
      spec: {
        roles: [
          {
            name: 'web',
            count: 1,
            runtime: 'static',
            files: { 'index.html': '<h1>hello</h1>', 'css/site.css': 'h1{}' },
          },
        ],
      },
    });
    expect(await getLocalhostUrl(stack.url!)).toEqual({
      status: 200,
      body: '<h1>hello</h1>',
    });
    expect((await getLocalhostUrl(`${stack.url}/css/site.css`)).body).toBe(
      'h1{}',
    );
    expect((await getLocalhostUrl(`${stack.url}/../node.log`)).status).toBe(
      404,
    );
  });

  it('fails a deploy at once when a node exits before it is healthy, and stops the stack', async () => {
    const provider = await create();
    const started = Date.now();
    const error = await provider
      .deployStack({
        stackId: 'broken',
        name: 'broken',
        region: 'local',
        spec: {
          roles: [
            ...contractStackSpec(1).roles.filter(r => r.name === 'db'),
            {
              name: 'app',
              count: 2,
              runtime: 'node',
              entry: 'crash.js',
              files: {
                'crash.js':
                  'console.error("cannot reach the database"); process.exit(3);',
              },
            },
          ],
        },
      })
      .catch(e => e);
    // not the 30 s health timeout
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(error).toBeInstanceOf(NodeFailedError);
    expect(error.failure).toMatchObject({
      stackId: 'broken',
      role: 'app',
      exitCode: 3,
      logTail: expect.stringContaining('cannot reach the database'),
    });
    expect(['app-1', 'app-2']).toContain(error.failure.node);
    // nothing keeps running or restarting
    const stack = (await provider.getStack('broken'))!;
    expect(
      stack.nodes.every(n => ['failed', 'stopped'].includes(n.status)),
    ).toBe(true);
    const pids = ['db-1', 'app-1', 'app-2'].map(n =>
      pidOf(dataDir, 'broken', n),
    );
    expect(pids.filter(isAlive)).toEqual([]);
    // the node that failed the deploy: its first run and two quick
    // retries, then no more; the other may be stopped before its third
    const log = await provider.getLogs({
      stackId: 'broken',
      nodeName: error.failure.node,
    });
    expect(log.match(/starting/g)).toHaveLength(3);
  }, 30_000);

  it('undoes a scale-out whose new node fails, and a start whose node fails stays stopped', async () => {
    const provider = await create();
    const server = `if (process.env.NODE_NAME === 'app-2' || require('fs').existsSync('broken')) {
  console.error('refusing to start');
  process.exit(5);
}
require('http').createServer((req, res) => res.end('ok')).listen(Number(process.env.PORT), '127.0.0.1');`;
    await provider.deployStack({
      stackId: 'scaly',
      name: 'scaly',
      region: 'local',
      spec: {
        roles: [
          {
            name: 'app',
            count: 1,
            runtime: 'node',
            entry: 'server.js',
            files: { 'server.js': server },
          },
        ],
      },
    });
    await expect(provider.scaleRole('scaly', 'app', 2)).rejects.toMatchObject({
      name: 'NodeFailedError',
      failure: { node: 'app-2', exitCode: 5 },
    });
    let stack = (await provider.getStack('scaly'))!;
    expect(stack.nodes.map(n => [n.name, n.status])).toEqual([
      ['app-1', 'running'],
    ]);
    expect(fs.existsSync(join(dataDir, 'stacks/scaly/nodes/app-2'))).toBe(
      false,
    );

    await provider.stopNodes({ stackId: 'scaly' });
    fs.writeFileSync(
      join(dataDir, 'stacks/scaly/nodes/app-1/work/broken'),
      'yes',
    );
    await expect(
      provider.startNodes({ stackId: 'scaly' }),
    ).rejects.toMatchObject({
      name: 'NodeFailedError',
      failure: { node: 'app-1', exitCode: 5 },
    });
    stack = (await provider.getStack('scaly'))!;
    expect(['failed', 'stopped']).toContain(stack.nodes[0].status);
    expect(isAlive(pidOf(dataDir, 'scaly', 'app-1'))).toBe(false);
  }, 30_000);

  it('never follows a link that a script plants where the balancer reads its upstreams', async () => {
    const provider = await create();
    const stack = await provider.deployStack({
      stackId: 'planted',
      name: 'planted',
      region: 'local',
      spec: contractStackSpec(1),
    });
    const target = join(dataDir, 'host-file');
    fs.writeFileSync(target, 'untouched');
    // as if a script had made the link; inside, the host path does not exist
    const lbDir = join(dataDir, 'stacks/planted/nodes/lb-1/work');
    fs.symlinkSync(target, join(lbDir, 'upstreams.json.tmp'));
    await provider.scaleRole('planted', 'app', 2);
    expect(fs.readFileSync(target, 'utf8')).toBe('untouched');
    expect(
      JSON.parse(fs.readFileSync(join(lbDir, 'upstreams.json'), 'utf8')),
    ).toHaveLength(2);
    expect((await getLocalhostUrl(stack.url!)).status).toBe(200);
  }, 30_000);

  it('keeps its host identity across restarts of the same data folder', async () => {
    const first = await create();
    const hostId = first.hostId;
    expect(hostId).toBeTruthy();
    await first.shutdown();
    providers.splice(0);
    const again = await create();
    expect(again.hostId).toBe(hostId);
    const otherDir = tempDir();
    try {
      const other = await create({ dataDir: otherDir });
      expect(other.hostId).not.toBe(hostId);
      const named = await create({ dataDir: otherDir, hostId: 'rack-7' });
      expect(named.hostId).toBe('rack-7');
    } finally {
      fs.rmSync(otherDir, { recursive: true, force: true });
    }
  });
});
