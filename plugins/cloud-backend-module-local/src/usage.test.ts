import { mockServices } from '@backstage/backend-test-utils';
import { contractStackSpec } from '@internal/plugin-cloud-node/testUtils';
import { NodeMetricsSample } from '@internal/plugin-cloud-node';
import fs from 'node:fs';
import { request } from 'node:http';
import os from 'node:os';
import { join } from 'node:path';
import { LocalProvider } from './LocalProvider';
import { waitFor } from './testHelpers';
import { CpuCounter, diskBytes } from './usage';

function get(address: string, path: string): Promise<number> {
  const [host, port] = address.split(':');
  return new Promise((resolve, reject) => {
    const req = request({ host, port, path, agent: false }, res => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('CpuCounter', () => {
  it('keeps the time of trees that ended and never goes back', () => {
    const counter = new CpuCounter();
    expect(counter.update(new Map([[10, 1]]))).toBe(1);
    expect(
      counter.update(
        new Map([
          [10, 2],
          [20, 0.5],
        ]),
      ),
    ).toBe(2.5);
    // the script 20 ended, the node restarted as 30
    expect(counter.update(new Map([[30, 0.25]]))).toBe(2.75);
    // a tree whose unwaited child exited reads lower: kept at its peak
    expect(counter.update(new Map([[30, 0.1]]))).toBe(2.75);
  });
});

describe('diskBytes', () => {
  it('counts the blocks of a folder tree', async () => {
    const dir = fs.mkdtempSync(join(os.tmpdir(), 'cloud-disk-'));
    try {
      const empty = await diskBytes(dir);
      fs.mkdirSync(join(dir, 'a', 'b'), { recursive: true });
      fs.writeFileSync(join(dir, 'a', 'b', 'big'), Buffer.alloc(1_000_000, 1));
      fs.writeFileSync(join(dir, 'small'), 'x');
      const full = await diskBytes(dir);
      expect(full - empty).toBeGreaterThanOrEqual(1_000_000);
      expect(full - empty).toBeLessThan(1_200_000);
      expect(await diskBytes(join(dir, 'missing'))).toBe(0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('LocalProvider metrics', () => {
  const dataDir = fs.mkdtempSync(join(os.tmpdir(), 'cloud-usage-'));
  let provider: LocalProvider;
  const stackId = 'loaded';
  const workDir = join(dataDir, 'stacks', stackId, 'nodes', 'db-1', 'work');

  beforeAll(async () => {
    provider = await LocalProvider.create({
      dataDir,
      logger: mockServices.logger.mock(),
      healthIntervalMs: 200,
    });
    await provider.deployStack({
      stackId,
      name: stackId,
      region: 'local',
      spec: {
        roles: contractStackSpec(1).roles.filter(r => r.name === 'db'),
      },
    });
  }, 60_000);

  afterAll(async () => {
    await provider?.deleteStack(stackId);
    await provider?.shutdown();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);

  async function read(): Promise<NodeMetricsSample> {
    const [sample] = await provider.collectMetrics([
      { stackId, nodeName: 'db-1' },
    ]);
    return sample;
  }

  it('sees CPU and memory rise while a script loads the node, and keeps its CPU after', async () => {
    const before = await read();
    // 200 MB held and a core kept busy until the test has seen both
    const running = provider.runScript({
      stackId,
      nodeName: 'db-1',
      script: `node -e '
        const held = Buffer.alloc(200e6, 1);
        const fs = require("fs");
        while (!fs.existsSync("stop")) { for (let i = 0; i < 1e6; i++); }
        console.log("held", held.length);
      '`,
      timeoutMs: 120_000,
    });
    let loaded = before;
    try {
      await waitFor(async () => {
        loaded = await read();
        return (
          loaded.memoryBytes > before.memoryBytes + 150e6 &&
          loaded.cpuSeconds > before.cpuSeconds + 1
        );
      }, 60_000);
    } finally {
      fs.writeFileSync(join(workDir, 'stop'), '');
    }
    const result = await running;
    expect(result.output).toContain('held 200000000');
    const after = await read();
    // the script's time stays counted; its memory is gone with it
    expect(after.cpuSeconds).toBeGreaterThanOrEqual(loaded.cpuSeconds);
    expect(after.memoryBytes).toBeLessThan(loaded.memoryBytes - 150e6);
  }, 120_000);

  it('counts what the node writes to its folder', async () => {
    const before = await read();
    const result = await provider.runScript({
      stackId,
      nodeName: 'db-1',
      script: 'head -c 5000000 /dev/urandom > big.bin && echo written',
      timeoutMs: 30_000,
    });
    expect(result.output).toContain('written');
    const after = await read();
    expect(after.diskBytes - before.diskBytes).toBeGreaterThanOrEqual(5e6);
  }, 60_000);

  it('counts the bytes of requests to the node and of its answers', async () => {
    const stack = (await provider.getStack(stackId))!;
    const address = stack.nodes[0].privateAddress!;
    const before = await read();
    const path = `/${'x'.repeat(1000)}`;
    for (let i = 0; i < 10; i++) {
      expect(await get(address, path)).toBe(200);
    }
    // the server echoes the path: 10 requests and answers of over 1000 bytes
    await waitFor(async () => {
      const after = await read();
      return (
        after.networkInBytes - before.networkInBytes >= 10_000 &&
        after.networkOutBytes - before.networkOutBytes >= 10_000
      );
    }, 30_000);
    const after = await read();
    // and not much more: health checks and headers
    expect(after.networkInBytes - before.networkInBytes).toBeLessThan(100_000);
  }, 60_000);

  it('leaves out nodes that do not run', async () => {
    await provider.stopNodes({ stackId, nodeNames: ['db-1'] });
    expect(
      await provider.collectMetrics([
        { stackId, nodeName: 'db-1' },
        { stackId: 'nothing', nodeName: 'db-1' },
      ]),
    ).toEqual([]);
    await provider.startNodes({ stackId, nodeNames: ['db-1'] });
    expect(
      await provider.collectMetrics([{ stackId, nodeName: 'db-1' }]),
    ).toHaveLength(1);
  }, 60_000);
});
