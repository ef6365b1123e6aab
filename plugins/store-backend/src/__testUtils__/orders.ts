import { createBackendModule } from '@backstage/backend-plugin-api';
import { Entity } from '@backstage/catalog-model';
import {
  createTemplateAction,
  scaffolderActionsExtensionPoint,
} from '@backstage/plugin-scaffolder-node';
import { makeProduct } from './products';

/**
 * Scaffolder actions of the order tests: `store:test:secrets` records the
 * secrets its task received, `store:test:input` the input its step rendered;
 * `store:test:fail` fails with its `message`,
 * as cloud:stack:deploy does with the cloud API's answer.
 */
export function createTestActionsModule() {
  const received: Array<Record<string, string>> = [];
  const inputs: Array<Record<string, unknown>> = [];
  const module = createBackendModule({
    pluginId: 'scaffolder',
    moduleId: 'store-test-actions',
    register(env) {
      env.registerInit({
        deps: { scaffolder: scaffolderActionsExtensionPoint },
        async init({ scaffolder }) {
          scaffolder.addActions(
            createTemplateAction({
              id: 'store:test:secrets',
              async handler(ctx) {
                received.push({ ...(ctx.secrets as Record<string, string>) });
              },
            }),
            createTemplateAction({
              id: 'store:test:input',
              async handler(ctx) {
                inputs.push({ ...(ctx.input as Record<string, unknown>) });
              },
            }),
            createTemplateAction({
              id: 'store:test:fail',
              schema: { input: { message: z => z.string() } },
              async handler(ctx) {
                throw new Error(ctx.input.message);
              },
            }),
          );
        },
      });
    },
  });
  return { module, received, inputs };
}

/** A user entity for tests, in the given groups. */
export function makeUser(name: string, groups: string[]): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'User',
    metadata: { name, namespace: 'default' },
    spec: { memberOf: groups },
    relations: groups.map(group => ({
      type: 'memberOf',
      targetRef: `group:default/${group}`,
    })),
  };
}

/** A group entity for tests, under an optional parent. */
export function makeGroup(name: string, parent?: string): Entity {
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

/**
 * A template that the real scaffolder runs: it logs, then outputs a URL.
 * With `action`, its only step uses that action instead, e.g. one that does
 * not exist so that the task fails.
 */
export function makeRunnableTemplate(name: string, action?: string): Entity {
  return {
    apiVersion: 'scaffolder.backstage.io/v1beta3',
    kind: 'Template',
    metadata: { name, namespace: 'default' },
    spec: {
      owner: 'group:default/platform-admins',
      type: 'service',
      parameters: [
        {
          title: 'Instance',
          required: ['name'],
          properties: {
            name: { type: 'string', pattern: '^[a-z][a-z0-9-]*$' },
          },
        },
      ],
      steps: [
        {
          id: 'log',
          name: 'Log',
          action: action ?? 'debug:log',
          input: { message: 'Provisioning ${{ parameters.name }}' },
        },
      ],
      output: {
        links: [
          { title: 'App', url: 'http://${{ parameters.name }}.localhost' },
        ],
      },
    },
  };
}

/**
 * A template that declares where its stack goes, as the deploying templates
 * do; its output names the provider and region the task received.
 */
export function makePlacedTemplate(name: string): Entity {
  const template = makeRunnableTemplate(name);
  const spec = template.spec as any;
  spec.parameters[0].properties.provider = { type: 'string', default: 'local' };
  spec.parameters[0].properties.region = { type: 'string', default: 'local' };
  spec.output.text = [
    {
      title: 'Placement',
      content: '${{ parameters.provider }}/${{ parameters.region }}',
    },
  ];
  return template;
}

/**
 * A template with a node count, whose steps record the secrets of its task
 * and what a step's input renders from them.
 */
export function makeSizedTemplate(name: string): Entity {
  const template = makeRunnableTemplate(name, 'store:test:secrets');
  const spec = template.spec as any;
  spec.parameters[0].properties.nodes = {
    type: 'integer',
    minimum: 1,
    maximum: 20,
  };
  // As the deploying templates hand the limits to cloud:stack:deploy.
  spec.steps.push({
    id: 'deploy',
    name: 'Deploy',
    action: 'store:test:input',
    input: {
      count: '${{ parameters.nodes }}',
      limits: '${{ secrets.storePlanLimits }}',
    },
  });
  return template;
}

/** The catalog of the order tests: products, templates, users and groups. */
export const orderEntities: Entity[] = [
  makeProduct('pg', {
    template: 'template:default/pg',
    providers: ['local'],
    approval: {
      policy: 'above-threshold',
      threshold: { amount: '500.00', currency: 'USD' },
      approverGroups: ['group:default/platform-admins'],
    },
  }),
  makeRunnableTemplate('pg'),
  makeProduct('webapp', {
    template: 'template:default/webapp',
    providers: ['local', 'kubernetes'],
    approval: {
      policy: 'required',
      approverGroups: ['group:default/approvers'],
      count: 1,
      reason: 'Multi-node stacks use shared capacity',
    },
  }),
  makeRunnableTemplate('webapp'),
  makeProduct('twokeys', {
    template: 'template:default/webapp',
    approval: {
      policy: 'required',
      approverGroups: ['group:default/approvers'],
      count: 2,
    },
  }),
  makeProduct('vault', {
    template: 'template:default/vault',
    approval: {
      policy: 'required',
      approverGroups: ['group:default/approvers'],
    },
  }),
  {
    ...makeRunnableTemplate('vault', 'store:test:secrets'),
    spec: {
      ...makeRunnableTemplate('vault', 'store:test:secrets').spec,
      secrets: {
        schema: {
          type: 'object',
          required: ['apiToken'],
          properties: { apiToken: { type: 'string', minLength: 8 } },
        },
      },
    },
  },
  makeProduct('nogroups', {
    template: 'template:default/webapp',
    approval: { policy: 'required' },
  }),
  makeProduct('broken', {
    template: 'template:default/broken',
    approval: { policy: 'none' },
  }),
  makeRunnableTemplate('broken', 'store:test:missing'),
  makeProduct('faulty', {
    template: 'template:default/faulty',
    approval: { policy: 'none' },
  }),
  {
    ...makeRunnableTemplate('faulty', 'store:test:fail'),
    spec: {
      ...makeRunnableTemplate('faulty').spec,
      steps: [
        {
          id: 'deploy',
          name: 'Deploy',
          action: 'store:test:fail',
          input: {
            message:
              'Stack st-4711 failed: node app-1 of role app exited with code 3; last log lines: Error: listen EADDRINUSE',
          },
        },
      ],
    },
  },
  makeProduct('placed', {
    template: 'template:default/placed',
    providers: ['local', 'kubernetes'],
    approval: { policy: 'none' },
  }),
  makePlacedTemplate('placed'),
  // Its plans limit the instances that its template's `nodes` sets.
  makeProduct('sized', {
    template: 'template:default/sized',
    approval: { policy: 'none' },
    limitParameters: { instances: 'nodes' },
    plans: [
      {
        id: 'standard',
        title: 'Standard',
        price: { amount: '89.00', currency: 'USD', interval: 'month' },
        limits: { instances: 2 },
      },
      {
        id: 'enterprise',
        title: 'Enterprise',
        price: { amount: '999.00', currency: 'USD', interval: 'month' },
        limits: { instances: 10 },
      },
    ],
  }),
  makeSizedTemplate('sized'),
  makeProduct('draft', {
    lifecycle: 'draft',
    owner: 'group:default/developers',
  }),
  makeProduct('old', { lifecycle: 'deprecated' }),
  makeUser('developer', ['team-web']),
  makeUser('approver', ['approvers']),
  makeUser('approver-eu', ['approvers-eu']),
  makeUser('platform-admin', ['platform-admins']),
  makeGroup('developers'),
  makeGroup('team-web', 'developers'),
  makeGroup('approvers'),
  makeGroup('approvers-eu', 'approvers'),
  makeGroup('platform-admins'),
];
