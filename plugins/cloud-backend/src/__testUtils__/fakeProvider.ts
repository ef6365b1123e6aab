import { createBackendModule } from '@backstage/backend-plugin-api';
import {
  CloudProvider,
  cloudProvidersExtensionPoint,
  DeployStackRequest,
  ProviderStack,
} from '@internal/plugin-cloud-node';

/**
 * An in-memory provider whose nodes are running as soon as they are asked
 * for; `deploy` replaces its deploy, e.g. to fail it.
 */
export function createFakeProvider(options: {
  id: string;
  deploy?: (request: DeployStackRequest) => Promise<ProviderStack>;
}): CloudProvider {
  const stacks = new Map<string, ProviderStack>();
  const stackOf = (stackId: string) => {
    const stack = stacks.get(stackId);
    if (!stack) {
      throw new Error(`No stack ${stackId}`);
    }
    return stack;
  };
  const nodesOf = (stackId: string, role: string, count: number) =>
    Array.from({ length: count }, (_, i) => ({
      name: `${role}-${i + 1}`,
      role,
      resourceId: `${options.id}:${stackId}:${role}-${i + 1}`,
      status: 'running' as const,
    }));
  return {
    id: options.id,
    title: options.id,
    listRegions: () => ['here'],
    async deployStack(request) {
      if (options.deploy) {
        return options.deploy(request);
      }
      const stack: ProviderStack = {
        stackId: request.stackId,
        name: request.name,
        region: request.region,
        state: 'running',
        nodes: request.spec.roles.flatMap(role =>
          nodesOf(request.stackId, role.name, role.count),
        ),
      };
      stacks.set(request.stackId, stack);
      return stack;
    },
    getStack: async stackId => stacks.get(stackId),
    startNodes: async ({ stackId }) => stackOf(stackId),
    stopNodes: async ({ stackId }) => stackOf(stackId),
    restartNodes: async ({ stackId }) => stackOf(stackId),
    async deleteStack(stackId) {
      stacks.delete(stackId);
    },
    async scaleRole(stackId, role, count) {
      const stack = stackOf(stackId);
      stack.nodes = [
        ...stack.nodes.filter(n => n.role !== role),
        ...nodesOf(stackId, role, count),
      ];
      return stack;
    },
    runScript: async () => ({
      exitCode: 0,
      timedOut: false,
      output: '',
      durationMs: 0,
    }),
    getLogs: async () => '',
    listStacks: async () => [...stacks.values()],
  };
}

/** A backend module that adds a provider to the cloud backend. */
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
