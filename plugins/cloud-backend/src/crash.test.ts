import { StackDetails, StackSpec } from '@internal/plugin-cloud-common';
import knexFactory from 'knex';
import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { createServer, request } from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/**
 * Crash consistency with a real SIGKILL: the backend of dev/index.ts (the
 * cloud plugin and the local provider) runs as a child process, is killed
 * while a deploy and a delete are in flight, and is started again on the
 * same database and data folder.
 */

jest.setTimeout(300_000);

const pgConnection =
  process.env.BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING;

const targets: Array<{ name: string; pg: boolean }> = [
  { name: 'SQLite', pg: false },
];
if (pgConnection) {
  targets.push({ name: 'PostgreSQL', pg: true });
}

/**
 * A node that listens once its gate opens, that is once the test's gate
 * server answers 200 (a deploy that waits for it stays in flight; a file
 * would not do, as a sandboxed node sees no folder but its own), and that
 * can ignore SIGTERM (a delete that stops it stays in flight for the
 * provider's grace period).
 */
const NODE_JS = `
const http = require('http');
process.on('SIGTERM', () => {
  if (process.env.IGNORE_SIGTERM) {
    console.log('ignoring SIGTERM');
  } else {
    process.exit(0);
  }
});
const listen = () =>
  http
    .createServer((req, res) => res.end('hello from ' + process.env.NODE_NAME))
    .listen(Number(process.env.PORT), '127.0.0.1');
const gate = process.env.GATE_URL;
if (!gate) {
  listen();
} else {
  const poll = () =>
    http
      .get(gate, res => {
        res.resume();
        if (res.statusCode === 200) {
          listen();
        } else {
          setTimeout(poll, 50);
        }
      })
      .on('error', () => setTimeout(poll, 50));
  poll();
}
`;

/** A server that answers 503 until it is opened, then 200. */
async function startGate() {
  let open = false;
  const server = createServer((_req, res) => {
    res.statusCode = open ? 200 : 503;
    res.end();
  });
  await new Promise<void>(resolve =>
    server.listen(0, '127.0.0.1', () => resolve()),
  );
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    open: () => {
      open = true;
    },
    close: () => new Promise(resolve => server.close(resolve)),
  };
}

function stackSpec(env: Record<string, string>, appCount = 1): StackSpec {
  return {
    roles: [
      {
        name: 'app',
        count: appCount,
        command: ['node', 'server.js'],
        env,
        files: { 'server.js': NODE_JS },
      },
      { name: 'lb', runtime: 'load-balancer', count: 1, balances: 'app' },
    ],
  };
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function waitFor<T>(
  what: string,
  fn: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await fn();
      if (value !== undefined && value !== false) {
        return value;
      }
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`Timed out waiting for ${what}: ${lastError ?? ''}`);
    }
    await new Promise(resolve => setTimeout(resolve, 100));
  }
}

/** Whether a process runs; a zombie awaiting its parent does not. */
function isAlive(pid: number) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/** Every live process whose working directory is under `dir`. */
function processesUnder(dir: string): Array<{ pid: number; cwd: string }> {
  const found = [];
  for (const entry of fs.readdirSync('/proc')) {
    const pid = Number(entry);
    if (!pid) {
      continue;
    }
    try {
      const cwd = fs.readlinkSync(`/proc/${pid}/cwd`);
      if (cwd.startsWith(`${dir}/`) && isAlive(pid)) {
        found.push({ pid, cwd });
      }
    } catch {
      // gone, or not ours
    }
  }
  return found;
}

/** GETs a `http://<stack>.localhost:<port>` URL through the stack router. */
function getStackUrl(url: string): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: Number(port),
        path: '/',
        headers: { host: `${hostname}:${port}` },
        agent: false,
      },
      res => {
        let body = '';
        res.on('data', chunk => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

class BackendProcess {
  private output = '';
  private readonly child: ChildProcess;
  readonly exited: Promise<void>;

  constructor(configFile: string) {
    const packageDir = path.resolve(__dirname, '..');
    this.child = spawn(
      process.execPath,
      [
        '--require',
        require.resolve('@backstage/cli/config/nodeTransform.cjs'),
        'dev/index.ts',
        '--config',
        configFile,
      ],
      {
        cwd: packageDir,
        env: { ...process.env, FORCE_COLOR: '0', NODE_ENV: 'development' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const collect = (chunk: Buffer) => {
      this.output += chunk.toString('utf8');
    };
    this.child.stdout!.on('data', collect);
    this.child.stderr!.on('data', collect);
    this.exited = new Promise(resolve =>
      this.child.once('exit', () => resolve()),
    );
  }

  get log() {
    return this.output;
  }

  get running() {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Ends the backend at once: no shutdown hook runs. */
  async kill() {
    this.child.kill('SIGKILL');
    await this.exited;
  }

  /** Stops the backend the ordinary way, which stops the stacks' nodes. */
  async stop() {
    if (!this.running) {
      return;
    }
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 30_000);
    await this.exited;
    clearTimeout(timer);
  }
}

describe.each(targets)('the cloud backend killed on $name', target => {
  const token = randomBytes(24).toString('hex');
  const prefix = `cloud_crash_${process.pid}_${Date.now()}_`;
  let dir: string;
  let dataDir: string;
  let configFile: string;
  let baseUrl: string;
  const backends: BackendProcess[] = [];

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cloud-crash-'));
    dataDir = path.join(dir, 'provider');
    const port = await freePort();
    baseUrl = `http://127.0.0.1:${port}`;
    configFile = path.join(dir, 'app-config.json');
    fs.writeFileSync(
      configFile,
      JSON.stringify({
        backend: {
          baseUrl,
          listen: { host: '127.0.0.1', port },
          database: target.pg
            ? { client: 'pg', connection: pgConnection, prefix }
            : {
                client: 'better-sqlite3',
                connection: { directory: path.join(dir, 'db') },
              },
          auth: {
            externalAccess: [
              { type: 'static', options: { token, subject: 'crash-test' } },
            ],
          },
        },
        permission: { enabled: false },
        cloud: { local: { dataDir } },
      }),
    );
  });

  afterAll(async () => {
    for (const backend of backends) {
      await backend.stop();
    }
    // whatever a failed test left behind must not outlive it
    for (const { pid } of processesUnder(dir)) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        process.kill(pid, 'SIGKILL');
      }
    }
    fs.rmSync(dir, { recursive: true, force: true });
    if (target.pg) {
      const knex = knexFactory({ client: 'pg', connection: pgConnection });
      try {
        const { rows } = await knex.raw(
          'SELECT datname FROM pg_database WHERE datname LIKE ?',
          [`${prefix}%`],
        );
        for (const { datname } of rows) {
          await knex.raw(`DROP DATABASE "${datname}" WITH (FORCE)`);
        }
      } finally {
        await knex.destroy();
      }
    }
  }, 120_000);

  async function startBackend() {
    const backend = new BackendProcess(configFile);
    backends.push(backend);
    await waitFor(
      'the backend to be ready',
      async () => {
        if (!backend.running) {
          throw new Error(`the backend exited:\n${backend.log}`);
        }
        const res = await fetch(`${baseUrl}/.backstage/health/v1/readiness`);
        return res.ok;
      },
      150_000,
    ).catch(error => {
      throw new Error(`${error.message}\n${backend.log}`);
    });
    return backend;
  }

  function api(method: string, route: string, body?: unknown, key?: string) {
    return fetch(`${baseUrl}/api/cloud${route}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body ? { 'content-type': 'application/json' } : {}),
        ...(key ? { 'idempotency-key': key } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
    });
  }

  async function getStack(stackId: string): Promise<StackDetails> {
    const res = await api('GET', `/stacks/${stackId}`);
    expect(res.status).toBe(200);
    return res.json();
  }

  async function stacksNamed(name: string): Promise<StackDetails[]> {
    const res = await api('GET', '/stacks?includeDeleted=true');
    const { items } = await res.json();
    return items.filter((s: StackDetails) => s.name === name);
  }

  function createBody(name: string, spec: StackSpec) {
    return {
      name,
      owner: 'group:default/team-web',
      provider: 'local',
      region: 'local',
      spec,
    };
  }

  function nodePid(stackId: string, node: string): number | undefined {
    try {
      const pid = Number(
        fs.readFileSync(
          path.join(dataDir, 'stacks', stackId, 'nodes', node, 'node.pid'),
          'utf8',
        ),
      );
      return pid && isAlive(pid) ? pid : undefined;
    } catch {
      return undefined;
    }
  }

  it('finishes a deploy and a delete cut off by SIGKILL, and runs again what ran', async () => {
    const first = await startBackend();
    const gate = await startGate();

    // a stack that runs before the kill
    const steadyRes = await api(
      'POST',
      '/stacks',
      createBody('steady', stackSpec({})),
    );
    expect(steadyRes.status).toBe(201);
    const steady: StackDetails = await steadyRes.json();
    expect(steady.status).toBe('running');
    expect((await getStackUrl(steady.url!)).body).toBe('hello from app-1');

    // a stack whose node holds its delete up for the provider's grace period
    const doomedRes = await api(
      'POST',
      '/stacks',
      createBody('doomed', stackSpec({ IGNORE_SIGTERM: '1' })),
    );
    expect(doomedRes.status).toBe(201);
    const doomed: StackDetails = await doomedRes.json();

    // a deploy in flight: its app nodes are started and wait for the gate
    const deployKey = `crash-${target.name}`;
    const deployBody = createBody(
      'halfway',
      stackSpec({ GATE_URL: gate.url }, 2),
    );
    const deployCall = api('POST', '/stacks', deployBody, deployKey);
    const pending = await waitFor('the pending row', async () => {
      const [stack] = await stacksNamed('halfway');
      return stack?.status === 'deploying' ? stack : undefined;
    });
    const halfwayPids = await waitFor('the started app nodes', () => {
      const pids = ['app-1', 'app-2'].map(n => nodePid(pending.id, n));
      return pids.every(Boolean) ? (pids as number[]) : undefined;
    });
    expect(nodePid(pending.id, 'lb-1')).toBeUndefined();

    // a delete in flight: the node got SIGTERM and ignores it
    const doomedPid = nodePid(doomed.id, 'app-1')!;
    const doomedLog = path.join(
      dataDir,
      'stacks',
      doomed.id,
      'nodes',
      'app-1',
      'node.log',
    );
    const deleteCall = api('DELETE', `/stacks/${doomed.id}`);
    await waitFor('the delete to reach the node', () =>
      fs.readFileSync(doomedLog, 'utf8').includes('ignoring SIGTERM'),
    );

    const steadyPids = ['app-1', 'lb-1'].map(n => nodePid(steady.id, n)!);
    await first.kill();
    // neither call got an answer: both were cut off
    await expect(deployCall).rejects.toThrow();
    await expect(deleteCall).rejects.toThrow();
    // A sandboxed node may end with the backend; one that outlived it must
    // not outlive the next start (checked below).

    gate.open();
    await startBackend();

    // no process of the previous life survives
    expect([...halfwayPids, doomedPid, ...steadyPids].filter(isAlive)).toEqual(
      [],
    );

    // the interrupted deploy is finished: running, once
    const halfway = await waitFor('the resumed deploy', async () => {
      const stack = await getStack(pending.id);
      return stack.status === 'deploying' ? undefined : stack;
    });
    expect({ status: halfway.status, error: halfway.error }).toEqual({
      status: 'running',
      error: undefined,
    });
    expect(halfway.nodes.map(n => [n.name, n.status])).toEqual([
      ['app-1', 'running'],
      ['app-2', 'running'],
      ['lb-1', 'running'],
    ]);
    expect((await getStackUrl(halfway.url!)).body).toMatch(
      /^hello from app-[12]$/,
    );
    expect((await stacksNamed('halfway')).map(s => s.id)).toEqual([pending.id]);
    // the same request again is answered with that stack, not a second one
    const retry = await api('POST', '/stacks', deployBody, deployKey);
    expect(retry.status).toBe(200);
    expect((await retry.json()).id).toBe(pending.id);
    expect((await stacksNamed('halfway')).map(s => s.id)).toEqual([pending.id]);

    // the interrupted delete is finished: nothing left of the stack
    const deleted = await getStack(doomed.id);
    expect(deleted).toMatchObject({
      status: 'deleted',
      deletedBy: 'crash-test',
    });
    expect(deleted.deletedAt).toBeTruthy();
    expect(deleted.nodes.every(n => n.status === 'deleted')).toBe(true);
    expect(fs.existsSync(path.join(dataDir, 'stacks', doomed.id))).toBe(false);

    // the stack that ran before runs again, on new processes
    const back = await getStack(steady.id);
    expect(back.status).toBe('running');
    expect(back.nodes.map(n => n.status)).toEqual(['running', 'running']);
    expect((await getStackUrl(back.url!)).body).toBe('hello from app-1');

    // every process under the provider's folder belongs to a node of a live
    // stack (a sandboxed node is a few processes)
    const live: Array<[string, string]> = [
      ...['app-1', 'lb-1'].map(n => [steady.id, n] as [string, string]),
      ...['app-1', 'app-2', 'lb-1'].map(
        n => [pending.id, n] as [string, string],
      ),
    ];
    expect(live.every(([id, n]) => nodePid(id, n))).toBe(true);
    const liveDirs = live.map(([id, n]) =>
      path.join(dataDir, 'stacks', id, 'nodes', n),
    );
    expect(
      processesUnder(dataDir).filter(
        p => !liveDirs.some(d => p.cwd === d || p.cwd.startsWith(`${d}/`)),
      ),
    ).toEqual([]);
    expect(fs.readdirSync(path.join(dataDir, 'stacks')).sort()).toEqual(
      [steady.id, pending.id].sort(),
    );

    // and deleting them now leaves nothing behind
    for (const stackId of [steady.id, pending.id]) {
      const res = await api('DELETE', `/stacks/${stackId}`);
      expect(res.status).toBe(200);
      expect((await res.json()).status).toBe('deleted');
    }
    expect(processesUnder(dataDir)).toEqual([]);
    expect(fs.readdirSync(path.join(dataDir, 'stacks'))).toEqual([]);
    await gate.close();
  });
});
