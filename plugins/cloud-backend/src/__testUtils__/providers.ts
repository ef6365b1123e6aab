import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { mockServices } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { LocalProvider } from '@internal/plugin-cloud-backend-module-local';
import {
  CloudProvider,
  cloudProvidersExtensionPoint,
  DeployStackRequest,
  NodeSelector,
  ProviderStack,
} from '@internal/plugin-cloud-node';

/**
 * A module adding a local provider on a host of its own, its nodes under
 * `dataDir`: two in one test process stand for two backend instances.
 */
export function localModuleOnHost(options: {
  hostId: string;
  dataDir: string;
}) {
  return createBackendModule({
    pluginId: 'cloud',
    moduleId: `local-${options.hostId}`,
    register(reg) {
      reg.registerInit({
        deps: {
          providers: cloudProvidersExtensionPoint,
          lifecycle: coreServices.rootLifecycle,
        },
        async init({ providers, lifecycle }) {
          const provider = await LocalProvider.create({
            dataDir: options.dataDir,
            logger: mockServices.logger.mock(),
            healthIntervalMs: 200,
            hostId: options.hostId,
          });
          lifecycle.addShutdownHook(async () => {
            for (const stack of await provider.listStacks()) {
              await provider.deleteStack(stack.stackId);
            }
            await provider.shutdown();
          });
          providers.addProvider(provider);
        },
      });
    },
  });
}

/** A group of the catalog, under `parent`. */
export function group(name: string, parent?: string): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Group',
    metadata: { name, namespace: 'default' },
    spec: { type: 'team', children: [], ...(parent ? { parent } : {}) },
  };
}

/**
 * The demo organisation, in part: team-web sits in developers, which sits
 * in engineering; finance is elsewhere.
 */
export const ORG = [
  group('acme'),
  group('engineering', 'acme'),
  group('developers', 'engineering'),
  group('team-web', 'developers'),
  group('finance', 'acme'),
];

/**
 * A provider that keeps stacks in memory and fails deploys as told: a node
 * starts, then the deploy ends with `deployError`, as a real provider's
 * would when a node does not come up.
 */
export class FakeProvider implements CloudProvider {
  readonly id = 'fake';
  readonly title = 'Fake';
  readonly stacks = new Map<string, ProviderStack>();
  readonly deleted: string[] = [];
  deployError?: Error;
  restartError?: Error;

  listRegions() {
    return ['fake-1'];
  }

  listRuntimes() {
    return [{ name: 'node', title: 'Node.js' }];
  }

  async deployStack(request: DeployStackRequest): Promise<ProviderStack> {
    const stack: ProviderStack = {
      stackId: request.stackId,
      name: request.name,
      region: request.region,
      state: 'running',
      nodes: request.spec.roles.map(role => ({
        name: `${role.name}-1`,
        role: role.name,
        resourceId: `fake:${request.stackId}/${role.name}-1`,
        status: 'starting',
      })),
    };
    this.stacks.set(request.stackId, stack);
    if (this.deployError) {
      throw this.deployError;
    }
    stack.nodes.forEach(n => (n.status = 'running'));
    return stack;
  }

  async getStack(stackId: string) {
    return this.stacks.get(stackId);
  }

  async listStacks() {
    return [...this.stacks.values()];
  }

  async deleteStack(stackId: string) {
    this.deleted.push(stackId);
    this.stacks.delete(stackId);
  }

  private unsupported(): never {
    throw new Error('not supported by the fake provider');
  }

  /**
   * Restarts nodes; with `restartError` set, the nodes end failed and the
   * restart ends with that error.
   */
  async restartNodes(selector: NodeSelector): Promise<ProviderStack> {
    const stack = this.stacks.get(selector.stackId)!;
    for (const node of stack.nodes) {
      if (!selector.nodeNames || selector.nodeNames.includes(node.name)) {
        node.status = this.restartError ? 'failed' : 'running';
      }
    }
    if (this.restartError) {
      throw this.restartError;
    }
    return stack;
  }

  startNodes = async (_: NodeSelector) => this.unsupported();
  stopNodes = async (_: NodeSelector) => this.unsupported();
  scaleRole = async () => this.unsupported();
  runScript = async () => this.unsupported();
  getLogs = async () => this.unsupported();
}

/** A module adding `provider` to the cloud backend. */
export function providerModule(provider: CloudProvider) {
  return createBackendModule({
    pluginId: 'cloud',
    moduleId: `test-${provider.id}`,
    register(reg) {
      reg.registerInit({
        deps: { providers: cloudProvidersExtensionPoint },
        async init({ providers }) {
          providers.addProvider(provider);
        },
      });
    },
  });
}
