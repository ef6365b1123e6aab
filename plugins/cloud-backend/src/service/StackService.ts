import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { ConflictError, InputError, NotFoundError } from '@backstage/errors';
import { PermissionCriteria } from '@backstage/plugin-permission-common';
import {
  ScriptResult,
  StackDetails,
  stackLimitsSchema,
} from '@internal/plugin-cloud-common';
import {
  CloudStore,
  NewestFirstCursor,
  Page,
  StackFilter,
  StackQuery,
  StoredStack,
} from '../database/CloudStore';
import { StackCaller } from './StackAdmission';
import { CreateStackRequest, StackDeployer } from './StackDeployer';
import { LiveStack, NodeOperation, StackOperations } from './StackOperations';
import { readPlanAlertRules } from './AlertRules';

export type { CreateStackRequest } from './StackDeployer';
export { RECONCILER_ACTOR } from './StackDeployer';
export type { NodeOperation } from './StackOperations';
export type { StackCaller } from './StackAdmission';

/** A stack as the API shows it, without what only the inventory needs. */
function toDetails(stack: StoredStack, nodes: StackDetails['nodes']) {
  const {
    idempotencyKey: _k,
    requestHash: _h,
    hostId: _host,
    lease: _lease,
    ...rest
  } = stack;
  return { ...rest, nodes };
}

/**
 * The stacks of the inventory and what callers do with them: every change
 * goes to the inventory before and after the provider call, so that
 * reconciliation can finish what a crash cut off.
 */
export class StackService {
  private constructor(
    private readonly store: CloudStore,
    private readonly deployer: StackDeployer,
    private readonly operations: StackOperations,
  ) {}

  static create(options: {
    store: CloudStore;
    deployer: StackDeployer;
    operations: StackOperations;
  }) {
    return new StackService(
      options.store,
      options.deployer,
      options.operations,
    );
  }

  /** A page of the stacks matching the filter and condition, newest first. */
  async list(options: {
    filter: StackFilter;
    condition?: PermissionCriteria<StackQuery>;
    limit: number;
    cursor?: NewestFirstCursor;
  }): Promise<Page<StoredStack, NewestFirstCursor>> {
    return this.store.listStacksPage(options);
  }

  async get(stackId: string): Promise<StackDetails> {
    return toDetails(...(await this.load(stackId)));
  }

  /** Deploys a stack; see {@link StackDeployer.create}. */
  async create(
    request: CreateStackRequest,
    caller: StackCaller,
    idempotencyKey?: string,
  ): Promise<{ stack: StackDetails; created: boolean }> {
    const { id, created } = await this.deployer.create(
      request,
      caller,
      idempotencyKey,
    );
    return { stack: await this.get(id), created };
  }

  async delete(
    stackId: string,
    credentials: BackstageCredentials,
  ): Promise<StackDetails> {
    const forwarded = await this.operations.delete(
      await this.live(stackId),
      credentials,
    );
    return forwarded ?? this.get(stackId);
  }

  async operate(
    stackId: string,
    operation: NodeOperation,
    nodeNames: string[] | undefined,
    credentials: BackstageCredentials,
  ): Promise<StackDetails> {
    const forwarded = await this.operations.operate(
      await this.live(stackId),
      operation,
      nodeNames,
      credentials,
    );
    return forwarded ?? this.get(stackId);
  }

  async scale(
    stackId: string,
    role: string,
    count: number,
    credentials: BackstageCredentials,
  ): Promise<StackDetails> {
    const forwarded = await this.operations.scale(
      await this.live(stackId),
      role,
      count,
      credentials,
    );
    return forwarded ?? this.get(stackId);
  }

  /**
   * Replaces the limits a stack carries from its plan. Nothing that runs
   * changes: a stack above lower limits keeps its nodes and may only scale
   * down, as after any plan change; whoever lowers them scales first.
   */
  async setLimits(stackId: string, limits: unknown): Promise<StackDetails> {
    const parsed = stackLimitsSchema.strict().safeParse(limits);
    if (!parsed.success) {
      const [issue] = parsed.error.issues;
      throw new InputError(
        `${['limits', ...issue.path].join('.')}: ${issue.message}`,
      );
    }
    // A plan's alert rules read as the deploy reads them: 400 if they don't.
    readPlanAlertRules(parsed.data.alerts);
    const [stack] = await this.load(stackId);
    if (stack.status === 'deleted' || stack.status === 'failed') {
      throw new ConflictError(`Stack '${stack.name}' is ${stack.status}`);
    }
    await this.store.setStackLimits(stackId, parsed.data);
    return this.get(stackId);
  }

  async runScript(
    stackId: string,
    nodeName: string,
    script: string,
    timeoutSeconds: number,
    credentials: BackstageCredentials,
  ): Promise<ScriptResult> {
    return this.operations.runScript(
      await this.live(stackId),
      nodeName,
      script,
      timeoutSeconds,
      credentials,
    );
  }

  async logs(
    stackId: string,
    nodeName: string,
    credentials: BackstageCredentials,
  ): Promise<string> {
    return this.operations.logs(
      await this.live(stackId),
      nodeName,
      credentials,
    );
  }

  /** The stack with its nodes and host, for an operation. */
  private async live(stackId: string): Promise<LiveStack> {
    const [stack, nodes] = await this.load(stackId);
    return { ...toDetails(stack, nodes), hostId: stack.hostId };
  }

  private async load(stackId: string) {
    // The stack before its nodes: a deploy or delete records the nodes
    // before the status that ends it, so a stack read as ended comes with
    // its nodes. Deleted nodes are shown only for an ended stack.
    const stack = await this.store.getStack(stackId);
    if (!stack) {
      throw new NotFoundError(`No stack '${stackId}'`);
    }
    const allNodes = await this.store.listNodes(stackId, {
      includeDeleted: true,
    });
    const ended = stack.status === 'deleted' || stack.status === 'failed';
    const nodes = ended ? allNodes : allNodes.filter(n => !n.deletedAt);
    return [stack, nodes] as const;
  }
}
