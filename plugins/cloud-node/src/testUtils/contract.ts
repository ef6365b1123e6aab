/* eslint-disable jest/no-export -- a suite that provider modules run from their own tests */
import { StackSpec } from '@internal/plugin-cloud-common';
import { CloudProvider } from '../provider';

/** Options of {@link runCloudProviderContractTests}. @public */
export interface CloudProviderContractOptions {
  /** Creates the provider under test; called once before the suite. */
  create(): Promise<CloudProvider>;
  /** Releases what `create` made; called once after the suite. */
  destroy(provider: CloudProvider): Promise<void>;
  /** A region the provider offers. */
  region: string;
  /** Fetches a stack's public URL as a browser would. */
  get(url: string): Promise<{ status: number; body: string }>;
  /** Per-test timeout; deploys start real workloads. */
  timeoutMs?: number;
}

const SERVER = `
const http = require('http');
http.createServer((req, res) => {
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({ node: process.env.NODE_NAME, path: req.url }));
}).listen(Number(process.env.PORT), process.env.HOST || '0.0.0.0');
`;

/** A 3-tier stack in the provider-neutral spec: db, app nodes, a load balancer. */
export function contractStackSpec(appCount = 2): StackSpec {
  return {
    roles: [
      {
        name: 'db',
        count: 1,
        command: ['node', 'server.js'],
        files: { 'server.js': SERVER },
      },
      {
        name: 'app',
        count: appCount,
        command: ['node', 'server.js'],
        files: { 'server.js': SERVER },
      },
      { name: 'lb', runtime: 'load-balancer', count: 1, balances: 'app' },
    ],
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
        spec: contractStackSpec(),
      }),
    ).rejects.toMatchObject({ name: 'InputError' });
    expect(await provider.getStack(`bad-${suffix}`)).toBeUndefined();
  });

  it(
    'deploys a stack whose URL answers through the load balancer',
    async () => {
      const stack = await provider.deployStack({
        stackId,
        name,
        region: options.region,
        spec: contractStackSpec(),
      });
      expect(stack.stackId).toBe(stackId);
      expect(stack.nodes.map(n => n.role).sort()).toEqual([
        'app',
        'app',
        'db',
        'lb',
      ]);
      for (const node of stack.nodes) {
        expect(node.status).toBe('running');
        expect(node.resourceId).toBeTruthy();
        expect(node.privateAddress).toBeTruthy();
      }
      expect(stack.url).toBeTruthy();
      const seen = new Set<string>();
      for (let i = 0; i < 4; i++) {
        const res = await options.get(stack.url!);
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
        spec: contractStackSpec(),
      });
      expect(again.nodes).toHaveLength(4);
      const all = await provider.listStacks();
      expect(all.filter(s => s.stackId === stackId)).toHaveLength(1);
    },
    timeout,
  );

  it(
    'scales a role out and in, and the balancer follows',
    async () => {
      let stack = await provider.scaleRole(stackId, 'app', 3);
      const apps = stack.nodes.filter(n => n.role === 'app');
      expect(apps).toHaveLength(3);
      expect(apps.every(n => n.status === 'running')).toBe(true);
      const seen = new Set<string>();
      for (let i = 0; i < 6; i++) {
        seen.add(JSON.parse((await options.get(stack.url!)).body).node);
      }
      expect(seen.size).toBe(3);
      stack = await provider.scaleRole(stackId, 'app', 1);
      expect(stack.nodes.filter(n => n.role === 'app')).toHaveLength(1);
      for (let i = 0; i < 3; i++) {
        const res = await options.get(stack.url!);
        expect(res.status).toBe(200);
      }
    },
    timeout,
  );

  it(
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

  it(
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
      expect((await options.get(url)).status).not.toBe(200);
      await provider.deleteStack(stackId);
    },
    timeout,
  );
}
