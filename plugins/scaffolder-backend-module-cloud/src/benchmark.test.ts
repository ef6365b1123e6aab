import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { LocalProvider } from '@internal/plugin-cloud-backend-module-local';
import { StackSpec } from '@internal/plugin-cloud-common';
import fs from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { createCloudStackDeleteAction } from './actions/stackDelete';
import { createCloudStackDeployAction } from './actions/stackDeploy';
import { SERVER_JS, startCloudBackend } from './__testUtils__/cloudBackend';

jest.setTimeout(300_000);

const STACKS = 20;
const CONCURRENCY = 5;

async function pool(count: number, fn: (i: number) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < count) {
        await fn(next++);
      }
    }),
  );
}

const spec: StackSpec = {
  roles: [
    {
      name: 'app',
      count: 1,
      command: ['node', 'server.js'],
      files: { 'server.js': SERVER_JS },
    },
  ],
};

// Timing-sensitive, so opt-in: CLOUD_BENCHMARK=1 yarn backstage-cli package test src/benchmark.test.ts
const describeBenchmark = process.env.CLOUD_BENCHMARK
  ? describe
  : describe.skip;

describeBenchmark(
  'benchmark: deploy and delete through the scaffolder actions',
  () => {
    it(`keeps at least 0.8x the throughput of direct provider calls (${STACKS} stacks, ${CONCURRENCY} at a time)`, async () => {
      const cloud = await startCloudBackend();
      const directDir = fs.mkdtempSync(join(os.tmpdir(), 'cloud-bench-'));
      const provider = await LocalProvider.create({
        dataDir: directDir,
        logger: mockServices.logger.mock(),
        healthIntervalMs: 2000,
      });
      const workspacePath = fs.mkdtempSync(
        join(os.tmpdir(), 'cloud-bench-ws-'),
      );
      fs.mkdirSync(join(workspacePath, 'app'));
      fs.writeFileSync(join(workspacePath, 'app', 'server.js'), SERVER_JS);
      const deploy = createCloudStackDeployAction({ client: cloud.client });
      const remove = createCloudStackDeleteAction({ client: cloud.client });

      const direct = async (round: string) => {
        const started = process.hrtime.bigint();
        await pool(STACKS, async i => {
          const stackId = `direct-${round}-${i}`;
          await provider.deployStack({
            stackId,
            name: stackId,
            region: 'local',
            spec,
          });
          await provider.deleteStack(stackId);
        });
        return Number(process.hrtime.bigint() - started) / 1e6;
      };

      const viaActions = async (round: string) => {
        const started = process.hrtime.bigint();
        await pool(STACKS, async i => {
          const ctx = createMockActionContext({
            input: {
              name: `action-${round}-${i}`,
              owner: 'group:default/web-team',
              provider: 'local',
              region: 'local',
              roles: [
                {
                  name: 'app',
                  count: 1,
                  command: ['node', 'server.js'],
                  filesFrom: 'app',
                },
              ],
            },
            workspacePath,
            task: { id: `bench-${round}-${i}` },
          });
          ctx.getInitiatorCredentials = async () =>
            mockCredentials.user('user:default/developer');
          await deploy.handler(ctx as any);
          const stackId = (ctx.output as jest.Mock).mock.calls.find(
            ([name]) => name === 'stackId',
          )![1];
          const del = createMockActionContext({
            input: { stackId },
            workspacePath,
          });
          del.getInitiatorCredentials = ctx.getInitiatorCredentials;
          await remove.handler(del as any);
        });
        return Number(process.hrtime.bigint() - started) / 1e6;
      };

      try {
        // one warm-up round each, then two interleaved measured rounds each
        await direct('warm');
        await viaActions('warm');
        let directMs = 0;
        let actionsMs = 0;
        for (const round of ['a', 'b']) {
          directMs += await direct(round);
          actionsMs += await viaActions(round);
        }
        const ratio = directMs / actionsMs;
        // eslint-disable-next-line no-console
        console.log(
          `benchmark: ${STACKS} stacks, ${CONCURRENCY} at a time: direct ${directMs.toFixed(
            0,
          )} ms, actions ${actionsMs.toFixed(
            0,
          )} ms, throughput ratio ${ratio.toFixed(2)}`,
        );
        expect(ratio).toBeGreaterThanOrEqual(0.8);
        expect(await provider.listStacks()).toEqual([]);
      } finally {
        await provider.shutdown();
        await cloud.stop();
        fs.rmSync(directDir, { recursive: true, force: true });
        fs.rmSync(workspacePath, { recursive: true, force: true });
      }
    });
  },
);
