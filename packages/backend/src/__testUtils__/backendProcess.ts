import { ChildProcess, spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { Client } from 'pg';

/**
 * Helpers of the tests that run the real Cloud Store backend (src/index.ts
 * with every plugin, the way `yarn start` runs it) as child processes.
 */

export const pgConnection =
  process.env.BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING;

export const REPO_ROOT = path.resolve(__dirname, '../../../..');

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** An error that ends a poll at once. */
export class StartupError extends Error {}

/** Calls fn every 250 ms until it returns a value, or fails at the deadline. */
export async function poll<T>(
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
      if (error instanceof StartupError) {
        throw error;
      }
      lastError = error;
    }
    await new Promise(resolve => setTimeout(resolve, 250));
  }
  throw new Error(`Timed out waiting for ${what}: ${lastError ?? 'no result'}`);
}

// eslint-disable-next-line no-control-regex
const stripAnsi = (text: string) => text.replace(/\u001b\[[0-9;]*m/g, '');

/** The backend's log lines at level warn or error. */
export function problemsIn(log: string, ignore: RegExp[] = []): string[] {
  return log
    .split('\n')
    .filter(line => /^\S+ \S+ (warn|error) /.test(line))
    .filter(line => !ignore.some(re => re.test(line)));
}

/** A `backstage-cli package start` of packages/backend in its own process group. */
export class BackendProcess {
  private output = '';
  private readonly child: ChildProcess;
  readonly exited: Promise<number | null>;

  /**
   * @param env - added to the environment, e.g. APP_CONFIG_* overrides
   * @param configFiles - absolute paths of config files read after
   *   app-config.yaml
   */
  constructor(env: NodeJS.ProcessEnv, configFiles: string[] = []) {
    const configArgs = configFiles.length
      ? [path.join(REPO_ROOT, 'app-config.yaml'), ...configFiles].flatMap(
          file => ['--config', file],
        )
      : [];
    this.child = spawn(
      'yarn',
      ['backstage-cli', 'package', 'start', ...configArgs],
      {
        cwd: path.resolve(__dirname, '../..'),
        env: { ...process.env, ...env, FORCE_COLOR: '0' },
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
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

  /** Waits until the backend is ready; fails at once if it exits. */
  async ready(baseUrl: string, deadlineMs = 150_000): Promise<void> {
    let exited = false;
    const exitedEarly = this.exited.then(code => {
      exited = true;
      throw new Error(`backend exited with ${code}:\n${this.log}`);
    });
    await Promise.race([
      exitedEarly,
      poll(
        'readiness',
        async () => {
          if (exited) {
            return false;
          }
          // `package start` keeps watching when the backend fails to start.
          if (
            /Backend failed to start|threw an error during startup/.test(
              this.output,
            )
          ) {
            throw new StartupError(`the backend failed to start:\n${this.log}`);
          }
          const res = await fetch(`${baseUrl}/.backstage/health/v1/readiness`);
          return res.ok ? true : undefined;
        },
        deadlineMs,
      ),
    ]);
    exitedEarly.catch(() => {});
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

/** Signs in as a demo user; waits for the user to be in the catalog. */
export async function demoToken(
  baseUrl: string,
  user: string,
  deadlineMs = 60_000,
): Promise<string> {
  return poll(
    `the demo sign-in of ${user}`,
    async () => {
      const res = await fetch(`${baseUrl}/api/auth/demo/refresh`, {
        headers: { 'x-cloud-store-demo-user': user },
      });
      return res.ok
        ? ((await res.json()).backstageIdentity.token as string)
        : undefined;
    },
    deadlineMs,
  );
}

/** Drops the PostgreSQL databases whose names start with the prefix. */
export async function dropDatabases(prefix: string) {
  if (!pgConnection) {
    return;
  }
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
