import { LoggerService } from '@backstage/backend-plugin-api';
import { ConflictError, InputError, NotFoundError } from '@backstage/errors';
import { PermissionCriteria } from '@backstage/plugin-permission-common';
import {
  NodeStatus,
  ScriptResult,
  STACK_NAME_PATTERN,
  StackDetails,
  StackSpec,
  StackStatus,
  validateStackSpec,
} from '@internal/plugin-cloud-common';
import { ProviderStack } from '@internal/plugin-cloud-node';
import { createHash, randomUUID } from 'node:crypto';
import {
  CloudStore,
  StackFilter,
  StackQuery,
  StoredNode,
  StoredStack,
} from '../database/CloudStore';
import { ProviderRegistry } from './ProviderRegistry';

/** What a caller asks to deploy. */
export interface CreateStackRequest {
  name: string;
  owner: string;
  template?: string;
  provider: string;
  region: string;
  spec: StackSpec;
}

/** Limits read from configuration. */
export interface StackServiceLimits {
  maxNodesPerRole: number;
  maxScriptTimeoutSeconds: number;
}

/** Who reconciliation acts as in the usage records. */
export const RECONCILER_ACTOR = 'system:cloud-reconciler';

/** A stack operation that touches its nodes. */
export type NodeOperation = 'start' | 'stop' | 'restart';

/**
 * Lifecycle of stacks: every change goes to the inventory before and after
 * the provider call, so that reconciliation can finish what a crash cut off.
 */
export class StackService {
  /** Stacks with a provider call running in this process. */
  private readonly inFlight = new Map<string, number>();

  private constructor(
    private readonly store: CloudStore,
    private readonly providers: ProviderRegistry,
    private readonly limits: StackServiceLimits,
    private readonly logger: LoggerService,
  ) {}

  static create(options: {
    store: CloudStore;
    providers: ProviderRegistry;
    limits: StackServiceLimits;
    logger: LoggerService;
  }) {
    return new StackService(
      options.store,
      options.providers,
      options.limits,
      options.logger,
    );
  }

  get maxNodesPerRole() {
    return this.limits.maxNodesPerRole;
  }

  isInFlight(stackId: string) {
    return this.inFlight.has(stackId);
  }

  private enter(stackId: string) {
    this.inFlight.set(stackId, (this.inFlight.get(stackId) ?? 0) + 1);
  }

  private leave(stackId: string) {
    const count = (this.inFlight.get(stackId) ?? 1) - 1;
    if (count > 0) {
      this.inFlight.set(stackId, count);
    } else {
      this.inFlight.delete(stackId);
    }
  }

  async list(
    filter: StackFilter,
    condition?: PermissionCriteria<StackQuery>,
  ): Promise<StoredStack[]> {
    return this.store.listStacks(filter, condition);
  }

  async get(stackId: string): Promise<StackDetails> {
    // both reads at once; deleted nodes are shown only for an ended stack
    const [stack, allNodes] = await Promise.all([
      this.store.getStack(stackId),
      this.store.listNodes(stackId, { includeDeleted: true }),
    ]);
    if (!stack) {
      throw new NotFoundError(`No stack '${stackId}'`);
    }
    const ended = stack.status === 'deleted' || stack.status === 'failed';
    const nodes = ended ? allNodes : allNodes.filter(n => !n.deletedAt);
    const { idempotencyKey: _k, requestHash: _h, ...rest } = stack;
    return { ...rest, nodes };
  }

  /** Checks a request without touching anything. */
  validate(request: CreateStackRequest) {
    const provider = this.providers.get(request.provider);
    if (!provider.listRegions().includes(request.region)) {
      throw new InputError(
        `Unknown region '${request.region}' of provider '${request.provider}'`,
      );
    }
    if (
      typeof request.name !== 'string' ||
      !STACK_NAME_PATTERN.test(request.name)
    ) {
      throw new InputError(
        `Stack name must be a lower-case DNS label matching ${STACK_NAME_PATTERN}`,
      );
    }
    if (typeof request.owner !== 'string' || !request.owner) {
      throw new InputError('A stack needs an owner');
    }
    const problems = validateStackSpec(request.spec, {
      maxNodesPerRole: this.limits.maxNodesPerRole,
    });
    if (problems.length) {
      throw new InputError(`Invalid stack spec: ${problems.join('; ')}`);
    }
  }

  /**
   * Deploys a stack. A pending row is written before the provider is called;
   * the same idempotency key with the same request returns the first stack.
   */
  async create(
    request: CreateStackRequest,
    actor: string,
    idempotencyKey?: string,
  ): Promise<{ stack: StackDetails; created: boolean }> {
    this.validate(request);
    const requestHash = createHash('sha256')
      .update(JSON.stringify(request))
      .digest('hex');
    if (idempotencyKey) {
      const previous = await this.store.getStackByIdempotencyKey(
        idempotencyKey,
      );
      if (previous) {
        if (previous.requestHash !== requestHash) {
          throw new ConflictError(
            'The idempotency key was used for a different request',
          );
        }
        return { stack: await this.get(previous.id), created: false };
      }
    }
    const id = randomUUID();
    const now = new Date().toISOString();
    this.enter(id);
    try {
      await this.store.insertStack({
        id,
        name: request.name,
        owner: request.owner,
        template: request.template,
        provider: request.provider,
        region: request.region,
        status: 'deploying',
        spec: request.spec,
        createdBy: actor,
        createdAt: now,
        idempotencyKey,
        requestHash,
      });
      await this.deployAtProvider({ id, ...request }, actor, true);
      return { stack: await this.get(id), created: true };
    } finally {
      this.leave(id);
    }
  }

  /**
   * Finishes a deploy that a stopped backend cut off, from its pending row:
   * the provider's deploy is idempotent per stack id, so the nodes it
   * already started are kept and only the missing ones are added.
   */
  async resumeDeploy(
    stack: Pick<
      StoredStack,
      'id' | 'name' | 'provider' | 'region' | 'spec' | 'createdBy'
    >,
  ): Promise<void> {
    if (this.inFlight.has(stack.id)) {
      return;
    }
    this.enter(stack.id);
    try {
      await this.deployAtProvider(stack, stack.createdBy);
      this.logger.info(`Resumed the interrupted deploy of stack ${stack.id}`);
    } catch (error) {
      // the stack is failed and cleaned up by now
      this.logger.warn(
        `The interrupted deploy of stack ${stack.id} did not finish: ${error}`,
      );
    } finally {
      this.leave(stack.id);
    }
  }

  /** Calls the provider for a stack whose pending row exists. */
  private async deployAtProvider(
    stack: Pick<StoredStack, 'id' | 'name' | 'provider' | 'region' | 'spec'>,
    actor: string,
    fresh = false,
  ) {
    const { id } = stack;
    try {
      const deployed = await this.providers.get(stack.provider).deployStack({
        stackId: id,
        name: stack.name,
        region: stack.region,
        spec: stack.spec,
      });
      // together: reconciliation syncs the nodes of a running stack anyway
      await Promise.all([
        this.syncNodes(id, deployed, actor, stack, fresh),
        this.store.updateStack(id, {
          status: this.statusOf(deployed),
          url: deployed.url,
        }),
      ]);
    } catch (error) {
      this.logger.warn(`Deploy of stack ${id} failed: ${error}`);
      await this.failStack(id, (error as Error).message ?? String(error));
      throw error;
    }
  }

  /**
   * Deletes a stack at its provider and records who did it; `loaded` saves
   * reading again a stack that the caller has just read.
   */
  async delete(
    stackId: string,
    actor: string,
    loaded?: StackDetails,
  ): Promise<StackDetails> {
    const stack = loaded?.id === stackId ? loaded : await this.get(stackId);
    if (stack.status === 'deleted' || stack.status === 'failed') {
      return stack;
    }
    if (this.inFlight.has(stackId)) {
      throw new ConflictError(`Stack '${stack.name}' is busy; try again`);
    }
    this.enter(stackId);
    try {
      await this.store.updateStack(stackId, {
        status: 'deleting',
        deletedBy: actor,
      });
      await this.finishDelete(stack, actor);
      return this.get(stackId);
    } finally {
      this.leave(stackId);
    }
  }

  /** Ends a stack that is marked deleting. */
  async finishDelete(
    stack: Pick<StoredStack, 'id' | 'provider'>,
    actor: string,
  ) {
    await this.providers.get(stack.provider).deleteStack(stack.id);
    const now = new Date().toISOString();
    await Promise.all([
      this.store.markNodesDeleted(stack.id, actor, now),
      this.store.updateStack(stack.id, { status: 'deleted', deletedAt: now }),
    ]);
  }

  /** Marks a stack failed after cleaning up whatever the provider has. */
  async failStack(stackId: string, message: string) {
    const stack = await this.store.getStack(stackId);
    if (!stack) {
      return;
    }
    try {
      await this.providers.get(stack.provider).deleteStack(stackId);
    } catch (error) {
      this.logger.error(`Could not clean up stack ${stackId}: ${error}`);
    }
    const now = new Date().toISOString();
    await this.store.markNodesDeleted(stackId, RECONCILER_ACTOR, now);
    await this.store.updateStack(stackId, {
      status: 'failed',
      error: message,
      deletedBy: RECONCILER_ACTOR,
      deletedAt: now,
    });
  }

  async operate(
    stackId: string,
    operation: NodeOperation,
    nodeNames: string[] | undefined,
    actor: string,
  ): Promise<StackDetails> {
    const stack = await this.getLive(stackId);
    const provider = this.providers.get(stack.provider);
    this.checkNodes(stack, nodeNames);
    const selector = { stackId, nodeNames };
    const result = await this.guard(stackId, () => {
      switch (operation) {
        case 'start':
          return provider.startNodes(selector);
        case 'stop':
          return provider.stopNodes(selector);
        default:
          return provider.restartNodes(selector);
      }
    });
    await this.syncNodes(stackId, result, actor);
    await this.store.updateStack(stackId, { status: this.statusOf(result) });
    return this.get(stackId);
  }

  async scale(
    stackId: string,
    role: string,
    count: number,
    actor: string,
  ): Promise<StackDetails> {
    if (
      !Number.isInteger(count) ||
      count < 0 ||
      count > this.limits.maxNodesPerRole
    ) {
      throw new InputError(
        `count must be an integer from 0 to ${this.limits.maxNodesPerRole}`,
      );
    }
    const stack = await this.getLive(stackId);
    if (!stack.spec.roles.some(r => r.name === role)) {
      throw new InputError(`Stack '${stack.name}' has no role '${role}'`);
    }
    if (stack.status === 'stopped') {
      throw new ConflictError(`Stack '${stack.name}' is stopped`);
    }
    const provider = this.providers.get(stack.provider);
    const result = await this.guard(stackId, () =>
      provider.scaleRole(stackId, role, count),
    );
    await this.syncNodes(stackId, result, actor);
    await this.store.updateStack(stackId, {
      status: this.statusOf(result),
      spec: {
        ...stack.spec,
        roles: stack.spec.roles.map(r =>
          r.name === role ? { ...r, count } : r,
        ),
      },
    });
    return this.get(stackId);
  }

  async runScript(
    stackId: string,
    nodeName: string,
    script: string,
    timeoutSeconds: number,
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
    const stack = await this.getLive(stackId);
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
    return this.providers.get(stack.provider).runScript({
      stackId,
      nodeName,
      script,
      timeoutMs: timeoutSeconds * 1000,
    });
  }

  async logs(stackId: string, nodeName: string): Promise<string> {
    const stack = await this.getLive(stackId);
    if (!stack.nodes.some(n => n.name === nodeName)) {
      throw new NotFoundError(
        `Stack '${stack.name}' has no node '${nodeName}'`,
      );
    }
    return this.providers.get(stack.provider).getLogs({ stackId, nodeName });
  }

  /**
   * Makes the inventory's nodes match what the provider runs; `fresh` says
   * the stack was just created and has no nodes in the inventory yet.
   */
  async syncNodes(
    stackId: string,
    state: ProviderStack,
    actor: string,
    placement?: { provider: string; region: string },
    fresh = false,
  ) {
    const stack = placement ?? (await this.store.getStack(stackId));
    if (!stack) {
      return;
    }
    const known = fresh ? [] : await this.store.listNodes(stackId);
    const now = new Date().toISOString();
    const added: StoredNode[] = [];
    for (const node of state.nodes) {
      const existing = known.find(k => k.name === node.name);
      if (existing) {
        await this.store.updateNode(existing.id, {
          status: node.status,
          providerResourceId: node.resourceId,
          privateAddress: node.privateAddress,
          publicAddress: node.publicAddress ?? '',
        });
      } else {
        added.push({
          id: randomUUID(),
          stackId,
          name: node.name,
          role: node.role,
          provider: stack.provider,
          region: stack.region,
          providerResourceId: node.resourceId,
          privateAddress: node.privateAddress,
          publicAddress: node.publicAddress,
          status: node.status,
          createdBy: actor,
          createdAt: now,
        });
      }
    }
    await this.store.insertNodes(added);
    for (const node of known) {
      if (!state.nodes.some(n => n.name === node.name)) {
        await this.store.updateNode(node.id, {
          status: 'deleted',
          deletedBy: actor,
          deletedAt: now,
        });
      }
    }
  }

  statusOf(state: ProviderStack): StackStatus {
    if (state.state === 'stopped') {
      return 'stopped';
    }
    const healthy: NodeStatus[] = ['running', 'stopped'];
    return state.nodes.every(n => healthy.includes(n.status))
      ? 'running'
      : 'degraded';
  }

  private async getLive(stackId: string) {
    const stack = await this.get(stackId);
    if (['deleting', 'deleted', 'failed'].includes(stack.status)) {
      throw new ConflictError(`Stack '${stack.name}' is ${stack.status}`);
    }
    if (stack.status === 'pending' || stack.status === 'deploying') {
      throw new ConflictError(`Stack '${stack.name}' is still deploying`);
    }
    return stack;
  }

  private checkNodes(stack: StackDetails, nodeNames?: string[]) {
    for (const name of nodeNames ?? []) {
      if (!stack.nodes.some(n => n.name === name)) {
        throw new NotFoundError(`Stack '${stack.name}' has no node '${name}'`);
      }
    }
  }

  private async guard<T>(stackId: string, fn: () => Promise<T>): Promise<T> {
    this.enter(stackId);
    try {
      return await fn();
    } finally {
      this.leave(stackId);
    }
  }
}
