import fs from 'node:fs';
import { request as httpRequest } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { parse, stringify } from 'yaml';
import {
  BackendProcess,
  demoToken,
  dropDatabases,
  freePort,
  pgConnection,
  poll,
  REPO_ROOT,
} from './__testUtils__/backendProcess';

/**
 * Two real backend processes on one PostgreSQL, each with its own local
 * provider (data folder, router port, host identity), as the README's several instances
 * behind a load balancer. Orders are placed and approved on both, one
 * instance restarts, and the reconciler runs every 3 seconds through more
 * than ten ticks: nothing that should run is stopped or marked deleted,
 * every scheduled job runs once per tick across the two, and the secrets of
 * an order survive the restart of the instance where it was placed.
 */

const RECONCILE_SECONDS = 3;
const TICKS = 10;
const OWNER = 'group:default/developers';

type Instance = {
  name: string;
  port: number;
  baseUrl: string;
  dataDir: string;
  routerPort: number;
  process?: BackendProcess;
  tokens: Record<string, string>;
};

type Order = { id: string; status: string; stackName: string };

const describeWithPostgres = pgConnection ? describe : describe.skip;
if (!pgConnection) {
  // eslint-disable-next-line no-console
  console.warn(
    'SKIPPED: the test of two backend instances on one PostgreSQL; set BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING to run it',
  );
}

/** A copy of the static website whose template needs a secret, approved by the approvers. */
function writeSecretProduct(dir: string) {
  const source = path.join(REPO_ROOT, 'templates/static-website');
  // The template's files: the site and its HOT template for OpenStack.
  for (const folder of ['skeleton', 'heat']) {
    fs.cpSync(path.join(source, folder), path.join(dir, folder), {
      recursive: true,
    });
  }
  const template = parse(
    fs.readFileSync(path.join(source, 'template.yaml'), 'utf8'),
  );
  template.metadata.name = 'secret-site';
  template.metadata.title = 'Site with a secret';
  template.spec.secrets = {
    schema: {
      type: 'object',
      required: ['apiToken'],
      properties: { apiToken: { type: 'string', minLength: 8 } },
    },
  };
  const product = parse(
    fs.readFileSync(path.join(source, 'product.yaml'), 'utf8'),
  );
  product.metadata.name = 'secret-site';
  product.metadata.title = 'Site with a secret';
  product.spec.template = 'template:default/secret-site';
  product.spec.providers = ['local'];
  product.spec.approval = {
    policy: 'required',
    approverGroups: ['group:default/approvers'],
  };
  fs.writeFileSync(
    path.join(dir, 'catalog.yaml'),
    [template, product].map(doc => stringify(doc)).join('---\n'),
  );
}

function getViaRouter(url: string): Promise<number> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port: Number(port),
        path: '/',
        headers: { host: hostname },
        agent: false,
      },
      res => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** Milliseconds of an ISO 8601 duration such as PT3S or PT1M; cron: none. */
function cadenceMs(cadence: string): number | undefined {
  const match = /^PT(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?$/.exec(cadence);
  if (!match) {
    return undefined;
  }
  const [, hours = '0', minutes = '0', seconds = '0'] = match;
  return ((Number(hours) * 60 + Number(minutes)) * 60 + Number(seconds)) * 1000;
}

describeWithPostgres('two backend instances on one PostgreSQL', () => {
  const prefix = `cloudstore_multi_${process.pid}_${Date.now()}_`;
  let root: string;
  let configFile: string;
  const instances: Instance[] = [];
  const db = new Client({ connectionString: pgConnection });
  let dbOpen = false;

  async function call(
    instance: Instance,
    user: string,
    method: string,
    urlPath: string,
    body?: unknown,
  ) {
    const res = await fetch(`${instance.baseUrl}/api${urlPath}`, {
      method,
      headers: {
        authorization: `Bearer ${instance.tokens[user]}`,
        'content-type': 'application/json',
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  }

  async function start(instance: Instance) {
    instance.process = new BackendProcess(
      {
        CLOUDSTORE_DATA_DIR: instance.dataDir,
        CLOUDSTORE_BACKEND_PORT: String(instance.port),
        APP_CONFIG_backend_baseUrl: instance.baseUrl,
        APP_CONFIG_backend_database: JSON.stringify({
          client: 'pg',
          connection: pgConnection,
          prefix,
        }),
        APP_CONFIG_cloud_local_routerPort: String(instance.routerPort),
      },
      [configFile],
    );
    await instance.process.ready(instance.baseUrl);
    for (const user of ['developer', 'approver', 'platform-admin']) {
      instance.tokens[user] = await demoToken(instance.baseUrl, user, 120_000);
    }
  }

  beforeAll(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'cloudstore-multi-'));
    // Local nodes run as nobody: they must reach their folders inside.
    fs.chmodSync(root, 0o755);
    writeSecretProduct(root);
    const base = parse(
      fs.readFileSync(path.join(REPO_ROOT, 'app-config.yaml'), 'utf8'),
    );
    configFile = path.join(root, 'config.yaml');
    fs.writeFileSync(
      configFile,
      stringify({
        catalog: {
          locations: [
            ...base.catalog.locations,
            {
              type: 'file',
              target: path.join(root, 'catalog.yaml'),
              rules: [{ allow: ['Template', 'Product'] }],
            },
          ],
        },
        cloud: {
          reconcile: {
            frequency: { seconds: RECONCILE_SECONDS },
            timeout: { seconds: 30 },
          },
        },
      }),
    );
    for (const name of ['a', 'b']) {
      const port = await freePort();
      instances.push({
        name,
        port,
        baseUrl: `http://localhost:${port}`,
        dataDir: path.join(root, name),
        routerPort: await freePort(),
        tokens: {},
      });
    }
    await db.connect();
    dbOpen = true;
  });

  afterAll(async () => {
    // Deleting the stacks ends their processes, which outlive a backend.
    const running = instances.filter(i => i.process);
    for (const instance of running) {
      const { body } = await call(
        instance,
        'platform-admin',
        'GET',
        '/cloud/stacks',
      ).catch(() => ({ body: undefined }));
      for (const stack of body?.items ?? []) {
        await call(
          instance,
          'platform-admin',
          'DELETE',
          `/cloud/stacks/${stack.id}`,
        ).catch(() => undefined);
      }
    }
    for (const instance of instances) {
      await instance.process?.stop();
    }
    if (dbOpen) {
      await db.end();
    }
    await dropDatabases(prefix);
    fs.rmSync(root, { recursive: true, force: true });
  }, 120_000);

  it('keeps every stack, runs each job once per tick and keeps the secrets of orders across a restart', async () => {
    const [a, b] = instances;
    await start(a);
    await start(b);

    // Every run of a scheduled job of the cluster, from the scheduler's
    // tables: a job run by both instances in one tick shows as two runs
    // ending together.
    const runs = new Map<string, Set<string>>();
    // How often each job may start, for those scheduled by a duration.
    const cadences = new Map<string, number | undefined>();
    const watchRuns = async () => {
      const { rows } = await db.query(
        'SELECT datname FROM pg_database WHERE datname LIKE $1',
        [`${prefix}%`],
      );
      for (const { datname } of rows) {
        // The connection string names no database: this one's is added.
        const url = new URL(pgConnection!);
        url.pathname = `/${datname}`;
        const client = new Client({ connectionString: url.toString() });
        await client.connect();
        try {
          const exists = await client.query(
            "SELECT to_regclass('backstage_backend_tasks__tasks') AS t",
          );
          if (!exists.rows[0].t) {
            continue;
          }
          const tasks = await client.query(
            'SELECT id, settings_json, last_run_ended_at FROM backstage_backend_tasks__tasks WHERE last_run_ended_at IS NOT NULL',
          );
          for (const row of tasks.rows) {
            const key = `${datname.slice(prefix.length)}/${row.id}`;
            cadences.set(key, cadenceMs(JSON.parse(row.settings_json).cadence));
            const ends = runs.get(key) ?? new Set<string>();
            ends.add(new Date(row.last_run_ended_at).toISOString());
            runs.set(key, ends);
          }
        } finally {
          await client.end();
        }
      }
    };

    // Every stack that ran must keep running on every look.
    const seenRunning = new Map<string, string>();
    const lostStacks: string[] = [];
    const watchStacks = async () => {
      const { body } = await call(
        b,
        'platform-admin',
        'GET',
        '/cloud/stacks?includeDeleted=true',
      );
      for (const stack of body.items) {
        if (stack.status === 'running') {
          seenRunning.set(stack.id, stack.name);
        } else if (seenRunning.has(stack.id)) {
          lostStacks.push(`${stack.name}: ${stack.status} (${stack.error})`);
        }
      }
    };
    let watching = true;
    let watchError: unknown;
    const watcher = (async () => {
      while (watching) {
        try {
          await watchRuns();
          await watchStacks();
        } catch (error) {
          // e.g. while an instance restarts
          watchError = error;
        }
        await new Promise(resolve => setTimeout(resolve, 500));
      }
    })();

    try {
      await poll(
        'the product with a secret in the store',
        async () => {
          const res = await call(
            a,
            'developer',
            'GET',
            '/store/products/default/secret-site',
          );
          return res.status === 200 ? true : undefined;
        },
        120_000,
      );

      const order = async (
        instance: Instance,
        product: string,
        stackName: string,
        secrets?: Record<string, string>,
      ): Promise<Order> => {
        const res = await call(instance, 'developer', 'POST', '/store/orders', {
          product: `product:default/${product}`,
          plan: 'free',
          provider: 'local',
          parameters: { name: stackName, owner: OWNER },
          ...(secrets && { secrets }),
        });
        expect({ stackName, status: res.status }).toEqual({
          stackName,
          status: 201,
        });
        return { id: res.body.id, status: res.body.status, stackName };
      };
      const settled = (instance: Instance, placed: Order) =>
        poll(
          `the order of ${placed.stackName}`,
          async () => {
            const res = await call(
              instance,
              'developer',
              'GET',
              `/store/orders/${placed.id}`,
            );
            return ['fulfilled', 'failed', 'rejected'].includes(
              res.body?.status,
            )
              ? res.body
              : undefined;
          },
          180_000,
        );

      // The last event of an order that did not succeed tells why.
      const expectFulfilled = (
        placed: Order,
        body: { status: string; events?: unknown[] },
      ) =>
        expect({
          order: placed.stackName,
          status: body.status,
          last: body.status === 'fulfilled' ? undefined : body.events?.at(-1),
        }).toEqual({ order: placed.stackName, status: 'fulfilled' });

      // Placed and approved on both, in both directions.
      const siteA = await order(a, 'static-website', 'multi-site-a');
      const siteB = await order(b, 'static-website', 'multi-site-b');
      const secretA = await order(a, 'secret-site', 'multi-secret-a', {
        apiToken: 'placed-on-a-4711',
      });
      const secretB = await order(b, 'secret-site', 'multi-secret-b', {
        apiToken: 'placed-on-b-4711',
      });
      expect([secretA.status, secretB.status]).toEqual([
        'pending_approval',
        'pending_approval',
      ]);
      const approveB = await call(
        a,
        'approver',
        'POST',
        `/store/orders/${secretB.id}/approve`,
        {},
      );
      expect(approveB.status).toBe(200);
      for (const [instance, placed] of [
        [a, siteA],
        [b, siteB],
        [a, secretB],
      ] as const) {
        expectFulfilled(placed, await settled(instance, placed));
      }

      // A restarts; its order waiting for approval is approved on B and
      // still gets its secret: the template's task refuses to run without.
      await a.process!.stop();
      await start(a);
      const approveA = await call(
        b,
        'approver',
        'POST',
        `/store/orders/${secretA.id}/approve`,
        {},
      );
      expect(approveA.status).toBe(200);
      expectFulfilled(secretA, await settled(b, secretA));

      // Ten ticks of the reconciliation of each host, both instances up.
      const reconciles = () =>
        [...runs.keys()].filter(job => job.startsWith('cloud/cloud-reconcile'));
      const ticksBefore = new Map(
        reconciles().map(job => [job, runs.get(job)!.size]),
      );
      await poll(
        `${TICKS} reconcile ticks of each host`,
        async () =>
          reconciles().length >= 2 &&
          reconciles().every(
            job => runs.get(job)!.size >= (ticksBefore.get(job) ?? 0) + TICKS,
          )
            ? true
            : undefined,
        (TICKS * RECONCILE_SECONDS + 120) * 1000,
      ).catch(error => {
        const seen = [...runs].map(([job, ends]) => `${job}: ${ends.size}`);
        throw new Error(
          `${error.message}; runs seen: ${seen.join(
            ', ',
          )}; the watcher: ${watchError}`,
        );
      });
    } finally {
      watching = false;
      await watcher;
    }

    // Nothing that should run was stopped or marked deleted, and every
    // stack's URL answers, on whichever instance's router it runs.
    expect(lostStacks).toEqual([]);
    const { body } = await call(a, 'platform-admin', 'GET', '/cloud/stacks');
    const stacks = body.items.filter((s: { name: string }) =>
      s.name.startsWith('multi-'),
    );
    expect(stacks.map((s: { name: string }) => s.name).sort()).toEqual([
      'multi-secret-a',
      'multi-secret-b',
      'multi-site-a',
      'multi-site-b',
    ]);
    for (const stack of stacks) {
      expect({ name: stack.name, status: stack.status }).toEqual({
        name: stack.name,
        status: 'running',
      });
      expect({
        name: stack.name,
        answer: await getViaRouter(stack.url),
      }).toEqual({ name: stack.name, answer: 200 });
    }

    // Each job ran once per tick across the two instances. The scheduler
    // starts a job at most once per frequency (a late run is not made up
    // for), so over the span between its first and last run it ran at most
    // span / frequency + 1 times, one more allowed for the edges; a job run
    // by both instances would run about twice as often.
    const span = (ends: Set<string>) => {
      const times = [...ends].map(t => Date.parse(t));
      return Math.max(...times) - Math.min(...times);
    };
    const tooOften = [...runs].filter(([job, ends]) => {
      const cadence = cadences.get(job);
      return cadence !== undefined && ends.size > span(ends) / cadence + 2;
    });
    expect(tooOften).toEqual([]);
    const reconcileJobs = [...runs.keys()].filter(job =>
      job.startsWith('cloud/cloud-reconcile'),
    );
    expect(reconcileJobs.length).toBeGreaterThanOrEqual(2);
    for (const job of reconcileJobs) {
      expect(cadences.get(job)).toBe(RECONCILE_SECONDS * 1000);
      expect({ job, ticks: runs.get(job)!.size >= TICKS }).toEqual({
        job,
        ticks: true,
      });
    }
  }, 900_000);
});
