import { LoggerService } from '@backstage/backend-plugin-api';
import {
  ConflictError,
  ForwardedError,
  InputError,
  isError,
} from '@backstage/errors';
import {
  CreateStackRequest as CommonCreateStackRequest,
  STACK_NAME_PATTERN,
  stackLimitProblem,
  StackSpec,
  validateStackSpec,
} from '@internal/plugin-cloud-common';
import { CloudProvider, NodeFailedError } from '@internal/plugin-cloud-node';
import { createHash, randomUUID } from 'node:crypto';
import { CloudStore, StoredStack } from '../database/CloudStore';
import { readPlanAlertRules } from './AlertRules';
import { NodeSync, stackStatusOf } from './NodeSync';
import { ProviderRegistry } from './ProviderRegistry';
import { StackAdmission, StackCaller } from './StackAdmission';
import { StackLeases } from './StackLeases';

/** What a caller asks to deploy; who it is for comes with the caller. */
export type CreateStackRequest = Omit<CommonCreateStackRequest, 'requestedBy'>;

/** Who reconciliation and clean-ups act as in the usage records. */
export const RECONCILER_ACTOR = 'system:cloud-reconciler';

type DeployedStack = Pick<
  StoredStack,
  'id' | 'name' | 'provider' | 'region' | 'spec'
>;

function isNodeFailedError(error: unknown): error is NodeFailedError {
  return isError(error) && error.name === 'NodeFailedError';
}

/** The HTTP status a provider's error carries, if it is the caller's fault. */
function clientStatusOf(error: unknown): number | undefined {
  const status = (error as { statusCode?: unknown })?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return status;
  }
  switch ((error as Error)?.name) {
    case 'InputError':
    case 'ConflictError':
    case 'NotFoundError':
    case 'NotAllowedError':
      return 400;
    default:
      return undefined;
  }
}

/**
 * Creates stacks: checks the request, writes the pending row, deploys at
 * the provider, and ends a deploy that cannot succeed with the stack failed
 * and nothing left at the provider.
 */
export class StackDeployer {
  private constructor(
    private readonly store: CloudStore,
    private readonly providers: ProviderRegistry,
    private readonly admission: StackAdmission,
    private readonly leases: StackLeases,
    private readonly nodes: NodeSync,
    private readonly maxNodesPerRole: number,
    private readonly logger: LoggerService,
  ) {}

  static create(options: {
    store: CloudStore;
    providers: ProviderRegistry;
    admission: StackAdmission;
    leases: StackLeases;
    nodes: NodeSync;
    maxNodesPerRole: number;
    logger: LoggerService;
  }) {
    return new StackDeployer(
      options.store,
      options.providers,
      options.admission,
      options.leases,
      options.nodes,
      options.maxNodesPerRole,
      options.logger,
    );
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
      maxNodesPerRole: this.maxNodesPerRole,
    });
    problems.push(...this.runtimeProblems(provider, request.spec));
    if (problems.length) {
      throw new InputError(`Invalid stack spec: ${problems.join('; ')}`);
    }
    const overLimit = stackLimitProblem(request.spec, request.limits);
    if (overLimit) {
      throw new InputError(overLimit);
    }
    // the contract checks their shape, this their durations
    readPlanAlertRules(request.limits?.alerts);
  }

  /**
   * Deploys a stack. A pending row, leased to this call, is written before
   * the provider is called; the same idempotency key with the same request
   * returns the first stack.
   */
  async create(
    request: CreateStackRequest,
    caller: StackCaller,
    idempotencyKey?: string,
  ): Promise<{ id: string; created: boolean }> {
    this.validate(request);
    const { createdBy, owner } = await this.admission.admit(request, caller);
    const admitted = { ...request, owner };
    const requestHash = createHash('sha256')
      .update(JSON.stringify(admitted))
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
        return { id: previous.id, created: false };
      }
    }
    const id = randomUUID();
    const lease = this.leases.newLease();
    await this.store.insertStack({
      id,
      name: admitted.name,
      owner,
      template: admitted.template,
      provider: admitted.provider,
      region: admitted.region,
      hostId: this.providers.get(admitted.provider).hostId,
      lease,
      status: 'deploying',
      spec: admitted.spec,
      limits: admitted.limits,
      createdBy,
      createdAt: new Date().toISOString(),
      idempotencyKey,
      requestHash,
    });
    await this.leases.keep(id, lease.owner, () =>
      this.deployAtProvider({ id, ...admitted }, createdBy, true),
    );
    return { id, created: true };
  }

  /**
   * Finishes a deploy that a stopped backend cut off, from its pending row,
   * unless a call holds the stack: the provider's deploy is idempotent per
   * stack id, so the nodes it already started are kept and only the missing
   * ones are added.
   */
  async resumeDeploy(
    stack: Pick<
      StoredStack,
      'id' | 'name' | 'provider' | 'region' | 'spec' | 'createdBy'
    >,
  ): Promise<void> {
    try {
      const resumed = await this.leases.tryHold(stack.id, () =>
        this.deployAtProvider(stack, stack.createdBy),
      );
      if (resumed) {
        this.logger.info(`Resumed the interrupted deploy of stack ${stack.id}`);
      }
    } catch (error) {
      // the stack is failed and cleaned up by now
      this.logger.warn(
        `The interrupted deploy of stack ${stack.id} did not finish: ${error}`,
      );
    }
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

  /** Calls the provider for a stack whose pending row exists. */
  private async deployAtProvider(
    stack: DeployedStack,
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
      // the nodes before the status: whoever sees the deploy ended sees them
      await this.nodes.sync(id, deployed, actor, stack, fresh);
      await this.store.updateStack(id, {
        status: stackStatusOf(deployed),
        url: deployed.url,
      });
    } catch (error) {
      const failure = this.failureOf(stack, error);
      this.logger.warn(failure.message);
      await this.failStack(id, failure.message);
      throw failure;
    }
  }

  /**
   * The error a failed deploy answers with: a node that did not come up is
   * described with its exit code and log, an error of the request keeps its
   * status, and anything else says which provider failed.
   */
  private failureOf(stack: DeployedStack, error: unknown): Error {
    if (isNodeFailedError(error)) {
      const { node, role, exitCode, logTail } = error.failure;
      return new NodeFailedError(
        `Stack ${
          stack.id
        } failed: node ${node} of role '${role}' did not become healthy (exit code ${
          exitCode ?? 'none'
        }); the last lines of its log:\n${logTail}`,
        { ...error.failure, stackId: stack.id },
      );
    }
    const message = isError(error) ? error.message : String(error);
    if (clientStatusOf(error)) {
      return Object.assign(error as Error, {
        message: `Stack ${stack.id} failed: ${message}`,
      });
    }
    return new ForwardedError(
      `Stack ${stack.id} failed at provider '${stack.provider}'`,
      error,
    );
  }

  private runtimeProblems(provider: CloudProvider, spec: StackSpec): string[] {
    if (!Array.isArray(spec?.roles)) {
      return [];
    }
    const offered = (provider.listRuntimes?.() ?? []).map(r => r.name);
    return spec.roles.flatMap((role, i) =>
      typeof role.runtime === 'string' && !offered.includes(role.runtime)
        ? [
            `spec.roles[${i}].runtime '${
              role.runtime
            }' is not a runtime of provider '${provider.id}'; it offers ${
              offered.length ? offered.join(', ') : 'none'
            }`,
          ]
        : [],
    );
  }
}
