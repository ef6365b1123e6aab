import { StackDetails } from '@internal/plugin-cloud-common';
import knexFactory from 'knex';
import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {
  describeWithOpenStack,
  testCloud,
  testHeat,
} from './__testUtils__/testCloud';

/**
 * Crash safety with a real SIGKILL and a real Heat: the backend of
 * dev/index.ts (the cloud plugin and this provider) runs as a child process,
 * is killed while Heat creates a stack, and is started again on the same
 * database; it follows the create to its end, and Heat holds one stack.
 */

jest.setTimeout(300_000);

const pgConnection =
  process.env.BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING;
const targets: Array<{ name: string; pg: boolean }> = [
  { name: 'SQLite', pg: false },
  ...(pgConnection ? [{ name: 'PostgreSQL', pg: true }] : []),
];

/** Heat's test resource holds the create up for a few seconds. */
const SLOW_TEMPLATE = `
heat_template_version: 2021-04-16
parameters:
  app_count:
    type: number
    default: 1
resources:
  app:
    type: OS::Heat::ResourceGroup
    properties:
      count: { get_param: app_count }
      resource_def:
        type: OS::Heat::TestResource
        properties:
          value: 10.40.0.%index%
          wait_secs: 6
outputs:
  app_addresses:
    value: { get_attr: [app, output] }
  url:
    value: https://slow.example
`;

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
  fn: () => Promise<T | undefined | false>,
  timeoutMs = 120_000,
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

class BackendProcess {
  private output = '';
  private readonly child: ChildProcess;
  readonly exited: Promise<void>;

  constructor(configFile: string) {
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
        cwd: path.resolve(__dirname, '..'),
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

  async kill() {
    this.child.kill('SIGKILL');
    await this.exited;
  }

  async stop() {
    if (this.running) {
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 30_000);
      await this.exited;
      clearTimeout(timer);
    }
  }
}

describeWithOpenStack('the cloud backend with OpenStack, killed', () => {
  describe.each(targets)('on $name', target => {
    const token = randomBytes(24).toString('hex');
    const tag = `crash${randomBytes(3).toString('hex')}`;
    const prefix = `cloud_os_crash_${process.pid}_${Date.now()}_`;
    const heat = testHeat();
    let dir: string;
    let configFile: string;
    let baseUrl: string;
    const backends: BackendProcess[] = [];

    beforeAll(async () => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cloud-os-crash-'));
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
          cloud: {
            openstack: {
              tag,
              providers: {
                openstack: {
                  regions: {
                    [testCloud!.region]: {
                      authUrl: testCloud!.authUrl,
                      project: testCloud!.project,
                      projectDomain: testCloud!.domain,
                      credentials: {
                        type: 'password',
                        username: testCloud!.username,
                        userDomain: testCloud!.domain,
                        passwordEnv: 'CLOUDSTORE_OPENSTACK_PASSWORD',
                      },
                    },
                  },
                },
              },
            },
          },
        }),
      );
    });

    afterAll(async () => {
      for (const backend of backends) {
        await backend.stop();
      }
      // what a failed test left in Heat must not outlive it
      for (const stack of await heat.listStacks([tag])) {
        await heat.deleteStack(stack);
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
          return (await fetch(`${baseUrl}/.backstage/health/v1/readiness`)).ok;
        },
        150_000,
      ).catch(error => {
        throw new Error(`${error.message}\n${backend.log}`);
      });
      return backend;
    }

    function api(method: string, route: string, body?: unknown) {
      return fetch(`${baseUrl}/api/cloud${route}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body ? { 'content-type': 'application/json' } : {}),
        },
        body: body ? JSON.stringify(body) : undefined,
      });
    }

    async function getStack(stackId: string): Promise<StackDetails> {
      const res = await api('GET', `/stacks/${stackId}`);
      expect(res.status).toBe(200);
      return res.json();
    }

    it('follows a Heat create cut off by SIGKILL to its end, with one Heat stack', async () => {
      const first = await startBackend();
      const deployCall = api('POST', '/stacks', {
        name: 'halfway',
        owner: 'group:default/web-team',
        provider: 'openstack',
        region: testCloud!.region,
        spec: {
          roles: [{ name: 'app', count: 2 }],
          template: { format: 'hot', body: SLOW_TEMPLATE },
        },
      }).catch(error => error);

      // Heat is creating the stack when the backend dies
      const creating = await waitFor('the Heat create', async () => {
        const [stack] = await heat.listStacks([tag]);
        return stack?.stack_status === 'CREATE_IN_PROGRESS' && stack;
      });
      await first.kill();
      await deployCall;
      const stackId = creating.stack_name.slice(`${tag}-`.length);
      expect((await heat.getStack(creating.stack_name))!.stack_status).toBe(
        'CREATE_IN_PROGRESS',
      );

      await startBackend();
      const stack = await waitFor('the resumed deploy', async () => {
        const current = await getStack(stackId);
        return current.status !== 'deploying' && current;
      });
      expect(stack.status).toBe('running');
      expect(stack.url).toBe('https://slow.example');
      expect(
        stack.nodes.map(n => [n.name, n.privateAddress, n.status]),
      ).toEqual([
        ['app-1', '10.40.0.0', 'running'],
        ['app-2', '10.40.0.1', 'running'],
      ]);
      const inHeat = await heat.listStacks([tag]);
      expect(inHeat.map(s => [s.id, s.stack_status])).toEqual([
        [creating.id, 'CREATE_COMPLETE'],
      ]);

      // and it is deleted from Heat through the API
      expect((await api('DELETE', `/stacks/${stackId}`)).status).toBeLessThan(
        300,
      );
      await waitFor('the stack gone from Heat', async () =>
        (await heat.listStacks([tag])).length === 0 ? true : undefined,
      );
      await waitFor('the stack deleted in the inventory', async () =>
        (await getStack(stackId)).status === 'deleted' ? true : undefined,
      );
    });
  });
});
