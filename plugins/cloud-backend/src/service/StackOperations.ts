import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { ConflictError, InputError, NotFoundError } from '@backstage/errors';
import {
  ScriptResult,
  StackDetails,
  stackLimitProblem,
} from '@internal/plugin-cloud-common';
import { ProviderStack } from '@internal/plugin-cloud-node';
import { CloudStore, StoredStack } from '../database/CloudStore';
import { HostDirectory } from './HostDirectory';
import { InstanceClient } from './InstanceClient';
import { NodeSync, stackStatusOf } from './NodeSync';
import { ProviderRegistry } from './ProviderRegistry';
import { actorOf } from './StackAdmission';
import { StackLeases } from './StackLeases';

/** A stack operation that touches its nodes. */
export type NodeOperation = 'start' | 'stop' | 'restart';

/** A live stack with its nodes, as read for an operation. */
export type LiveStack = StackDetails & Pick<StoredStack, 'hostId'>;

/**
 * Operations on the nodes of live stacks, and deletion. A stack whose host
 * another backend instance serves is operated there: the call is forwarded
 * with the caller's credentials, so that instance checks it again.
 */
export class StackOperations {
  private constructor(
    private readonly store: CloudStore,
    private readonly providers: ProviderRegistry,
    private readonly leases: StackLeases,
    private readonly nodes: NodeSync,
    private readonly hosts: HostDirectory,
    private readonly instances: InstanceClient,
    private readonly limits: {
      maxNodesPerRole: number;
      maxScriptTimeoutSeconds: number;
    },
  ) {}

  static create(options: {
    store: CloudStore;
    providers: ProviderRegistry;
    leases: StackLeases;
    nodes: NodeSync;
    hosts: HostDirectory;
    instances: InstanceClient;
    limits: { maxNodesPerRole: number; maxScriptTimeoutSeconds: number };
  }) {
    return new StackOperations(
      options.store,
      options.providers,
      options.leases,
      options.nodes,
      options.hosts,
      options.instances,
      options.limits,
    );
  }

  async operate(
    stack: LiveStack,
    operation: NodeOperation,
    nodeNames: string[] | undefined,
    credentials: BackstageCredentials,
  ): Promise<StackDetails | undefined> {
    this.checkLive(stack);
    for (const name of nodeNames ?? []) {
      if (!stack.nodes.some(n => n.name === name)) {
        throw new NotFoundError(`Stack '${stack.name}' has no node '${name}'`);
      }
    }
    const placement = await this.hosts.locate(stack);
    if (!placement.local) {
      return this.instances.forward({
        baseUrl: placement.baseUrl,
        credentials,
        call: (api, request) =>
          api.operate(stack.id, operation, nodeNames, request),
      });
    }
    const provider = this.providers.get(stack.provider);
    const selector = { stackId: stack.id, nodeNames };
    await this.leases.hold(stack, () =>
      this.recording(stack, actorOf(credentials), () => {
        switch (operation) {
          case 'start':
            return provider.startNodes(selector);
          case 'stop':
            return provider.stopNodes(selector);
          default:
            return provider.restartNodes(selector);
        }
      }),
    );
    return undefined;
  }

  async scale(
    stack: LiveStack,
    role: string,
    count: number,
    credentials: BackstageCredentials,
  ): Promise<StackDetails | undefined> {
    if (
      !Number.isInteger(count) ||
      count < 0 ||
      count > this.limits.maxNodesPerRole
    ) {
      throw new InputError(
        `count must be an integer from 0 to ${this.limits.maxNodesPerRole}`,
      );
    }
    this.checkLive(stack);
    if (!stack.spec.roles.some(r => r.name === role)) {
      throw new InputError(`Stack '${stack.name}' has no role '${role}'`);
    }
    if (stack.status === 'stopped') {
      throw new ConflictError(`Stack '${stack.name}' is stopped`);
    }
    const scaled = {
      ...stack.spec,
      roles: stack.spec.roles.map(r => (r.name === role ? { ...r, count } : r)),
    };
    // Scaling down is always allowed, even a stack whose plan shrank below
    // what it runs; only growth past the plan is refused.
    const current = stack.spec.roles.find(r => r.name === role)?.count ?? 0;
    const overLimit =
      count > current ? stackLimitProblem(scaled, stack.limits) : undefined;
    if (overLimit) {
      throw new InputError(overLimit);
    }
    const placement = await this.hosts.locate(stack);
    if (!placement.local) {
      return this.instances.forward({
        baseUrl: placement.baseUrl,
        credentials,
        call: (api, request) => api.scale(stack.id, role, count, request),
      });
    }
    const provider = this.providers.get(stack.provider);
    await this.leases.hold(stack, async () => {
      await this.recording(stack, actorOf(credentials), () =>
        provider.scaleRole(stack.id, role, count),
      );
      await this.store.updateStack(stack.id, { spec: scaled });
    });
    return undefined;
  }

  async runScript(
    stack: LiveStack,
    nodeName: string,
    script: string,
    timeoutSeconds: number,
    credentials: BackstageCredentials,
  ): Promise<ScriptResult> {
    if (typeof script !== 'string' || !script.trim()) {
      throw new InputError('script must not be empty');
    }
    if (
      !Number.isInteger(timeoutSeconds) ||
      timeoutSeconds < 1 ||
      timeoutSeconds > this.limits.maxScriptTimeoutSeconds
    ) {
      throw new InputError(
        `timeoutSeconds must be an integer from 1 to ${this.limits.maxScriptTimeoutSeconds}`,
      );
    }
    this.checkLive(stack);
    const node = stack.nodes.find(n => n.name === nodeName);
    if (!node) {
      throw new NotFoundError(
        `Stack '${stack.name}' has no node '${nodeName}'`,
      );
    }
    if (node.status !== 'running') {
      throw new ConflictError(
        `Node '${nodeName}' is ${node.status}; scripts run only on running nodes`,
      );
    }
    const placement = await this.hosts.locate(stack);
    if (!placement.local) {
      return this.instances.forward({
        baseUrl: placement.baseUrl,
        credentials,
        call: (api, request) =>
          api.runScript(stack.id, nodeName, script, timeoutSeconds, request),
      });
    }
    return this.providers.get(stack.provider).runScript({
      stackId: stack.id,
      nodeName,
      script,
      timeoutMs: timeoutSeconds * 1000,
    });
  }

  async logs(
    stack: LiveStack,
    nodeName: string,
    credentials: BackstageCredentials,
  ): Promise<string> {
    this.checkLive(stack);
    if (!stack.nodes.some(n => n.name === nodeName)) {
      throw new NotFoundError(
        `Stack '${stack.name}' has no node '${nodeName}'`,
      );
    }
    const placement = await this.hosts.locate(stack);
    if (!placement.local) {
      return this.instances.forward({
        baseUrl: placement.baseUrl,
        credentials,
        call: (api, request) => api.getLogs(stack.id, nodeName, request),
      });
    }
    return this.providers
      .get(stack.provider)
      .getLogs({ stackId: stack.id, nodeName });
  }

  /**
   * Deletes a stack at its provider and records who did it; resolves the
   * other instance's answer when the call was forwarded.
   */
  async delete(
    stack: LiveStack,
    credentials: BackstageCredentials,
  ): Promise<StackDetails | undefined> {
    if (stack.status === 'deleted' || stack.status === 'failed') {
      return stack;
    }
    const placement = await this.hosts.locate(stack);
    if (!placement.local) {
      return this.instances.forward({
        baseUrl: placement.baseUrl,
        credentials,
        call: (api, request) => api.deleteStack(stack.id, request),
      });
    }
    const actor = actorOf(credentials);
    await this.leases.hold(stack, async () => {
      await this.store.updateStack(stack.id, {
        status: 'deleting',
        deletedBy: actor,
      });
      await this.finishDelete(stack, actor);
    });
    return undefined;
  }

  /** Ends a stack that is marked deleting. */
  async finishDelete(
    stack: Pick<StoredStack, 'id' | 'provider'>,
    actor: string,
  ) {
    await this.providers.get(stack.provider).deleteStack(stack.id);
    const now = new Date().toISOString();
    // the nodes before the status: whoever sees the stack deleted sees them
    await this.store.markNodesDeleted(stack.id, actor, now);
    await this.store.updateStack(stack.id, {
      status: 'deleted',
      deletedAt: now,
    });
  }

  /**
   * Runs a provider call and records the nodes it leaves; when a node does
   * not come up, what the provider runs now is recorded before the error
   * is answered.
   */
  private async recording(
    stack: LiveStack,
    actor: string,
    call: () => Promise<ProviderStack>,
  ) {
    let state: ProviderStack | undefined;
    try {
      state = await call();
    } catch (error) {
      state = await this.providers
        .get(stack.provider)
        .getStack(stack.id)
        .catch(() => undefined);
      throw error;
    } finally {
      if (state) {
        await this.nodes.sync(stack.id, state, actor);
        await this.store.updateStack(stack.id, {
          status: stackStatusOf(state),
        });
      }
    }
  }

  private checkLive(stack: StackDetails) {
    if (['deleting', 'deleted', 'failed'].includes(stack.status)) {
      throw new ConflictError(`Stack '${stack.name}' is ${stack.status}`);
    }
    if (stack.status === 'pending' || stack.status === 'deploying') {
      throw new ConflictError(`Stack '${stack.name}' is still deploying`);
    }
  }
}
