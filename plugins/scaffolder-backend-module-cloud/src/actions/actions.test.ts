import { mockCredentials } from '@backstage/backend-test-utils';
import { TemplateAction } from '@backstage/plugin-scaffolder-node';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { JsonObject, JsonValue } from '@backstage/types';
import fs from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import yaml from 'yaml';
import {
  CloudApi,
  ROLE_NAME_PATTERN,
  roleSpecSchema,
  STACK_NAME_PATTERN,
} from '@internal/plugin-cloud-common';
import { createCloudNodeScriptAction } from './nodeScript';
import { examples as scriptExamples } from './nodeScript.examples';
import { createCloudStackDeleteAction } from './stackDelete';
import { examples as deleteExamples } from './stackDelete.examples';
import { createCloudStackDeployAction } from './stackDeploy';
import { examples as deployExamples } from './stackDeploy.examples';
import { createCloudStackScaleAction } from './stackScale';
import { examples as scaleExamples } from './stackScale.examples';
import { SERVER_JS, startCloudBackend } from '../__testUtils__/cloudBackend';

jest.setTimeout(120_000);

type AnyAction = TemplateAction<any, any, any>;

/** The plan limits the store gives a task of an order, as a secret. */
const PLAN_LIMITS = {
  instances: 4,
  upgradeHint: 'order the Enterprise plan, which allows 10 instances',
  alerts: { cpu: { percent: 80, for: '10m' }, memory: false },
};
const SECRETS: Record<string, string> = {
  storePlanLimits: JSON.stringify(PLAN_LIMITS),
};

/**
 * The input of an example's step, with `${{ secrets.x }}` rendered as the
 * scaffolder renders it: a secret is a string, and stays one.
 */
function exampleInput(example: string, stackId?: string): JsonObject {
  const text = stackId
    ? example.replace('${{ steps.deploy.output.stackId }}', stackId)
    : example;
  const input: JsonObject = yaml.parse(text).steps[0].input;
  return Object.fromEntries(
    Object.entries(input).map(([key, value]) => {
      const secret =
        typeof value === 'string' &&
        /^\$\{\{ secrets\.(\w+) \}\}$/.exec(value)?.[1];
      return [key, secret ? SECRETS[secret] : value];
    }),
  );
}

/** A context whose checkpoints persist across runs, like a retried task. */
function contextFor(
  input: JsonObject,
  options: {
    workspacePath: string;
    checkpoints?: Map<string, JsonValue>;
    taskId?: string;
  },
) {
  const ctx = createMockActionContext({
    input,
    workspacePath: options.workspacePath,
    task: { id: options.taskId ?? 'task-1' },
  });
  const checkpoints = options.checkpoints;
  if (checkpoints) {
    ctx.checkpoint = (async (opts: {
      key: string;
      fn: () => Promise<JsonValue>;
    }) => {
      if (!checkpoints.has(opts.key)) {
        checkpoints.set(opts.key, await opts.fn());
      }
      return checkpoints.get(opts.key);
    }) as typeof ctx.checkpoint;
  }
  ctx.getInitiatorCredentials = async () =>
    mockCredentials.user('user:default/developer');
  return ctx;
}

function outputs(ctx: { output: unknown }) {
  return Object.fromEntries((ctx.output as jest.Mock).mock.calls);
}

describe('cloud actions', () => {
  let cloud: Awaited<ReturnType<typeof startCloudBackend>>;
  let api: CloudApi;
  let workspacePath: string;
  let deploy: AnyAction;
  let remove: AnyAction;
  let scale: AnyAction;
  let script: AnyAction;
  const stackIds: string[] = [];

  beforeAll(async () => {
    cloud = await startCloudBackend();
    api = cloud.api;
    const options = { api, auth: cloud.auth };
    deploy = createCloudStackDeployAction(options);
    remove = createCloudStackDeleteAction(options);
    scale = createCloudStackScaleAction(options);
    script = createCloudNodeScriptAction(options);
    workspacePath = fs.mkdtempSync(join(os.tmpdir(), 'cloud-workspace-'));
    for (const dir of ['app', 'db']) {
      fs.mkdirSync(join(workspacePath, dir));
    }
    fs.writeFileSync(join(workspacePath, 'app', 'server.js'), SERVER_JS);
    fs.writeFileSync(join(workspacePath, 'app', 'app.js'), SERVER_JS);
    fs.writeFileSync(join(workspacePath, 'db', 'db.js'), SERVER_JS);
  });

  afterAll(async () => {
    await cloud?.stop();
    fs.rmSync(workspacePath, { recursive: true, force: true });
  });

  it.each(deployExamples.map(e => [e.description, e.example]))(
    'cloud:stack:deploy example: %s',
    async (_, example) => {
      const ctx = contextFor(exampleInput(example), { workspacePath });
      await deploy.handler(ctx as any);
      const out = outputs(ctx);
      expect(out.stackId).toBeTruthy();
      expect(out.url).toMatch(/^http:\/\/[a-z-]+\.localhost:\d+$/);
      expect(out.stackPath).toBe(`/cloud/stacks/${out.stackId}`);
      const stack = await api.getStack(out.stackId, {
        token: mockCredentials.user.token('user:default/developer'),
      });
      expect(stack.status).toBe('running');
      expect(stack.createdBy).toBe('user:default/developer');
      expect(stack.limits).toEqual(
        example.includes('storePlanLimits') ? PLAN_LIMITS : undefined,
      );
      stackIds.push(out.stackId);
    },
  );

  it.each(scaleExamples.map(e => [e.description, e.example]))(
    'cloud:stack:scale example: %s',
    async (_, example) => {
      const stackId = stackIds[stackIds.length - 1];
      const ctx = contextFor(exampleInput(example, stackId), { workspacePath });
      await scale.handler(ctx as any);
      expect(outputs(ctx).nodes).toEqual(['app-1', 'app-2', 'app-3']);
    },
  );

  it.each(scriptExamples.map(e => [e.description, e.example]))(
    'cloud:node:script example: %s',
    async (_, example) => {
      const stackId = stackIds[stackIds.length - 1];
      const ctx = contextFor(exampleInput(example, stackId), { workspacePath });
      await script.handler(ctx as any);
      expect(outputs(ctx).exitCode).toBe(0);
      expect(outputs(ctx).output).toMatch(/\d/);
    },
  );

  it.each(deleteExamples.map(e => [e.description, e.example]))(
    'cloud:stack:delete example: %s',
    async (_, example) => {
      for (const stackId of stackIds.splice(0)) {
        const ctx = contextFor(exampleInput(example, stackId), {
          workspacePath,
        });
        await remove.handler(ctx as any);
        expect(outputs(ctx).status).toBe('deleted');
      }
    },
  );

  it('repeats nothing when a task is retried', async () => {
    const checkpoints = new Map<string, JsonValue>();
    const input = {
      name: 'retried',
      owner: 'group:default/web-team',
      roles: [
        {
          name: 'app',
          count: 1,
          runtime: 'node',
          entry: 'server.js',
          filesFrom: 'app',
        },
      ],
    };
    const first = contextFor(input, { workspacePath, checkpoints });
    await deploy.handler(first as any);
    const again = contextFor(input, { workspacePath, checkpoints });
    await deploy.handler(again as any);
    // a crash after the call but before the checkpoint was saved
    const lost = contextFor(input, { workspacePath });
    await deploy.handler(lost as any);
    const ids = [first, again, lost].map(c => outputs(c).stackId);
    expect(new Set(ids).size).toBe(1);

    const runs = new Map<string, JsonValue>();
    const counter = {
      stackId: ids[0],
      node: 'app-1',
      script: 'echo run >> runs.txt; wc -l < runs.txt',
    };
    for (let i = 0; i < 2; i++) {
      const ctx = contextFor(counter, { workspacePath, checkpoints: runs });
      await script.handler(ctx as any);
      expect(outputs(ctx).output.trim()).toBe('1');
    }
    // the script ran, but its checkpoint was lost: the idempotency key of
    // the task answers the first run
    const lostRun = contextFor(counter, { workspacePath });
    await script.handler(lostRun as any);
    expect(outputs(lostRun).output.trim()).toBe('1');

    const deletes = new Map<string, JsonValue>();
    for (let i = 0; i < 2; i++) {
      const ctx = contextFor(
        { stackId: ids[0] },
        {
          workspacePath,
          checkpoints: deletes,
        },
      );
      await remove.handler(ctx as any);
      expect(outputs(ctx).status).toBe('deleted');
    }
  });

  it('fails clearly on bad input', async () => {
    await expect(
      deploy.handler(
        contextFor(
          {
            name: 'bad-one',
            owner: 'group:default/web-team',
            provider: 'mars',
            roles: [{ name: 'app', count: 1, command: ['node', 'x.js'] }],
          },
          { workspacePath },
        ) as any,
      ),
    ).rejects.toThrow(/Unknown provider 'mars'/);
    await expect(
      deploy.handler(
        contextFor(
          {
            name: 'bad-two',
            owner: 'group:default/web-team',
            roles: [
              { name: 'app', count: 1, command: ['node'], filesFrom: 'nope' },
            ],
          },
          { workspacePath },
        ) as any,
      ),
    ).rejects.toThrow(/No folder 'nope'/);
  });

  it("refuses a stack beyond its plan's limits, or limits it cannot read", async () => {
    const input = (limits: string) => ({
      name: 'too-big',
      owner: 'group:default/web-team',
      limits,
      roles: [
        {
          name: 'app',
          count: 2,
          runtime: 'node',
          entry: 'app.js',
          filesFrom: 'app',
        },
      ],
    });
    await expect(
      deploy.handler(
        contextFor(input(JSON.stringify({ ...PLAN_LIMITS, instances: 1 })), {
          workspacePath,
        }) as any,
      ),
    ).rejects.toThrow(
      "The stack's plan allows at most 1 instances, and this would make 2 (app: 2). The limit is the plan's and binds administrators too; order the Enterprise plan, which allows 10 instances",
    );
    await expect(
      deploy.handler(contextFor(input('{nope'), { workspacePath }) as any),
    ).rejects.toThrow('limits is not the JSON of an object');
    await expect(
      deploy.handler(
        contextFor(input('{"instances":-1}'), { workspacePath }) as any,
      ),
    ).rejects.toThrow(/^Invalid limits: limits\.instances: /);
    const stacks = await api.listStacks(
      { includeDeleted: true },
      { token: mockCredentials.user.token('user:default/developer') },
    );
    expect(stacks.items.map(s => s.name)).not.toContain('too-big');
  });

  it('takes its input from the stack spec of cloud-common', () => {
    const input = deploy.schema?.input as any;
    expect(input.properties.name.pattern).toBe(STACK_NAME_PATTERN.source);
    const role = input.properties.roles.items;
    expect(Object.keys(role.properties).sort()).toEqual(
      [
        ...Object.keys(roleSpecSchema.shape).filter(k => k !== 'files'),
        'filesFrom',
      ].sort(),
    );
    expect(role.properties.name.pattern).toBe(ROLE_NAME_PATTERN.source);
  });

  it('checks the spec with cloud-common before it calls the cloud backend', async () => {
    await expect(
      deploy.handler(
        contextFor(
          {
            name: 'both-ways',
            owner: 'group:default/web-team',
            roles: [
              {
                name: 'app',
                count: 1,
                runtime: 'node',
                command: ['node', 'server.js'],
              },
              { name: 'lb', count: 1, runtime: 'load-balancer' },
            ],
          },
          { workspacePath },
        ) as any,
      ),
    ).rejects.toThrow(
      'Invalid stack spec: spec.roles.0: must name a runtime or give a command, not both; spec.roles.1.balances: must name the role to balance',
    );
    const stacks = await api.listStacks(
      { includeDeleted: true },
      { token: mockCredentials.user.token('user:default/developer') },
    );
    expect(stacks.items.map(s => s.name)).not.toContain('both-ways');
  });
});
