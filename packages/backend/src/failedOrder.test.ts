import { createBackendModule } from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  createTemplateAction,
  scaffolderActionsExtensionPoint,
} from '@backstage/plugin-scaffolder-node';
import scaffolderPlugin from '@backstage/plugin-scaffolder-backend';
import cloudPlugin from '@internal/plugin-cloud-backend';
import cloudModuleLocal from '@internal/plugin-cloud-backend-module-local';
import scaffolderModuleCloud from '@internal/plugin-scaffolder-backend-module-cloud';
import storePlugin from '@internal/plugin-store-backend';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';

/**
 * A deploy that fails, end to end: a user orders a product whose template
 * deploys a stack on the local provider, its only node exits at once, and
 * the order ends failed with the cloud's own reason (the node, its exit code
 * and the last lines of its log) in its timeline, while nothing is left
 * running. The real store, scaffolder, cloud actions, cloud backend and
 * local provider run in one test backend.
 */

jest.setTimeout(120_000);

const DEVELOPER = 'user:default/developer';

function group(name: string, parent?: string): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Group',
    metadata: { name, namespace: 'default' },
    spec: { type: 'team', children: [], ...(parent ? { parent } : {}) },
    relations: parent
      ? [{ type: 'childOf', targetRef: `group:default/${parent}` }]
      : [],
  };
}

const entities: Entity[] = [
  group('platform-admins'),
  group('team-web'),
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'User',
    metadata: { name: 'developer', namespace: 'default' },
    spec: { memberOf: ['team-web'] },
    relations: [{ type: 'memberOf', targetRef: 'group:default/team-web' }],
  },
  {
    apiVersion: 'cloudstore.io/v1alpha1',
    kind: 'Product',
    metadata: { name: 'broken-app', namespace: 'default', title: 'Broken App' },
    spec: {
      type: 'application',
      category: 'Applications',
      owner: 'group:default/platform-admins',
      template: 'template:default/broken-app',
      providers: ['local'],
      lifecycle: 'published',
      approval: { policy: 'none' },
      plans: [
        {
          id: 'free',
          title: 'Free',
          price: { amount: '0.00', currency: 'USD', interval: 'month' },
        },
      ],
    },
  },
  {
    apiVersion: 'scaffolder.backstage.io/v1beta3',
    kind: 'Template',
    metadata: { name: 'broken-app', namespace: 'default' },
    spec: {
      owner: 'group:default/platform-admins',
      type: 'service',
      parameters: [
        {
          title: 'App',
          required: ['name', 'owner'],
          properties: {
            name: { type: 'string' },
            owner: { type: 'string' },
            provider: { type: 'string', default: 'local' },
            region: { type: 'string', default: 'local' },
          },
        },
      ],
      steps: [
        { id: 'render', name: 'Render', action: 'test:broken-app' },
        {
          id: 'deploy',
          name: 'Deploy',
          action: 'cloud:stack:deploy',
          input: {
            name: '${{ parameters.name }}',
            owner: '${{ parameters.owner }}',
            provider: '${{ parameters.provider }}',
            region: '${{ parameters.region }}',
            requestedBy: '${{ secrets.storeRequester }}',
            roles: [
              {
                name: 'app',
                count: 1,
                runtime: 'node',
                entry: 'app.js',
                filesFrom: 'app',
              },
            ],
          },
        },
      ],
    },
  },
];

/** Writes the app whose node exits at once into the task's workspace. */
const brokenAppModule = createBackendModule({
  pluginId: 'scaffolder',
  moduleId: 'broken-app',
  register(env) {
    env.registerInit({
      deps: { scaffolder: scaffolderActionsExtensionPoint },
      async init({ scaffolder }) {
        scaffolder.addActions(
          createTemplateAction({
            id: 'test:broken-app',
            async handler(ctx) {
              const dir = path.join(ctx.workspacePath, 'app');
              await fs.promises.mkdir(dir, { recursive: true });
              await fs.promises.writeFile(
                path.join(dir, 'app.js'),
                'console.error("DATABASE_URL is not set"); process.exit(4);',
              );
            },
          }),
        );
      },
    });
  },
});

describe('an order whose deploy fails', () => {
  let dataDir: string;
  let backend: Awaited<ReturnType<typeof startTestBackend>> | undefined;

  beforeAll(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cloudstore-failed-'));
    // Local nodes run as nobody: they must reach their folders inside.
    fs.chmodSync(dataDir, 0o755);
  });

  afterAll(async () => {
    await backend?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('fails with the node, its exit code and its log in the timeline, and leaves nothing running', async () => {
    backend = await startTestBackend({
      features: [
        storePlugin,
        scaffolderPlugin,
        scaffolderModuleCloud,
        cloudPlugin,
        cloudModuleLocal,
        brokenAppModule,
        catalogServiceMock.factory({ entities }),
        mockServices.permissions.mock({
          authorize: async requests =>
            requests.map(() => ({ result: AuthorizeResult.ALLOW })),
          authorizeConditional: async requests =>
            requests.map(() => ({ result: AuthorizeResult.ALLOW })),
        }).factory,
        mockServices.rootConfig.factory({
          data: {
            store: {
              secrets: {
                keys: [
                  { id: 'test', secret: randomBytes(32).toString('base64') },
                ],
              },
              products: {
                refresh: {
                  frequency: { seconds: 1 },
                  timeout: { minutes: 1 },
                },
              },
              orders: {
                follow: {
                  frequency: { seconds: 1 },
                  timeout: { minutes: 1 },
                },
              },
            },
            cloud: { local: { dataDir, hostId: 'failed-order-host' } },
            scaffolder: { EXPERIMENTAL_gracefulShutdown: true },
          },
        }),
      ],
    });
    const { server } = backend;
    const asDeveloper = mockCredentials.user.header(DEVELOPER);

    // the product is in the store once the index has read the catalog
    const deadline = Date.now() + 60_000;
    for (;;) {
      const res = await request(server)
        .get('/api/store/products/default/broken-app')
        .set('authorization', asDeveloper);
      if (res.status === 200) {
        break;
      }
      if (Date.now() > deadline) {
        throw new Error(`The product is not in the store: ${res.status}`);
      }
      await new Promise(resolve => setTimeout(resolve, 200));
    }

    const placed = await request(server)
      .post('/api/store/orders')
      .set('authorization', asDeveloper)
      .send({
        product: 'product:default/broken-app',
        plan: 'free',
        provider: 'local',
        region: 'local',
        parameters: { name: 'broken', owner: 'group:default/team-web' },
      });
    expect(placed.status).toBe(201);

    let order: any;
    for (;;) {
      const res = await request(server)
        .get(`/api/store/orders/${placed.body.id}`)
        .set('authorization', asDeveloper);
      order = res.body;
      if (!['approved', 'provisioning'].includes(order.status)) {
        break;
      }
      if (Date.now() > deadline + 60_000) {
        throw new Error(`The order is still ${order.status}`);
      }
      await new Promise(resolve => setTimeout(resolve, 250));
    }

    expect(order.status).toBe('failed');
    expect(order.error).toMatch(/node app-1 of role 'app'/);
    expect(order.error).toMatch(/exit code 4/);
    expect(order.error).toContain('DATABASE_URL is not set');
    expect(order.events.at(-1)).toMatchObject({
      action: 'fail',
      toStatus: 'failed',
      comment: order.error,
    });

    const stacks = await request(server)
      .get('/api/cloud/stacks?includeDeleted=true')
      .set('authorization', mockCredentials.service.header());
    const stack = stacks.body.items.find(
      (s: { name: string }) => s.name === 'broken',
    );
    expect(stack).toMatchObject({ status: 'failed' });
    for (const node of stack.nodes ?? []) {
      expect(['failed', 'stopped']).toContain(node.status);
    }
    // no process of the stack's nodes is left
    const running = fs
      .readdirSync('/proc')
      .filter(entry => /^\d+$/.test(entry))
      .filter(pid => {
        try {
          return fs
            .readFileSync(`/proc/${pid}/environ`, 'utf8')
            .includes(`CLOUD_NODE_KEY=${stack.id}/`);
        } catch {
          return false;
        }
      });
    expect(running).toEqual([]);
  });
});
