/*
 * Benchmark of stack deploys and deletes through the scaffolder actions.
 *
 * Deploys and deletes 20 stacks, 5 at a time, in two ways on the same
 * machine and with the same local provider settings:
 *   - direct: `deployStack` and `deleteStack` called on a LocalProvider;
 *   - actions: the `cloud:stack:deploy` and `cloud:stack:delete` handlers,
 *     calling a real cloud backend (the cloud plugin with the local
 *     provider, on SQLite) over HTTP, which records every stack and node in
 *     its inventory.
 * After a warm-up round of each, the rounds alternate; it prints the
 * throughput of both and their ratio, and exits with 1 below 0.8.
 *
 * Usage (from the repository root):
 *   yarn bench:cloud
 * Options: BENCH_STACKS (20), BENCH_CONCURRENCY (5), BENCH_ROUNDS (5).
 */
import {
  BackstageCredentials,
  LoggerService,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { JsonObject, JsonValue } from '@backstage/types';
import cloudPlugin from '@internal/plugin-cloud-backend';
import localModule, {
  LocalProvider,
} from '@internal/plugin-cloud-backend-module-local';
import { CloudApiClient, StackSpec } from '@internal/plugin-cloud-common';
import { mockCatalogWithOwnerGroup } from '@internal/plugin-cloud-node/testUtils';
import { ActionContext } from '@backstage/plugin-scaffolder-node';
import fs from 'node:fs';
import { AddressInfo } from 'node:net';
import os from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createCloudStackDeleteAction } from '../../plugins/scaffolder-backend-module-cloud/src/actions/stackDelete';
import { createCloudStackDeployAction } from '../../plugins/scaffolder-backend-module-cloud/src/actions/stackDeploy';

const STACKS = Number(process.env.BENCH_STACKS ?? 20);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const TARGET = 0.8;

const SERVER_JS = `
require('http')
  .createServer((req, res) => res.end('hello from ' + process.env.NODE_NAME))
  .listen(Number(process.env.PORT), '127.0.0.1');
`;

const spec: StackSpec = {
  roles: [
    {
      name: 'app',
      count: 1,
      runtime: 'node',
      entry: 'server.js',
      files: { 'server.js': SERVER_JS },
    },
  ],
};

const logger: LoggerService = mockServices.rootLogger({ level: 'none' });
const credentials: BackstageCredentials = mockCredentials.user(
  'user:default/developer',
);

/** Milliseconds spent in each operation, to show where time goes. */
const spent: Record<string, number[]> = {};

async function measure<T>(what: string, fn: () => Promise<T>): Promise<T> {
  const started = performance.now();
  const result = await fn();
  (spent[what] ??= []).push(performance.now() - started);
  return result;
}

/** Runs `count` jobs, `CONCURRENCY` at a time; resolves to milliseconds. */
async function timed(count: number, job: (i: number) => Promise<void>) {
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < count) {
        await job(next++);
      }
    }),
  );
  return performance.now() - started;
}

/** What the scaffolder hands an action, for one step of one task. */
function actionContext<TInput extends JsonObject>(options: {
  input: TInput;
  taskId: string;
  workspacePath: string;
  outputs: Record<string, JsonValue>;
}): ActionContext<TInput, any> {
  const checkpoints = new Map<string, JsonValue | void>();
  return {
    input: options.input,
    workspacePath: options.workspacePath,
    logger,
    task: { id: options.taskId },
    output: (name: string | number | symbol, value: JsonValue) => {
      options.outputs[String(name)] = value;
    },
    checkpoint: async ({ key, fn }) => {
      if (!checkpoints.has(key)) {
        checkpoints.set(key, await fn());
      }
      return checkpoints.get(key) as any;
    },
    createTemporaryDirectory: async () => options.workspacePath,
    getInitiatorCredentials: async () => credentials,
  };
}

async function main() {
  const root = fs.mkdtempSync(join(os.tmpdir(), 'cloud-bench-'));
  const workspacePath = join(root, 'workspace');
  fs.mkdirSync(join(workspacePath, 'app'), { recursive: true });
  fs.writeFileSync(join(workspacePath, 'app', 'server.js'), SERVER_JS);

  // Both sides get the provider's default settings.
  const provider = await LocalProvider.create({
    dataDir: join(root, 'direct'),
    logger,
  });
  const backend = await startTestBackend({
    features: [
      cloudPlugin,
      localModule,
      mockCatalogWithOwnerGroup(),
      mockServices.rootConfig.factory({
        data: { cloud: { local: { dataDir: join(root, 'backend') } } },
      }),
    ],
  });
  const { port } = backend.server.address() as AddressInfo;
  const options = {
    api: new CloudApiClient({
      discoveryApi: {
        getBaseUrl: async (pluginId: string) =>
          `http://127.0.0.1:${port}/api/${pluginId}`,
      },
    }),
    auth: mockServices.auth(),
  };
  const deployAction = createCloudStackDeployAction(options);
  const deleteAction = createCloudStackDeleteAction(options);

  const direct = (round: string) =>
    timed(STACKS, async i => {
      const stackId = `direct-${round}-${i}`;
      await measure('direct deploy', () =>
        provider.deployStack({
          stackId,
          name: stackId,
          region: 'local',
          spec,
        }),
      );
      await measure('direct delete', () => provider.deleteStack(stackId));
    });

  const viaActions = (round: string) =>
    timed(STACKS, async i => {
      const taskId = `bench-${round}-${i}`;
      const outputs: Record<string, JsonValue> = {};
      const deployContext = actionContext({
        input: {
          name: `actions-${round}-${i}`,
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
        taskId,
        workspacePath,
        outputs,
      });
      await measure('actions deploy', () =>
        deployAction.handler(deployContext),
      );
      await measure('actions delete', () =>
        deleteAction.handler(
          actionContext({
            input: { stackId: outputs.stackId as string },
            taskId,
            workspacePath,
            outputs,
          }),
        ),
      );
      if (outputs.status !== 'deleted') {
        throw new Error(`Stack ${outputs.stackId} is ${outputs.status}`);
      }
    });

  const perSecond = (ms: number) => ((STACKS * 1000) / ms).toFixed(2);
  let directMs = 0;
  let actionsMs = 0;
  try {
    await direct('warm');
    await viaActions('warm');
    for (const key of Object.keys(spent)) {
      delete spent[key];
    }
    for (let round = 1; round <= ROUNDS; round++) {
      const d = await direct(String(round));
      const a = await viaActions(String(round));
      directMs += d;
      actionsMs += a;
      console.log(
        `round ${round}: direct ${d.toFixed(0)} ms, actions ${a.toFixed(
          0,
        )} ms, ratio ${(d / a).toFixed(2)}`,
      );
    }
    if ((await provider.listStacks()).length) {
      throw new Error('The direct provider kept stacks');
    }
  } finally {
    await backend.stop();
    await provider.shutdown();
    fs.rmSync(root, { recursive: true, force: true });
  }

  const mean = (what: string) => {
    const values = spent[what];
    return (values.reduce((a, b) => a + b, 0) / values.length).toFixed(0);
  };
  const ratio = directMs / actionsMs;
  console.log(
    `${STACKS} stacks deployed and deleted, ${CONCURRENCY} at a time, ${ROUNDS} rounds`,
  );
  console.log(
    `direct provider calls: ${perSecond(
      directMs / ROUNDS,
    )} stacks/s (mean deploy ${mean('direct deploy')} ms, delete ${mean(
      'direct delete',
    )} ms)`,
  );
  console.log(
    `scaffolder actions:    ${perSecond(
      actionsMs / ROUNDS,
    )} stacks/s (mean deploy ${mean('actions deploy')} ms, delete ${mean(
      'actions delete',
    )} ms)`,
  );
  console.log(
    `throughput ratio actions/direct: ${ratio.toFixed(
      2,
    )} (target >= ${TARGET})`,
  );
  if (ratio < TARGET) {
    process.exitCode = 1;
  }
}

main().then(
  // the test backend's scheduler keeps timers; everything of ours is stopped
  () => process.exit(),
  error => {
    console.error(error);
    process.exit(1);
  },
);
