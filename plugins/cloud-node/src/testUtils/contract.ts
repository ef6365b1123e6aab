/* eslint-disable jest/no-export -- a suite that provider modules run from their own tests */
import { StackSpec } from '@internal/plugin-cloud-common';
import { NodeFailedError, NodeFailure } from '../errors';
import { CloudProvider, NodeMetricsSample } from '../provider';

/** Options of {@link runCloudProviderContractTests}. @public */
export interface CloudProviderContractOptions {
  /** Creates the provider under test; called once before the suite. */
  create(): Promise<CloudProvider>;
  /** Releases what `create` made; called once after the suite. */
  destroy(provider: CloudProvider): Promise<void>;
  /** A region the provider offers. */
  region: string;
  /**
   * Fetches a stack's public URL as a browser would; without it the suite
   * only checks that a deployed stack has a URL (a provider whose stacks
   * serve nothing the test could reach, e.g. Heat stacks of values).
   */
  get?(url: string): Promise<{ status: number; body: string }>;
  /**
   * The stack the suite deploys, with `appCount` nodes of role `app` and one
   * of role `db`; {@link contractStackSpec} by default. A provider that makes
   * stacks from its own templates gives one with those roles.
   */
  spec?(appCount: number): StackSpec;
  /**
   * A stack whose deploy fails, and what the provider's NodeFailedError must
   * say of it; by default a node that exits at once with code 4 and logs
   * "no configuration found".
   */
  failing?: { spec: StackSpec; failure: Partial<NodeFailure> };
  /** Whether roles name runtimes of the provider; true by default. */
  offersRuntimes?: boolean;
  /**
   * Whether single nodes can be stopped and started; true by default.
   * Otherwise the provider stops and starts whole stacks, and refuses a
   * selection of some nodes with an InputError.
   */
  stopsSingleNodes?: boolean;
  /** Whether it runs scripts on nodes; otherwise it refuses with NotImplementedError. */
  runsScripts?: boolean;
  /** Per-test timeout; deploys start real workloads. */
  timeoutMs?: number;
  /**
   * The runtime that runs a Node.js entry file, `node` by default; the
   * suite's stacks name it with `entry: 'server.js'`.
   */
  nodeRuntime?: string;
  /** How long a deploy whose node exits at once may take to fail; 15 s by default. */
  failFastMs?: number;
  /**
   * Whether the provider implements `collectMetrics`; the suite then checks
   * its figures, and otherwise that it is absent.
   */
  collectsMetrics?: boolean;
  /** How long figures may take to show traffic; 30 s by default. */
  metricsLagMs?: number;
}

const SERVER = `
const http = require('http');
http.createServer((req, res) => {
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({ node: process.env.NODE_NAME, path: req.url }));
}).listen(Number(process.env.PORT), process.env.HOST || '0.0.0.0');
`;

/** A 3-tier stack in the provider-neutral spec: db, app nodes, a load balancer. */
export function contractStackSpec(
  appCount = 2,
  nodeRuntime = 'node',
): StackSpec {
  return {
    roles: [
      {
        name: 'db',
        count: 1,
        runtime: nodeRuntime,
        entry: 'server.js',
        files: { 'server.js': SERVER },
      },
      {
        name: 'app',
        count: appCount,
        runtime: nodeRuntime,
        entry: 'server.js',
        files: { 'server.js': SERVER },
      },
      { name: 'lb', runtime: 'load-balancer', count: 1, balances: 'app' },
    ],
  };
}

/** The nodes that answered `times` requests to a stack's URL. */
async function answeringNodes(
  get: NonNullable<CloudProviderContractOptions['get']>,
  url: string,
  times: number,
): Promise<Set<string>> {
  const seen = new Set<string>();
  for (let i = 0; i < times; i++) {
    seen.add(JSON.parse((await get(url)).body).node);
  }
  return seen;
}

/** A stack whose only node exits at once, as the default failing stack. */
function defaultFailing(nodeRuntime: string): {
  spec: StackSpec;
  failure: Partial<NodeFailure>;
} {
  return {
    spec: {
      roles: [
        {
          name: 'app',
          count: 1,
          runtime: nodeRuntime,
          entry: 'server.js',
          files: {
            'server.js':
              'console.error("no configuration found"); process.exit(4);',
          },
        },
      ],
    },
    failure: {
      role: 'app',
      exitCode: 4,
      logTail: expect.stringContaining('no configuration found'),
    },
  };
}

/**
 * The behaviour every cloud provider module must show; run it from the
 * module's own tests with jest.
 *
 * @public
 */
export function runCloudProviderContractTests(
  options: CloudProviderContractOptions,
) {
  const timeout = options.timeoutMs ?? 60_000;
  const nodeRuntime = options.nodeRuntime ?? 'node';
  const specOf = (appCount: number) =>
    options.spec?.(appCount) ?? contractStackSpec(appCount, nodeRuntime);
  const roleNamesOf = (spec: StackSpec) =>
    spec.roles.flatMap(role => Array(role.count).fill(role.name)).sort();
  const get = options.get;
  let provider: CloudProvider;
  const suffix = Math.random().toString(36).slice(2, 8);
  const stackId = `contract-${suffix}`;
  const name = `contract-${suffix}`;

  beforeAll(async () => {
    provider = await options.create();
  }, timeout);

  afterAll(async () => {
    await provider?.deleteStack(stackId);
    await options.destroy(provider);
  }, timeout);

  it('offers the region under test', () => {
    expect(provider.listRegions()).toContain(options.region);
  });

  it('refuses an unknown region', async () => {
    await expect(
      provider.deployStack({
        stackId: `bad-${suffix}`,
        name: `bad-${suffix}`,
        region: 'no-such-region',
        spec: specOf(2),
      }),
    ).rejects.toMatchObject({ name: 'InputError' });
    expect(await provider.getStack(`bad-${suffix}`)).toBeUndefined();
  });

  const runtimeIt = options.offersRuntimes === false ? it.skip : it;

  runtimeIt('lists the runtimes that roles may name', () => {
    const runtimes = provider.listRuntimes?.() ?? [];
    const names = runtimes.map(r => r.name);
    expect(names).toContain(nodeRuntime);
    expect(names).toContain('load-balancer');
    expect(new Set(names).size).toBe(names.length);
    for (const runtime of runtimes) {
      expect(runtime.title).toBeTruthy();
    }
  });

  runtimeIt('refuses an unknown runtime before anything runs', async () => {
    const spec = contractStackSpec(1, nodeRuntime);
    spec.roles[1] = { ...spec.roles[1], runtime: 'no-such-runtime' };
    await expect(
      provider.deployStack({
        stackId: `bad-runtime-${suffix}`,
        name: `bad-runtime-${suffix}`,
        region: options.region,
        spec,
      }),
    ).rejects.toMatchObject({ name: 'InputError' });
    expect(await provider.getStack(`bad-runtime-${suffix}`)).toBeUndefined();
  });

  it(
    'fails a deploy fast with what the provider knows of the failed node',
    async () => {
      const failingId = `failing-${suffix}`;
      const started = Date.now();
      const failing = options.failing ?? defaultFailing(nodeRuntime);
      try {
        const error = await provider
          .deployStack({
            stackId: failingId,
            name: failingId,
            region: options.region,
            spec: failing.spec,
          })
          .then(
            () => undefined,
            e => e,
          );
        expect(Date.now() - started).toBeLessThan(options.failFastMs ?? 15_000);
        expect(error).toBeInstanceOf(NodeFailedError);
        expect(error.failure).toMatchObject({
          stackId: failingId,
          node: expect.any(String),
          ...failing.failure,
        });
        const stack = await provider.getStack(failingId);
        for (const node of stack?.nodes ?? []) {
          expect(['failed', 'stopped']).toContain(node.status);
        }
      } finally {
        await provider.deleteStack(failingId);
      }
      expect(await provider.getStack(failingId)).toBeUndefined();
    },
    timeout,
  );

  it(
    'deploys a stack whose URL answers through the load balancer',
    async () => {
      const stack = await provider.deployStack({
        stackId,
        name,
        region: options.region,
        spec: specOf(2),
      });
      expect(stack.stackId).toBe(stackId);
      expect(stack.nodes.map(n => n.role).sort()).toEqual(
        roleNamesOf(specOf(2)),
      );
      for (const node of stack.nodes) {
        expect(node.status).toBe('running');
        expect(node.resourceId).toBeTruthy();
        expect(node.privateAddress).toBeTruthy();
      }
      expect(stack.url).toBeTruthy();
      if (!get) {
        return;
      }
      const seen = new Set<string>();
      for (let i = 0; i < 4; i++) {
        const res = await get(stack.url!);
        expect(res.status).toBe(200);
        seen.add(JSON.parse(res.body).node);
      }
      expect([...seen].sort()).toEqual(
        stack.nodes
          .filter(n => n.role === 'app')
          .map(n => n.name)
          .sort(),
      );
    },
    timeout,
  );

  it(
    'deploys the same stack id once',
    async () => {
      const again = await provider.deployStack({
        stackId,
        name,
        region: options.region,
        spec: specOf(2),
      });
      expect(again.nodes).toHaveLength(roleNamesOf(specOf(2)).length);
      const all = await provider.listStacks();
      expect(all.filter(s => s.stackId === stackId)).toHaveLength(1);
    },
    timeout,
  );

  it('implements collectMetrics as it declares', () => {
    expect(typeof provider.collectMetrics).toBe(
      options.collectsMetrics ? 'function' : 'undefined',
    );
  });

  if (options.collectsMetrics) {
    it(
      'reports the figures of running nodes, and none of unknown ones',
      async () => {
        const stack = (await provider.getStack(stackId))!;
        const refs = stack.nodes.map(n => ({ stackId, nodeName: n.name }));
        const before = Date.now();
        const samples = await provider.collectMetrics!([
          ...refs,
          { stackId, nodeName: 'no-such-node' },
          { stackId: `missing-${suffix}`, nodeName: 'app-1' },
        ]);
        expect(samples.map(s => s.nodeName).sort()).toEqual(
          stack.nodes.map(n => n.name).sort(),
        );
        for (const sample of samples) {
          expect(sample.stackId).toBe(stackId);
          expect(sample.timestamp).toBeGreaterThanOrEqual(before - 1000);
          expect(sample.timestamp).toBeLessThanOrEqual(Date.now() + 1000);
          // a running process holds memory and has used some CPU
          expect(sample.memoryBytes).toBeGreaterThan(0);
          expect(sample.cpuSeconds).toBeGreaterThan(0);
          for (const value of [
            sample.diskBytes,
            sample.networkInBytes,
            sample.networkOutBytes,
          ]) {
            expect(Number.isFinite(value)).toBe(true);
            expect(value).toBeGreaterThanOrEqual(0);
          }
        }
      },
      timeout,
    );

    it(
      'counts the bytes of requests to the stack in its entry node',
      async () => {
        const stack = (await provider.getStack(stackId))!;
        const lb = stack.nodes.find(n => n.role === 'lb')!;
        const read = async () =>
          (
            await provider.collectMetrics!([{ stackId, nodeName: lb.name }])
          )[0] as NodeMetricsSample;
        const first = await read();
        for (let i = 0; i < 5; i++) {
          expect((await get!(stack.url!)).status).toBe(200);
        }
        const deadline = Date.now() + (options.metricsLagMs ?? 30_000);
        let last = await read();
        while (
          (last.networkInBytes <= first.networkInBytes ||
            last.networkOutBytes <= first.networkOutBytes) &&
          Date.now() < deadline
        ) {
          await new Promise(resolve => setTimeout(resolve, 250));
          last = await read();
        }
        expect(last.networkInBytes).toBeGreaterThan(first.networkInBytes);
        expect(last.networkOutBytes).toBeGreaterThan(first.networkOutBytes);
        expect(last.cpuSeconds).toBeGreaterThanOrEqual(first.cpuSeconds);
      },
      timeout,
    );
  }

  it(
    'scales a role out and in, and the balancer follows',
    async () => {
      let stack = await provider.scaleRole(stackId, 'app', 3);
      const apps = stack.nodes.filter(n => n.role === 'app');
      expect(apps).toHaveLength(3);
      expect(apps.every(n => n.status === 'running')).toBe(true);
      // without a way to fetch the URL, the count in the stack is all there is
      const answering = get
        ? await answeringNodes(get, stack.url!, 6)
        : new Set(apps.map(n => n.name));
      expect(answering.size).toBe(3);
      stack = await provider.scaleRole(stackId, 'app', 1);
      expect(stack.nodes.filter(n => n.role === 'app')).toHaveLength(1);
      expect((await provider.getStack(stackId))!.nodes).toHaveLength(
        roleNamesOf(specOf(1)).length,
      );
      for (let i = 0; get && i < 3; i++) {
        const res = await get(stack.url!);
        expect(res.status).toBe(200);
      }
    },
    timeout,
  );

  if (options.stopsSingleNodes === false) {
    it(
      'stops and starts whole stacks, and refuses a selection of nodes',
      async () => {
        const db = (await provider.getStack(stackId))!.nodes.find(
          n => n.role === 'db',
        )!;
        await expect(
          provider.stopNodes({ stackId, nodeNames: [db.name] }),
        ).rejects.toMatchObject({ name: 'InputError' });
        let stack = await provider.stopNodes({ stackId });
        expect(stack.state).toBe('stopped');
        expect(stack.nodes.every(n => n.status === 'stopped')).toBe(true);
        expect((await provider.getStack(stackId))!.state).toBe('stopped');
        // stopping what is stopped changes nothing
        expect((await provider.stopNodes({ stackId })).state).toBe('stopped');
        stack = await provider.startNodes({ stackId });
        expect(stack.state).toBe('running');
        expect(stack.nodes.every(n => n.status === 'running')).toBe(true);
        stack = await provider.restartNodes({ stackId });
        expect(stack.nodes.every(n => n.status === 'running')).toBe(true);
      },
      timeout,
    );
  }

  (options.stopsSingleNodes === false ? it.skip : it)(
    'stops, refuses scripts on a stopped node, starts and restarts',
    async () => {
      const db = (await provider.getStack(stackId))!.nodes.find(
        n => n.role === 'db',
      )!;
      let stack = await provider.stopNodes({ stackId, nodeNames: [db.name] });
      expect(stack.nodes.find(n => n.name === db.name)!.status).toBe('stopped');
      await expect(
        provider.runScript({
          stackId,
          nodeName: db.name,
          script: 'echo hi',
          timeoutMs: 5000,
        }),
      ).rejects.toMatchObject({ name: 'ConflictError' });
      stack = await provider.startNodes({ stackId, nodeNames: [db.name] });
      expect(stack.nodes.find(n => n.name === db.name)!.status).toBe('running');
      stack = await provider.restartNodes({ stackId });
      expect(stack.nodes.every(n => n.status === 'running')).toBe(true);
    },
    timeout,
  );

  if (options.runsScripts === false) {
    it('refuses scripts as not implemented', async () => {
      const node = (await provider.getStack(stackId))!.nodes[0];
      await expect(
        provider.runScript({
          stackId,
          nodeName: node.name,
          script: 'echo hi',
          timeoutMs: 5000,
        }),
      ).rejects.toMatchObject({ name: 'NotImplementedError' });
    });
  }

  (options.runsScripts === false ? it.skip : it)(
    'runs a script with captured output and a timeout',
    async () => {
      const node = (await provider.getStack(stackId))!.nodes[0];
      const ok = await provider.runScript({
        stackId,
        nodeName: node.name,
        script: 'echo "hello $NODE_NAME"; exit 3',
        timeoutMs: 10_000,
      });
      expect(ok).toMatchObject({ exitCode: 3, timedOut: false });
      expect(ok.output).toContain(`hello ${node.name}`);
      const slow = await provider.runScript({
        stackId,
        nodeName: node.name,
        script: 'echo started; sleep 30',
        timeoutMs: 500,
      });
      expect(slow.timedOut).toBe(true);
      expect(slow.output).toContain('started');
      expect(slow.durationMs).toBeLessThan(10_000);
    },
    timeout,
  );

  it('keeps logs per node', async () => {
    const node = (await provider.getStack(stackId))!.nodes[0];
    const logs = await provider.getLogs({ stackId, nodeName: node.name });
    expect(typeof logs).toBe('string');
    expect(logs.length).toBeGreaterThan(0);
  });

  it(
    'deletes a stack, twice without error',
    async () => {
      const url = (await provider.getStack(stackId))!.url!;
      await provider.deleteStack(stackId);
      expect(await provider.getStack(stackId)).toBeUndefined();
      expect(
        (await provider.listStacks()).some(s => s.stackId === stackId),
      ).toBe(false);
      const status = get ? (await get(url)).status : undefined;
      expect(status).not.toBe(200);
      await provider.deleteStack(stackId);
    },
    timeout,
  );
}
