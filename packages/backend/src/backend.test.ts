import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';

/**
 * Boots the real Cloud Store backend (src/index.ts with every plugin, the
 * same way `yarn start` does) against SQLite and against PostgreSQL, and
 * checks that every plugin initialised, served its API, logged no warning or
 * error, and that the catalog ingested the demo organisation.
 */

const EXPECTED_PLUGINS = [
  'app',
  'auth',
  'catalog',
  'cloud',
  'events',
  'notifications',
  'permission',
  'proxy',
  'scaffolder',
  'search',
  'signals',
  'store',
  'user-settings',
];

/**
 * Upstream start-up races that are not ours to fix. On a first start against
 * an empty PostgreSQL, the events plugin mounts its event-bus routes only
 * after its migrations, and the catalog or the store (which follows product
 * changes) may ask to subscribe before that; they then keep their events
 * local to the instance (a single instance loses nothing). Production sets `events.useEventBus: always` so that the
 * subscription is retried instead.
 */
const KNOWN_FIRST_START_RACES = [
  /(catalog|store) warn Event subscribe request failed with status 404, events backend not found/,
];

const pgConnection =
  process.env.BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING;

type Target = {
  name: string;
  database?: (prefix: string) => object;
};

const targets: Target[] = [{ name: 'SQLite' }];
if (pgConnection) {
  targets.push({
    name: 'PostgreSQL',
    database: prefix => ({
      client: 'pg',
      connection: pgConnection,
      prefix,
    }),
  });
} else {
  // eslint-disable-next-line no-console
  console.warn(
    'SKIPPED: the PostgreSQL boot test; set BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING to run it',
  );
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

async function poll<T>(
  what: string,
  fn: () => Promise<T | undefined>,
  deadlineMs: number,
): Promise<T> {
  const deadline = Date.now() + deadlineMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await fn();
      if (value !== undefined) {
        return value;
      }
    } catch (error) {
      lastError = error;
    }
    await new Promise(resolve => setTimeout(resolve, 250));
  }
  throw new Error(`Timed out waiting for ${what}: ${lastError ?? 'no result'}`);
}

// eslint-disable-next-line no-control-regex
const stripAnsi = (text: string) => text.replace(/\u001b\[[0-9;]*m/g, '');

class BackendProcess {
  private output = '';
  private readonly child: ChildProcess;
  readonly exited: Promise<number | null>;

  constructor(env: NodeJS.ProcessEnv) {
    this.child = spawn('yarn', ['backstage-cli', 'package', 'start'], {
      cwd: path.resolve(__dirname, '..'),
      env: { ...process.env, ...env, FORCE_COLOR: '0' },
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const collect = (chunk: Buffer) => {
      this.output += stripAnsi(chunk.toString('utf8'));
    };
    this.child.stdout!.on('data', collect);
    this.child.stderr!.on('data', collect);
    this.exited = new Promise(resolve =>
      this.child.once('exit', code => resolve(code)),
    );
  }

  get log() {
    return this.output;
  }

  async stop() {
    if (this.child.exitCode !== null || this.child.signalCode !== null) {
      return;
    }
    process.kill(-this.child.pid!, 'SIGTERM');
    const timer = setTimeout(() => {
      try {
        process.kill(-this.child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    }, 15_000);
    await this.exited;
    clearTimeout(timer);
  }
}

describe.each(targets)('the backend on $name', target => {
  let backend: BackendProcess | undefined;
  let dataDir: string;
  const prefix = `cloudstore_boot_${process.pid}_${Date.now()}_`;

  beforeAll(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cloudstore-boot-'));
  });

  afterAll(async () => {
    await backend?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
    if (target.database && pgConnection) {
      const client = new Client({ connectionString: pgConnection });
      await client.connect();
      try {
        const { rows } = await client.query(
          'SELECT datname FROM pg_database WHERE datname LIKE $1',
          [`${prefix}%`],
        );
        for (const { datname } of rows) {
          await client.query(`DROP DATABASE "${datname}" WITH (FORCE)`);
        }
      } finally {
        await client.end();
      }
    }
  }, 60_000);

  it('starts every plugin cleanly and serves the demo organisation', async () => {
    const port = await freePort();
    const baseUrl = `http://localhost:${port}`;
    backend = new BackendProcess({
      CLOUDSTORE_DATA_DIR: dataDir,
      CLOUDSTORE_BACKEND_PORT: String(port),
      APP_CONFIG_backend_baseUrl: baseUrl,
      ...(target.database && {
        APP_CONFIG_backend_database: JSON.stringify(target.database(prefix)),
      }),
    });
    const exitedEarly = backend.exited.then(code => {
      throw new Error(`backend exited with ${code}:\n${backend?.log}`);
    });

    await Promise.race([
      exitedEarly,
      poll(
        'readiness',
        async () => {
          const res = await fetch(`${baseUrl}/.backstage/health/v1/readiness`);
          return res.ok ? true : undefined;
        },
        150_000,
      ),
    ]);

    // The backend logs each batch of plugins as it finishes initialising.
    const initialised = [
      ...backend.log.matchAll(/newly initialized: ([^\n]*?)(?:, still|$)/gm),
    ]
      .flatMap(match => match[1].match(/'[^']+'/g) ?? [])
      .map(name => name.replace(/'/g, ''));
    expect(initialised.sort()).toEqual(EXPECTED_PLUGINS);
    expect(backend.log).toContain('Plugin initialization complete');

    for (const pluginId of EXPECTED_PLUGINS) {
      const res = await fetch(
        `${baseUrl}/api/${pluginId}/.backstage/auth/v1/jwks.json`,
      );
      expect({ pluginId, status: res.status }).toEqual({
        pluginId,
        status: 200,
      });
    }

    // Signing in resolves the demo user in the catalog, so this also waits
    // for the first ingestion of the demo organisation.
    const token = await poll(
      'the demo sign-in',
      async () => {
        const res = await fetch(`${baseUrl}/api/auth/demo/refresh`, {
          headers: { 'x-cloud-store-demo-user': 'developer' },
        });
        return res.ok
          ? ((await res.json()).backstageIdentity.token as string)
          : undefined;
      },
      60_000,
    );
    const groups = await poll(
      'the demo organisation in the catalog',
      async () => {
        const res = await fetch(
          `${baseUrl}/api/catalog/entities/by-query?filter=kind=group&fields=metadata.name`,
          { headers: { authorization: `Bearer ${token}` } },
        );
        const body = await res.json();
        const names: string[] = body.items.map(
          (e: { metadata: { name: string } }) => e.metadata.name,
        );
        return names.includes('platform-admins') ? names : undefined;
      },
      60_000,
    );
    expect(groups).toEqual(
      expect.arrayContaining(['developers', 'team-web', 'approvers']),
    );

    const problems = backend.log
      .split('\n')
      .filter(line => /^\S+ \S+ (warn|error) /.test(line))
      .filter(line => !KNOWN_FIRST_START_RACES.some(re => re.test(line)));
    expect(problems).toEqual([]);
  }, 240_000);
});
