import { LoggerService } from '@backstage/backend-plugin-api';
import {
  ConflictError,
  InputError,
  NotFoundError,
  NotImplementedError,
} from '@backstage/errors';
import { NodeStatus, ScriptResult } from '@internal/plugin-cloud-common';
import {
  CloudProvider,
  DeployStackRequest,
  NodeFailedError,
  NodeSelector,
  ProviderNode,
  ProviderStack,
} from '@internal/plugin-cloud-node';
import { parse } from 'yaml';
import { HeatClient, HeatEvent, HeatStack } from './HeatClient';

/** One region of an OpenStack provider: a project of one cloud. @public */
export interface OpenStackRegion {
  region: string;
  heat: HeatClient;
}

/** Options of {@link OpenStackProvider.create}. @public */
export interface OpenStackProviderOptions {
  id: string;
  title?: string;
  regions: OpenStackRegion[];
  /** Marks the stacks of this store and prefixes their Heat names. */
  tag?: string;
  stackTimeoutMinutes?: number;
  logger: LoggerService;
  /** The first wait between two reads of a stack in progress. */
  pollIntervalMs?: number;
}

// A read of a stack is cheap for Heat; a longer wait only delays the answer.
const MAX_POLL_INTERVAL_MS = 1_000;

function sleep(ms: number) {
  return new Promise(resolve => setTimeout(resolve, ms));
}

function statusOf(stack: HeatStack): { action: string; state: string } {
  const [action, ...rest] = stack.stack_status.split('_');
  return { action, state: rest.join('_') };
}

function nodeStatusOf(stack: HeatStack): NodeStatus {
  const { action, state } = statusOf(stack);
  if (state === 'FAILED') {
    return 'failed';
  }
  if (action === 'SUSPEND') {
    return 'stopped';
  }
  return state === 'IN_PROGRESS' ? 'starting' : 'running';
}

function asList(value: unknown): string[] {
  if (Array.isArray(value)) {
    return value.map(v => String(v));
  }
  return value === undefined || value === null || value === ''
    ? []
    : [String(value)];
}

/**
 * Stacks as Heat stacks made from the HOT template of the stack's spec.
 *
 * The convention between a template and the store:
 * - the Heat stack is named `<tag>-<stack id>` and tagged `<tag>` and
 *   `<tag>-name=<stack name>`;
 * - a role's count is the template's parameter `<role>_count`, when the
 *   template declares it; scaling a role changes that parameter (PATCH);
 * - the output `<role>_addresses` (a list, or one value) gives the nodes of
 *   the role, named `<role>-1`, `<role>-2`, ..., with these private
 *   addresses; `<role>_public_addresses` and `<role>_ids` give their public
 *   addresses and resource ids, by position;
 * - the output `url` is the stack's URL.
 *
 * @public
 */
export class OpenStackProvider implements CloudProvider {
  /** Stacks of a shared project the store does not know are reported, never deleted. */
  readonly keepsUnknownStacks = true;
  private readonly regionOf = new Map<string, OpenStackRegion>();
  private readonly deploying = new Map<string, Promise<ProviderStack>>();

  private constructor(
    readonly id: string,
    readonly title: string,
    private readonly regions: OpenStackRegion[],
    private readonly tag: string,
    private readonly timeoutMinutes: number,
    private readonly pollIntervalMs: number,
    private readonly logger: LoggerService,
  ) {}

  static create(options: OpenStackProviderOptions) {
    if (!options.regions.length) {
      throw new InputError(`OpenStack provider '${options.id}' has no region`);
    }
    return new OpenStackProvider(
      options.id,
      options.title ?? 'OpenStack',
      options.regions,
      options.tag ?? 'cloudstore',
      options.stackTimeoutMinutes ?? 30,
      options.pollIntervalMs ?? 250,
      options.logger,
    );
  }

  listRegions(): string[] {
    return this.regions.map(r => r.region);
  }

  /**
   * Deploys once per stack id: Heat checks that a stack's name is free and
   * creates it in two steps, so two creates at once could both succeed. A
   * deploy of a stack id in flight here is joined; across backends, the
   * cloud backend's lease on the stack keeps a second one from starting.
   */
  async deployStack(request: DeployStackRequest): Promise<ProviderStack> {
    const running = this.deploying.get(request.stackId);
    if (running) {
      return running;
    }
    const deploy = this.deployOnce(request).finally(() =>
      this.deploying.delete(request.stackId),
    );
    this.deploying.set(request.stackId, deploy);
    return deploy;
  }

  private async deployOnce(
    request: DeployStackRequest,
  ): Promise<ProviderStack> {
    const region = this.regions.find(r => r.region === request.region);
    if (!region) {
      throw new InputError(
        `Unknown region '${request.region}' of provider '${this.id}'`,
      );
    }
    const template = request.spec.template;
    if (template?.format !== 'hot') {
      throw new InputError(
        `Provider '${this.id}' makes stacks from HOT templates: spec.template with format 'hot' is missing`,
      );
    }
    const { heat } = region;
    const name = this.heatName(request.stackId);
    this.regionOf.set(request.stackId, region);
    let stack: HeatStack | undefined;
    // Create first: Heat refuses a second live stack of the name (409), so a
    // deploy already made (before a crash, or by a concurrent call) is then
    // read and followed. A stack of the same name whose deletion just
    // completed may still hold the name for a moment: 409 and no live stack.
    for (let attempt = 1; !stack; attempt++) {
      const parameters: Record<string, unknown> = {
        ...template.parameters,
      };
      const declared = this.declaredParameters(template.body);
      for (const role of request.spec.roles) {
        if (declared.has(`${role.name}_count`)) {
          parameters[`${role.name}_count`] = role.count;
        }
      }
      try {
        const { id } = await heat.createStack({
          name,
          template: template.body,
          parameters,
          tags: [this.tag, `${this.tag}-name=${request.name}`],
          timeoutMinutes: this.timeoutMinutes,
        });
        stack = { id, stack_name: name, stack_status: 'CREATE_IN_PROGRESS' };
        break;
      } catch (error) {
        if ((error as Error).name !== 'ConflictError' || attempt >= 5) {
          throw error;
        }
      }
      stack = await heat.getStack(name);
      if (!stack) {
        await sleep(this.pollIntervalMs * attempt);
      }
    }
    stack = await this.settle(region, stack);
    if (statusOf(stack).state !== 'COMPLETE') {
      const failure = await this.failureOf(region, request.stackId, stack);
      await this.deleteHeatStack(region, stack).catch(error =>
        this.logger.warn(
          `Could not delete failed Heat stack ${name}: ${error}`,
        ),
      );
      throw failure;
    }
    return this.toProviderStack(region, request.stackId, stack);
  }

  async getStack(stackId: string): Promise<ProviderStack | undefined> {
    const found = await this.find(stackId);
    return found && this.toProviderStack(found.region, stackId, found.stack);
  }

  async startNodes(selector: NodeSelector): Promise<ProviderStack> {
    return this.suspendOrResume(selector, 'resume');
  }

  async stopNodes(selector: NodeSelector): Promise<ProviderStack> {
    return this.suspendOrResume(selector, 'suspend');
  }

  async restartNodes(selector: NodeSelector): Promise<ProviderStack> {
    await this.suspendOrResume(selector, 'suspend');
    return this.suspendOrResume(selector, 'resume');
  }

  async deleteStack(stackId: string): Promise<void> {
    const found = await this.find(stackId);
    if (found) {
      await this.deleteHeatStack(found.region, found.stack);
    }
    this.regionOf.delete(stackId);
  }

  async scaleRole(
    stackId: string,
    role: string,
    count: number,
  ): Promise<ProviderStack> {
    const { region, stack } = await this.mustFind(stackId);
    const parameter = `${role}_count`;
    if (!(parameter in (stack.parameters ?? {}))) {
      throw new InputError(
        `The template of stack ${stackId} has no parameter '${parameter}', so role '${role}' cannot be scaled`,
      );
    }
    await region.heat.updateParameters(
      stack,
      { [parameter]: count },
      this.timeoutMinutes,
    );
    const updated = await this.settle(region, stack, 'UPDATE');
    if (statusOf(updated).state !== 'COMPLETE') {
      throw await this.failureOf(region, stackId, updated);
    }
    return this.toProviderStack(region, stackId, updated);
  }

  async runScript(): Promise<ScriptResult> {
    throw new NotImplementedError(
      `Provider '${this.id}' runs no scripts: Heat has no shell on a stack's nodes`,
    );
  }

  /** The stack's events, Heat's log of what happened to its resources. */
  async getLogs(options: {
    stackId: string;
    nodeName: string;
    maxBytes?: number;
  }): Promise<string> {
    const { region, stack } = await this.mustFind(options.stackId);
    const events = await region.heat.listEvents(stack);
    const text = events.map(e => `${this.formatEvent(e)}\n`).join('');
    const max = options.maxBytes ?? 64 * 1024;
    return text.length > max ? text.slice(text.length - max) : text;
  }

  async listStacks(): Promise<ProviderStack[]> {
    const stacks: ProviderStack[] = [];
    for (const region of this.regions) {
      const listed = await region.heat.listStacks([this.tag]);
      for (const summary of listed) {
        const stackId = this.stackIdOf(summary.stack_name);
        if (!stackId || summary.stack_status === 'DELETE_COMPLETE') {
          continue;
        }
        // the list has no outputs; a stack gone meanwhile is left out
        const stack = await region.heat.getStack(summary.stack_name);
        if (stack) {
          this.regionOf.set(stackId, region);
          stacks.push(this.toProviderStack(region, stackId, stack));
        }
      }
    }
    return stacks;
  }

  private heatName(stackId: string) {
    return `${this.tag}-${stackId}`;
  }

  private stackIdOf(heatName: string): string | undefined {
    const prefix = `${this.tag}-`;
    return heatName.startsWith(prefix)
      ? heatName.slice(prefix.length)
      : undefined;
  }

  /** The parameters a template declares; none when it is not YAML Heat could read. */
  private declaredParameters(body: string): Set<string> {
    try {
      const parsed = parse(body);
      return new Set(Object.keys(parsed?.parameters ?? {}));
    } catch {
      // Heat itself answers with what is wrong with the template
      return new Set();
    }
  }

  private async find(
    stackId: string,
  ): Promise<{ region: OpenStackRegion; stack: HeatStack } | undefined> {
    const known = this.regionOf.get(stackId);
    const candidates = known
      ? [known, ...this.regions.filter(r => r !== known)]
      : this.regions;
    for (const region of candidates) {
      const stack = await region.heat.getStack(this.heatName(stackId));
      if (stack && stack.stack_status !== 'DELETE_COMPLETE') {
        this.regionOf.set(stackId, region);
        return { region, stack };
      }
    }
    return undefined;
  }

  private async mustFind(stackId: string) {
    const found = await this.find(stackId);
    if (!found) {
      throw new NotFoundError(`Provider '${this.id}' has no stack ${stackId}`);
    }
    return found;
  }

  /**
   * Reads a stack with growing waits until no action is in progress; with
   * `action`, also until that action has begun (a PATCH or an action
   * answers before the stack's status shows it).
   */
  private async settle(
    region: OpenStackRegion,
    stack: HeatStack,
    action?: string,
  ): Promise<HeatStack> {
    const deadline = Date.now() + (this.timeoutMinutes + 5) * 60_000;
    let wait = this.pollIntervalMs;
    let current: HeatStack | undefined = stack;
    const fingerprint = (s: HeatStack) =>
      `${s.stack_status}|${s.stack_status_reason}|${s.updated_time}`;
    const before = fingerprint(stack);
    for (;;) {
      current = await region.heat.readStack(stack);
      if (!current) {
        throw new NotFoundError(
          `Heat stack ${stack.stack_name} is gone (deleted meanwhile?)`,
        );
      }
      const { action: now, state } = statusOf(current);
      const begun =
        !action ||
        (now === action && fingerprint(current) !== before) ||
        state === 'IN_PROGRESS';
      if (state !== 'IN_PROGRESS' && begun) {
        return current;
      }
      if (Date.now() > deadline) {
        throw new Error(
          `Heat stack ${stack.stack_name} is still ${current.stack_status} after ${this.timeoutMinutes} minutes`,
        );
      }
      await sleep(wait);
      wait = Math.min(MAX_POLL_INTERVAL_MS, Math.ceil(wait * 1.5));
    }
  }

  private async suspendOrResume(
    selector: NodeSelector,
    action: 'suspend' | 'resume',
  ): Promise<ProviderStack> {
    const { region, stack } = await this.mustFind(selector.stackId);
    const current = this.toProviderStack(region, selector.stackId, stack);
    const every = current.nodes.map(n => n.name);
    if (
      selector.nodeNames &&
      !every.every(name => selector.nodeNames!.includes(name))
    ) {
      throw new InputError(
        `Provider '${this.id}' stops and starts whole stacks (Heat suspends and resumes stacks, not nodes); select every node of stack ${selector.stackId}`,
      );
    }
    const done = action === 'suspend' ? 'SUSPEND' : 'RESUME';
    const suspended = statusOf(stack).action === 'SUSPEND';
    if ((action === 'suspend') === suspended) {
      return current;
    }
    await region.heat.action(stack, action);
    const after = await this.settle(region, stack, done);
    if (statusOf(after).state !== 'COMPLETE') {
      throw new ConflictError(
        `Heat could not ${action} stack ${selector.stackId}: ${after.stack_status_reason}`,
      );
    }
    return this.toProviderStack(region, selector.stackId, after);
  }

  private async deleteHeatStack(region: OpenStackRegion, stack: HeatStack) {
    if (
      statusOf(stack).action !== 'DELETE' ||
      statusOf(stack).state !== 'IN_PROGRESS'
    ) {
      await region.heat.deleteStack(stack);
    }
    const deadline = Date.now() + (this.timeoutMinutes + 5) * 60_000;
    let wait = this.pollIntervalMs;
    for (;;) {
      const current = await region.heat.readStack(stack);
      if (!current || current.stack_status === 'DELETE_COMPLETE') {
        return;
      }
      if (current.stack_status === 'DELETE_FAILED') {
        throw new Error(
          `Heat could not delete stack ${stack.stack_name}: ${current.stack_status_reason}`,
        );
      }
      if (Date.now() > deadline) {
        throw new Error(
          `Heat stack ${stack.stack_name} is still ${current.stack_status} after ${this.timeoutMinutes} minutes`,
        );
      }
      await sleep(wait);
      wait = Math.min(MAX_POLL_INTERVAL_MS, Math.ceil(wait * 1.5));
    }
  }

  private formatEvent(event: HeatEvent) {
    return `${event.event_time} ${event.resource_name} ${
      event.resource_status
    }${
      event.resource_status_reason ? `: ${event.resource_status_reason}` : ''
    }`;
  }

  /** Heat's reason, and the events of the resources that failed. */
  private async failureOf(
    region: OpenStackRegion,
    stackId: string,
    stack: HeatStack,
  ): Promise<NodeFailedError> {
    const events = await region.heat
      .listEvents(stack)
      .catch(() => [] as HeatEvent[]);
    const failed = events.filter(
      e =>
        e.resource_status.endsWith('_FAILED') &&
        e.resource_name !== stack.stack_name,
    );
    const first = failed[0];
    const reason = stack.stack_status_reason ?? stack.stack_status;
    return new NodeFailedError(
      `Heat stack ${stack.stack_name} is ${stack.stack_status}: ${reason}`,
      {
        stackId,
        node: first?.resource_name ?? stack.stack_name,
        role: first?.logical_resource_id ?? 'stack',
        exitCode: null,
        logTail: [
          `${stack.stack_status}: ${reason}`,
          ...failed.map(e => this.formatEvent(e)),
        ].join('\n'),
      },
    );
  }

  private toProviderStack(
    region: OpenStackRegion,
    stackId: string,
    stack: HeatStack,
  ): ProviderStack {
    const outputs = new Map(
      (stack.outputs ?? []).map(o => [o.output_key, o.output_value]),
    );
    const nameTag = (stack.tags ?? []).find(t =>
      t.startsWith(`${this.tag}-name=`),
    );
    const status = nodeStatusOf(stack);
    const nodes: ProviderNode[] = [];
    for (const [key, value] of outputs) {
      const match = /^(.+)_addresses$/.exec(key);
      if (!match || key.endsWith('_public_addresses')) {
        continue;
      }
      const role = match[1];
      const publicAddresses = asList(outputs.get(`${role}_public_addresses`));
      const ids = asList(outputs.get(`${role}_ids`));
      asList(value).forEach((address, i) => {
        nodes.push({
          name: `${role}-${i + 1}`,
          role,
          resourceId: ids[i] ?? `${stack.id}/${role}/${i + 1}`,
          privateAddress: address,
          publicAddress: publicAddresses[i],
          status,
        });
      });
    }
    const url = outputs.get('url');
    return {
      stackId,
      name: nameTag?.slice(`${this.tag}-name=`.length) ?? stack.stack_name,
      region: region.region,
      state: statusOf(stack).action === 'SUSPEND' ? 'stopped' : 'running',
      url: typeof url === 'string' && url ? url : undefined,
      nodes,
    };
  }
}
