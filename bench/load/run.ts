/*
 * Load test of the store's hot paths (issue 14).
 *
 * Starts the production backend (app-config.production.yaml) on PostgreSQL,
 * in databases of its own that it drops at the end, on a free port; signs in
 * demo users; then drives each path with autocannon at 50 concurrent
 * connections: the authenticated no-op route (GET /api/cloud/providers), the
 * baseline of the same run, then the product list, the product facets, one
 * product, the caller's orders, order creation (each request with an
 * Idempotency-Key of its own, for a plan that waits for approval, so that
 * nothing is deployed) and the stack list. Each path's time is cut into
 * rounds (BENCH_ROUNDS, 3), and every round drives all read paths in turn,
 * the no-op route first, so that a machine that gets slower or faster
 * during the run (others share it) moves the baseline as much as the paths;
 * order creation's rounds come last, as what it sets off (notifications,
 * audit) goes on after it answers. Before measuring, the user places 25
 * orders, so that my orders reads a full page, the load test waits until
 * the backend's start-up work is done, and each read path is driven for
 * BENCH_WARMUP seconds (3) that are not counted. Prints, for
 * each path, requests per second, p50 and p99 over all its requests, errors
 * and non-2xx answers, and its throughput relative to the no-op route; exits
 * with 1 when any request failed or a read path is below the targets (0.5x
 * the no-op route, p99 under 100 ms; order creation is measured only).
 *
 * Usage (from the repository root, PostgreSQL on BENCH_PG_CONNECTION,
 * default postgresql://postgres@127.0.0.1:5432):
 *   yarn bench:load              # the backend from source, NODE_ENV=production
 *   yarn bench:load --bundle     # the bundle of yarn build:backend, built first
 *   yarn bench:load --bundle --no-build   # the bundle built last time
 *   BENCH_DURATION=15 BENCH_CONNECTIONS=50 BENCH_USER=developer yarn bench:load
 *   BENCH_ROUNDS=1 yarn bench:load   # each path once, for its whole duration
 *   BENCH_WARMUP=0 yarn bench:load   # measure from the first request on
 *   BENCH_PATHS='product list,facets' yarn bench:load   # only these paths
 *   yarn bench:load --serve      # start, sign in, print a token, wait for Ctrl-C
 *   yarn bench:load --cpu-prof   # CPU profile of the backend, in bench/load/profiles
 *
 * Besides latency it prints the CPU time that the backend process and the
 * PostgreSQL processes serving its connections spent per request (read from
 * /proc, when PostgreSQL runs on this machine): on a shared machine that is
 * steadier than throughput. With --cpu-prof it also writes when each path
 * ran, so that `yarn bench:load:profile <profile> --path 'product list'`
 * summarises one path's share of the profile.
 */
import autocannon from 'autocannon';
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';

const ROOT = path.resolve(__dirname, '../..');
const args = new Set(process.argv.slice(2));
/** Seconds each path is driven for in all, over all rounds. */
const DURATION_S = Number(process.env.BENCH_DURATION ?? 15);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
/**
 * Seconds each read path is driven for before measuring, not counted: a
 * server in use has compiled its hot code and grown its heap, which takes a
 * few seconds under load after start-up.
 */
const WARMUP_S = Number(process.env.BENCH_WARMUP ?? 3);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const USER = process.env.BENCH_USER ?? 'developer';
const PG_CONNECTION =
  process.env.BENCH_PG_CONNECTION ?? 'postgresql://postgres@127.0.0.1:5432';
/** Only the paths whose names contain one of these (and the no-op route). */
const ONLY = process.env.BENCH_PATHS?.split(',');
const PROFILES = path.join(ROOT, 'bench/load/profiles');
const START_TIMEOUT_MS = 300_000;
/** Targets of issue 14, relative to the no-op route of the same run. */
const MIN_RATIO = 0.5;
const MAX_P99_MS = 100;
/** Orders placed before measuring: more than a page of my orders. */
const SEEDED_ORDERS = 25;
/** A product and a plan whose orders wait for approval (price above 500). */
const ORDER = {
  product: 'product:default/postgresql',
  plan: 'enterprise',
  provider: 'local',
};

type Path = {
  name: string;
  method?: 'GET' | 'POST';
  path: string;
  /** A body of its own for each request, e.g. with a new idempotency key. */
  body?: () => unknown;
  /** Not held to the targets: the baseline itself. */
  baseline?: boolean;
  /** Measured and held to no errors, not to the throughput targets. */
  measuredOnly?: boolean;
};

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/** The backend: from source, or the bundle of `yarn build:backend`. */
function backendCommand(dataDir: string): { cwd: string; entry: string[] } {
  if (!args.has('--bundle')) {
    return {
      cwd: ROOT,
      entry: [
        '--require',
        require.resolve('@backstage/cli/config/nodeTransform.cjs'),
        path.join(ROOT, 'packages/backend/src/index.ts'),
      ],
    };
  }
  const dist = path.join(ROOT, 'packages/backend/dist');
  // Built each time, so that the bundle is of the code in the work tree,
  // unless asked to run the last one again (e.g. with other Node.js options).
  if (!args.has('--no-build')) {
    console.log('building the backend bundle (yarn build:backend)');
    const built = spawnSync('yarn', ['build:backend'], {
      cwd: ROOT,
      stdio: 'inherit',
    });
    if (built.status !== 0) {
      throw new Error('yarn build:backend failed');
    }
  }
  return {
    cwd: extractBundle(dist, path.join(dataDir, 'bundle')),
    entry: ['packages/backend'],
  };
}

/**
 * Unpacks the bundle as the README's "Production" section does, into a
 * temporary folder. Instead of `yarn workspaces focus --production`, which
 * installs from the registry, its node_modules link to the packages that
 * this repository has installed, and the workspace packages to the bundle's.
 */
function extractBundle(dist: string, dir: string): string {
  fs.mkdirSync(dir);
  for (const file of ['skeleton.tar.gz', 'bundle.tar.gz']) {
    const tar = spawnSync('tar', ['xzf', path.join(dist, file), '-C', dir], {
      stdio: 'inherit',
    });
    if (tar.status !== 0) {
      throw new Error(`could not unpack ${file}`);
    }
  }
  for (const file of [
    'app-config.yaml',
    'app-config.production.yaml',
    'catalog-info.yaml',
    'examples',
    'templates',
  ]) {
    fs.cpSync(path.join(ROOT, file), path.join(dir, file), { recursive: true });
  }
  const workspaces = new Map<string, string>();
  for (const parent of ['packages', 'plugins']) {
    for (const name of fs.readdirSync(path.join(dir, parent))) {
      const pkg = path.join(dir, parent, name);
      const { name: pkgName } = JSON.parse(
        fs.readFileSync(path.join(pkg, 'package.json'), 'utf8'),
      );
      workspaces.set(pkgName, pkg);
      const own = path.join(ROOT, parent, name, 'node_modules');
      if (fs.existsSync(own)) {
        fs.symlinkSync(own, path.join(pkg, 'node_modules'));
      }
    }
  }
  const modules = path.join(dir, 'node_modules');
  fs.mkdirSync(modules);
  for (const entry of fs.readdirSync(path.join(ROOT, 'node_modules'))) {
    const names = entry.startsWith('@')
      ? fs
          .readdirSync(path.join(ROOT, 'node_modules', entry))
          .map(n => `${entry}/${n}`)
      : [entry];
    for (const name of names) {
      if (name === '.bin' || name.startsWith('.')) continue;
      const target =
        workspaces.get(name) ?? path.join(ROOT, 'node_modules', name);
      fs.mkdirSync(path.dirname(path.join(modules, name)), {
        recursive: true,
      });
      fs.symlinkSync(target, path.join(modules, name));
    }
  }
  return dir;
}

async function startBackend(options: {
  port: number;
  prefix: string;
  dataDir: string;
}): Promise<ChildProcess> {
  const { port, prefix, dataDir } = options;
  const pg = new URL(PG_CONNECTION);
  const { cwd, entry } = backendCommand(dataDir);
  // The production configuration, on this run's databases and port, with
  // the demo sign-in added so that the load test can sign users in.
  const overrides = path.join(dataDir, 'app-config.load.json');
  fs.writeFileSync(
    overrides,
    JSON.stringify({
      backend: {
        baseUrl: `http://localhost:${port}`,
        database: { prefix },
      },
      app: { baseUrl: `http://localhost:${port}` },
      auth: { providers: { demo: { production: {} } } },
      cloudStore: { signIn: { demoUsers: [USER, 'platform-admin'] } },
      cloud: { local: { dataDir: path.join(dataDir, 'local-provider') } },
    }),
  );
  const configs = [
    path.join(ROOT, 'app-config.yaml'),
    path.join(ROOT, 'app-config.production.yaml'),
    overrides,
  ].flatMap(c => ['--config', c]);
  // The backend writes its log (a line a request) straight into the file, as
  // into a log collector: through a pipe to this process, whose event loop
  // is busy with the load, each write could wait for it to read.
  const logFd = fs.openSync(path.join(dataDir, 'backend.log'), 'a');
  const profile = args.has('--cpu-prof')
    ? ['--cpu-prof', `--cpu-prof-dir=${PROFILES}`]
    : [];
  const child = spawn(process.execPath, [...profile, ...entry, ...configs], {
    cwd,
    env: {
      ...process.env,
      NODE_ENV: 'production',
      PORT: String(port),
      POSTGRES_HOST: pg.hostname,
      POSTGRES_PORT: pg.port || '5432',
      POSTGRES_USER: decodeURIComponent(pg.username) || 'postgres',
      POSTGRES_PASSWORD: decodeURIComponent(pg.password),
      AUTH_SESSION_SECRET: randomBytes(16).toString('hex'),
      STORE_SECRETS_KEY: randomBytes(32).toString('base64'),
      // No identity provider is needed: the load test signs in demo users.
      OIDC_METADATA_URL: `http://127.0.0.1:${await freePort()}/.well-known/openid-configuration`,
      OIDC_CLIENT_ID: 'cloud-store-load',
      OIDC_CLIENT_SECRET: 'cloud-store-load',
      CLOUDSTORE_DATA_DIR: dataDir,
    },
    stdio: ['ignore', logFd, logFd],
  });
  fs.closeSync(logFd);
  console.log(`backend log: ${path.join(dataDir, 'backend.log')}`);
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', code =>
      reject(new Error(`the backend exited with ${code}, see its log`)),
    ),
  );
  await Promise.race([
    exited,
    waitFor(`http://localhost:${port}/.backstage/health/v1/readiness`),
  ]);
  return child;
}

/** Polls until the URL answers 2xx, with a deadline. */
async function waitFor(url: string, headers?: Record<string, string>) {
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    try {
      const res = await fetch(url, { headers });
      if (res.ok) {
        return res;
      }
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      throw new Error(`${url} did not answer in time`);
    }
    await new Promise(r => setTimeout(r, 500));
  }
}

/** Signs a demo user in, once the catalog has read the organisation. */
async function signIn(base: string, user: string): Promise<string> {
  const res = await waitFor(`${base}/api/auth/demo/refresh`, {
    'x-cloud-store-demo-user': user,
  });
  return (await res.json()).backstageIdentity.token;
}

/** Waits until the store lists products: the catalog and indexer are done. */
async function waitForProducts(base: string, token: string): Promise<string> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    const res = await fetch(`${base}/api/store/products?limit=20`, {
      headers: { authorization: `Bearer ${token}` },
    });
    if (res.ok) {
      const { items } = await res.json();
      const ordered = items.find(
        (p: { ref: string; orderable: boolean }) =>
          p.ref === ORDER.product && p.orderable,
      );
      if (items.length > 0 && ordered) {
        return items[0].ref;
      }
    }
    if (Date.now() > deadline) {
      throw new Error('the store listed no orderable products in time');
    }
    await new Promise(r => setTimeout(r, 1000));
  }
}

/** What a path's rounds measured, added up. */
class Result {
  readonly latencies: number[] = [];
  errors = 0;
  non2xx = 0;
  /** Seconds driven. */
  seconds = 0;
  /** CPU ms of the backend and of PostgreSQL, when known. */
  backendCpu?: number;
  dbCpu?: number;
  /**
   * When each round ran, in microseconds of the monotonic clock (as V8
   * profiles).
   */
  readonly windows: Array<{ from: number; to: number }> = [];
  /** Each round's throughput and p99, to show how much runs vary. */
  readonly rounds: Array<{ rps: number; p99: number }> = [];

  constructor(readonly path: Path) {}

  get total() {
    return this.latencies.length;
  }

  get rps() {
    return this.seconds > 0 ? this.total / this.seconds : 0;
  }

  /** The latency that `p` percent of the requests took at most, in ms. */
  percentile(p: number, from = 0): number {
    const sorted = this.latencies.slice(from).sort((a, b) => a - b);
    if (sorted.length === 0) {
      return NaN;
    }
    return sorted[
      Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)
    ];
  }

  /** CPU ms a request, when known. */
  perRequest(ms?: number) {
    return ms === undefined || this.total === 0 ? undefined : ms / this.total;
  }
}

const CLOCK_TICKS_PER_S = 100;

/** CPU time of a process in ms (user and system), if /proc has it. */
function cpuMs(pid: number): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // the fields after the command, which may contain spaces
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (
      ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_S
    );
  } catch {
    return undefined;
  }
}

/**
 * Reads the CPU time of the backend and of the PostgreSQL processes that
 * serve this run's databases, when PostgreSQL runs on this machine.
 */
class CpuMeter {
  private constructor(
    private readonly backendPid: number,
    private readonly client: Client | undefined,
    private readonly prefix: string,
  ) {}

  static async create(backendPid: number, prefix: string) {
    const local = ['localhost', '127.0.0.1', '::1', '[::1]'].includes(
      new URL(PG_CONNECTION).hostname,
    );
    let client: Client | undefined;
    if (local) {
      client = new Client({ connectionString: PG_CONNECTION });
      await client.connect();
    }
    return new CpuMeter(backendPid, client, prefix);
  }

  async read(): Promise<{ backend?: number; db: Map<number, number> }> {
    const db = new Map<number, number>();
    if (this.client) {
      const { rows } = await this.client.query(
        'SELECT pid FROM pg_stat_activity WHERE datname LIKE $1',
        [`${this.prefix}%`],
      );
      for (const { pid } of rows) {
        const ms = cpuMs(pid);
        if (ms !== undefined) db.set(pid, ms);
      }
    }
    return { backend: cpuMs(this.backendPid), db };
  }

  /** CPU ms between two readings; connections opened since count from 0. */
  static spent(
    before: Awaited<ReturnType<CpuMeter['read']>>,
    after: Awaited<ReturnType<CpuMeter['read']>>,
  ) {
    let db: number | undefined;
    for (const [pid, ms] of after.db) {
      db = (db ?? 0) + ms - (before.db.get(pid) ?? 0);
    }
    return {
      backend:
        before.backend === undefined || after.backend === undefined
          ? undefined
          : after.backend - before.backend,
      db,
    };
  }

  async close() {
    await this.client?.end();
  }
}

/**
 * Waits until the backend has finished its start-up work (catalog
 * processing, the first runs of scheduled tasks): until it used under a
 * tenth of a core for three seconds in a row, or two minutes passed.
 * Answers how long it waited, in seconds.
 */
async function waitForQuiet(pid: number): Promise<number> {
  const started = Date.now();
  let quiet = 0;
  let last = cpuMs(pid);
  while (quiet < 3 && Date.now() - started < 120_000 && last !== undefined) {
    await new Promise(r => setTimeout(r, 1000));
    const now = cpuMs(pid);
    quiet = now !== undefined && now - last < 100 ? quiet + 1 : 0;
    last = now;
  }
  return (Date.now() - started) / 1000;
}

/** The monotonic clock in microseconds, the clock of V8's CPU profiles. */
function monotonicUs(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

/** Drives one path for one round, adding what it measured to `result`. */
async function drive(
  base: string,
  token: string,
  result: Result,
  meter: CpuMeter,
  seconds: number = DURATION_S / ROUNDS,
): Promise<void> {
  const p = result.path;
  const answered = result.total;
  const before = await meter.read();
  const from = monotonicUs();
  const options: autocannon.Options = {
    url: `${base}${p.path}`,
    connections: CONNECTIONS,
    duration: seconds,
    method: p.method ?? 'GET',
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
    },
    requests: p.body
      ? [
          {
            setupRequest: request => ({
              ...request,
              headers: {
                ...request.headers,
                'idempotency-key': randomUUID(),
              },
              body: JSON.stringify(p.body!()),
            }),
          },
        ]
      : undefined,
  };
  const round = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(options, (error, done) =>
      error ? reject(error) : resolve(done),
    );
    // Every answer's time, so that percentiles span all rounds.
    instance.on('response', (_client, _status, _bytes, ms) =>
      result.latencies.push(ms),
    );
  });
  const to = monotonicUs();
  const spent = CpuMeter.spent(before, await meter.read());
  const add = (sum: number | undefined, ms: number | undefined) =>
    ms === undefined ? sum : (sum ?? 0) + ms;
  result.errors += round.errors + round.timeouts;
  result.non2xx += round.non2xx;
  result.seconds += (to - from) / 1e6;
  result.backendCpu = add(result.backendCpu, spent.backend);
  result.dbCpu = add(result.dbCpu, spent.db);
  result.windows.push({ from, to });
  result.rounds.push({
    rps: ((result.total - answered) * 1e6) / (to - from),
    p99: result.percentile(99, answered),
  });
}

async function main() {
  const port = await freePort();
  const base = `http://localhost:${port}`;
  const run = `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
  const prefix = `cloudstore_load_${run}_`;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cloudstore-load-'));
  let backend: ChildProcess | undefined;
  let failed = false;
  try {
    console.log(`starting the backend on ${base} (databases ${prefix}*)`);
    backend = await startBackend({ port, prefix, dataDir });
    const token = await signIn(base, USER);
    const product = await waitForProducts(base, token);
    if (args.has('--serve')) {
      // For profiling by hand: the backend stays up until Ctrl-C.
      console.log(`serving on ${base}; a token of ${USER}:\n${token}`);
      await new Promise(resolve => process.once('SIGINT', resolve));
      return;
    }
    const [namespace, name] = product.replace(/^product:/, '').split('/');
    let order = 0;
    const paths: Path[] = [
      {
        name: 'no-op (cloud providers)',
        path: '/api/cloud/providers',
        baseline: true,
      },
      { name: 'product list', path: '/api/store/products?limit=20' },
      { name: 'product facets', path: '/api/store/products/facets' },
      { name: 'one product', path: `/api/store/products/${namespace}/${name}` },
      { name: 'my orders', path: '/api/store/orders?scope=mine&limit=20' },
      {
        name: 'order creation',
        // A write that audits, stores and notifies the approvers.
        measuredOnly: true,
        method: 'POST',
        path: '/api/store/orders',
        body: () => ({
          ...ORDER,
          parameters: {
            name: `load-${run}-${order++}`,
            owner: 'group:default/developers',
          },
        }),
      },
      { name: 'stack list', path: '/api/cloud/stacks' },
    ];
    // Each path before measuring, so that a wrong path fails at once and
    // caches and JIT are warm; order creation more times than a page of my
    // orders holds, so that my orders reads a full page.
    for (const p of paths.flatMap(p =>
      Array(p.body ? SEEDED_ORDERS : 1).fill(p),
    )) {
      const res = await fetch(`${base}${p.path}`, {
        method: p.method ?? 'GET',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          'idempotency-key': randomUUID(),
        },
        body: p.body && JSON.stringify(p.body()),
      });
      if (!res.ok) {
        throw new Error(`${p.name}: ${res.status} ${await res.text()}`);
      }
    }
    const load = () =>
      os
        .loadavg()
        .map(l => l.toFixed(2))
        .join(' ');
    const waited = await waitForQuiet(backend.pid!);
    console.log(
      `the backend was quiet after ${waited.toFixed(
        0,
      )} s; ${CONNECTIONS} connections, ${WARMUP_S} s of warm-up and ${DURATION_S} s a path in ${ROUNDS} rounds, as ${USER}; load average ${load()}`,
    );
    const results = paths
      .filter(p => p.baseline || !ONLY || ONLY.some(o => p.name.includes(o)))
      .map(p => new Result(p));
    // Order creation, a write whose notifications and audit go on after it
    // answers, runs after the rounds of the read paths.
    const reads = results.filter(r => !r.path.body);
    const writes = results.filter(r => r.path.body);
    const meter = await CpuMeter.create(backend.pid!, prefix);
    try {
      if (WARMUP_S > 0) {
        for (const result of reads) {
          await drive(base, token, new Result(result.path), meter, WARMUP_S);
        }
      }
      for (let round = 0; round < ROUNDS; round++) {
        for (const result of reads) {
          await drive(base, token, result, meter);
        }
      }
      for (let round = 0; round < ROUNDS; round++) {
        for (const result of writes) {
          await drive(base, token, result, meter);
        }
      }
    } finally {
      await meter.close();
    }
    if (args.has('--cpu-prof')) {
      // When each path ran, for `yarn bench:load:profile --path`.
      const file = path.join(PROFILES, `paths-${run}.json`);
      fs.mkdirSync(PROFILES, { recursive: true });
      fs.writeFileSync(
        file,
        JSON.stringify(
          results.flatMap(r =>
            r.windows.map(({ from, to }) => ({ name: r.path.name, from, to })),
          ),
          null,
          2,
        ),
      );
      console.log(`the paths' times: ${file}`);
    }
    const baseline = results[0].rps;
    console.log(
      `\n${'path'.padEnd(26)}${'req/s'.padStart(9)}${'p50 ms'.padStart(
        9,
      )}${'p99 ms'.padStart(9)}${'errors'.padStart(8)}${'non-2xx'.padStart(
        9,
      )}${'ratio'.padStart(8)}${'cpu ms/req'.padStart(
        12,
      )}${'db ms/req'.padStart(11)}`,
    );
    const ms = (v?: number) => (v === undefined ? '-' : v.toFixed(2));
    for (const r of results) {
      const ratio = r.rps / baseline;
      const p99 = r.percentile(99);
      const held = !r.path.baseline && !r.path.measuredOnly;
      const ok =
        r.errors === 0 &&
        r.non2xx === 0 &&
        r.total > 0 &&
        (!held || (ratio >= MIN_RATIO && p99 < MAX_P99_MS));
      failed ||= !ok;
      console.log(
        `${r.path.name.padEnd(26)}${r.rps.toFixed(0).padStart(9)}${r
          .percentile(50)
          .toFixed(0)
          .padStart(9)}${p99.toFixed(0).padStart(9)}${String(r.errors).padStart(
          8,
        )}${String(r.non2xx).padStart(9)}${ratio.toFixed(2).padStart(8)}${ms(
          r.perRequest(r.backendCpu),
        ).padStart(12)}${ms(r.perRequest(r.dbCpu)).padStart(11)}${
          ok ? '' : '  FAIL'
        }`,
      );
    }
    console.log('\neach round: req/s (p99 ms)');
    for (const r of results) {
      console.log(
        `${r.path.name.padEnd(26)}${r.rounds
          .map(x => `${x.rps.toFixed(0)} (${x.p99.toFixed(0)})`)
          .join('  ')}`,
      );
    }
    console.log(
      `\ntargets: at least ${MIN_RATIO}x the no-op route, p99 under ${MAX_P99_MS} ms, no errors; load average ${load()}`,
    );
  } finally {
    if (backend && backend.exitCode === null) {
      const exited = new Promise(r => backend!.once('exit', r));
      backend.kill('SIGTERM');
      await exited;
    }
    await dropDatabases(prefix);
    if (!args.has('--keep')) {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }
  if (failed) {
    process.exitCode = 1;
  }
}

async function dropDatabases(prefix: string) {
  const client = new Client({ connectionString: PG_CONNECTION });
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

main().catch(error => {
  console.error(error);
  process.exit(1);
});
