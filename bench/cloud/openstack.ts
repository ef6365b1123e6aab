/*
 * Benchmark of stack deploys and deletes on OpenStack through the
 * scaffolder actions, against the same Heat calls made directly.
 *
 * Deploys and deletes 20 stacks, 5 at a time, on the Keystone and Heat of
 * `scripts/openstack.sh` (the CLOUDSTORE_OPENSTACK_* variables of its `env`):
 *   - direct: HeatClient's create, then its stack read every 250 ms until
 *     CREATE_COMPLETE, then delete and reads until the stack is gone;
 *   - actions: the `cloud:stack:deploy` (with the HOT template as the
 *     provider's stackTemplate) and `cloud:stack:delete` handlers, calling a
 *     real cloud backend (the cloud plugin with the OpenStack provider, on
 *     SQLite) over HTTP, which records every stack and node.
 * After a warm-up batch of each, the rounds alternate; it prints the
 * throughput of both and their ratio, and exits with 1 below 0.8.
 *
 * Usage (from the repository root):
 *   eval "$(./scripts/openstack.sh env)" && yarn bench:openstack
 * Options: BENCH_STACKS (20), BENCH_CONCURRENCY (5), BENCH_ROUNDS (2).
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
import openStackModule, {
  HeatClient,
  KeystoneClient,
} from '@internal/plugin-cloud-backend-module-openstack';
import { CloudApiClient } from '@internal/plugin-cloud-common';
import { mockCatalogWithOwnerGroup } from '@internal/plugin-cloud-node/testUtils';
import { ActionContext } from '@backstage/plugin-scaffolder-node';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { AddressInfo } from 'node:net';
import os from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createCloudStackDeleteAction } from '../../plugins/scaffolder-backend-module-cloud/src/actions/stackDelete';
import { createCloudStackDeployAction } from '../../plugins/scaffolder-backend-module-cloud/src/actions/stackDeploy';

const STACKS = Number(process.env.BENCH_STACKS ?? 20);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const TARGET = 0.8;
const POLL_MS = 250;

const TEMPLATE = `
heat_template_version: 2021-04-16
parameters:
  app_count:
    type: number
    default: 1
resources:
  secret:
    type: OS::Heat::RandomString
  app:
    type: OS::Heat::ResourceGroup
    properties:
      count: { get_param: app_count }
      resource_def:
        type: OS::Heat::Value
        properties:
          value: 10.50.0.%index%
outputs:
  app_addresses:
    value: { get_attr: [app, value] }
  url:
    value: https://bench.example
`;

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

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

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
  const authUrl = process.env.CLOUDSTORE_OPENSTACK_AUTH_URL;
  if (!authUrl) {
    throw new Error(
      'No OpenStack: run scripts/openstack.sh start and eval "$(scripts/openstack.sh env)"',
    );
  }
  const region = process.env.CLOUDSTORE_OPENSTACK_REGION ?? 'RegionOne';
  const project = process.env.CLOUDSTORE_OPENSTACK_PROJECT ?? 'cloudstore';
  const domain = process.env.CLOUDSTORE_OPENSTACK_DOMAIN ?? 'Default';
  const username = process.env.CLOUDSTORE_OPENSTACK_USERNAME ?? 'cloudstore';
  const tag = `bench${randomBytes(3).toString('hex')}`;

  const root = fs.mkdtempSync(join(os.tmpdir(), 'cloud-os-bench-'));
  const workspacePath = join(root, 'workspace');
  fs.mkdirSync(join(workspacePath, 'heat'), { recursive: true });
  fs.writeFileSync(join(workspacePath, 'heat', 'openstack.yaml'), TEMPLATE);

  const heat = HeatClient.create({
    region,
    keystone: KeystoneClient.create({
      authUrl,
      credentials: () => ({
        type: 'password',
        username,
        password: process.env.CLOUDSTORE_OPENSTACK_PASSWORD ?? '',
        userDomain: domain,
        project,
        projectDomain: domain,
      }),
    }),
  });
  const backend = await startTestBackend({
    features: [
      cloudPlugin,
      openStackModule,
      mockCatalogWithOwnerGroup(),
      mockServices.rootConfig.factory({
        data: {
          cloud: {
            openstack: {
              tag,
              providers: {
                openstack: {
                  regions: {
                    [region]: {
                      authUrl,
                      project,
                      projectDomain: domain,
                      credentials: {
                        type: 'password',
                        username,
                        userDomain: domain,
                        passwordEnv: 'CLOUDSTORE_OPENSTACK_PASSWORD',
                      },
                    },
                  },
                },
              },
            },
          },
        },
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

  const direct = (round: string, count = STACKS) =>
    timed(count, async i => {
      const name = `${tag}-direct-${round}-${i}`;
      await measure('direct deploy', async () => {
        const { id } = await heat.createStack({
          name,
          template: TEMPLATE,
          parameters: { app_count: 1 },
          tags: [tag],
          timeoutMinutes: 30,
        });
        for (;;) {
          const stack = await heat.readStack({ id, stack_name: name });
          if (stack?.stack_status === 'CREATE_COMPLETE') {
            return stack;
          }
          if (!stack || !stack.stack_status.endsWith('IN_PROGRESS')) {
            throw new Error(`${name} is ${stack?.stack_status}`);
          }
          await sleep(POLL_MS);
        }
      });
      await measure('direct delete', async () => {
        const stack = (await heat.getStack(name))!;
        await heat.deleteStack(stack);
        while (await heat.readStack(stack)) {
          await sleep(POLL_MS);
        }
      });
    });

  const viaActions = (round: string, count = STACKS) =>
    timed(count, async i => {
      const taskId = `bench-${round}-${i}`;
      const outputs: Record<string, JsonValue> = {};
      const deployContext = actionContext({
        input: {
          name: `actions-${round}-${i}`,
          owner: 'group:default/web-team',
          provider: 'openstack',
          region,
          roles: [{ name: 'app', count: 1 }],
          stackTemplates: { openstack: { file: 'heat/openstack.yaml' } },
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
    // one batch each way warms Keystone, Heat and the backend up
    await direct('warm', CONCURRENCY);
    await viaActions('warm', CONCURRENCY);
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
    if ((await heat.listStacks([tag])).length) {
      throw new Error('Heat kept stacks of the benchmark');
    }
  } finally {
    await backend.stop();
    for (const stack of await heat.listStacks([tag])) {
      await heat.deleteStack(stack);
    }
    fs.rmSync(root, { recursive: true, force: true });
  }

  const mean = (what: string) => {
    const values = spent[what];
    return (values.reduce((a, b) => a + b, 0) / values.length).toFixed(0);
  };
  const ratio = directMs / actionsMs;
  console.log(
    `${STACKS} stacks created and deleted on Heat, ${CONCURRENCY} at a time, ${ROUNDS} rounds`,
  );
  console.log(
    `direct Heat calls:  ${perSecond(
      directMs / ROUNDS,
    )} stacks/s (mean create ${mean('direct deploy')} ms, delete ${mean(
      'direct delete',
    )} ms)`,
  );
  console.log(
    `scaffolder actions: ${perSecond(
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
