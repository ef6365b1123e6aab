import {
  LoggerService,
  resolveSafeChildPath,
} from '@backstage/backend-plugin-api';
import { NotFoundError } from '@backstage/errors';
import {
  LOAD_BALANCER_RUNTIME,
  NodeStatus,
  RoleSpec,
} from '@internal/plugin-cloud-common';
import {
  NodeSelector,
  ProviderNode,
  ProviderStack,
} from '@internal/plugin-cloud-node';
import fs from 'node:fs';
import { dirname } from 'node:path';
import { NodeProcess } from './NodeProcess';
import { findFreePort } from './ports';
import { Runtimes } from './runtimes';
import { Sandbox } from './sandbox/Sandbox';
import { StackRecord, StateFiles } from './StateFiles';

/** What the nodes of every stack share. */
export interface StackContext {
  files: StateFiles;
  runtimes: Runtimes;
  sandbox: Sandbox;
  logger: LoggerService;
  healthIntervalMs: number;
  healthTimeoutMs: number;
}

/**
 * One stack the provider runs: its record on disk and its node processes,
 * with the operations on them serialised.
 */
export class LiveStack {
  readonly processes = new Map<string, NodeProcess>();
  private queue: Promise<unknown> = Promise.resolve();
  /** Set once deleted or let go: its folders are no longer written. */
  private gone = false;

  private constructor(
    readonly record: StackRecord,
    private readonly context: StackContext,
  ) {}

  static create(record: StackRecord, context: StackContext) {
    return new LiveStack(record, context);
  }

  get stackId() {
    return this.record.stackId;
  }

  get name() {
    return this.record.name;
  }

  /** Runs `fn` after the operations queued before it. */
  enqueue<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.queue.then(fn, fn);
    this.queue = result.catch(() => undefined);
    return result;
  }

  save() {
    this.context.files.saveStack(this.record);
  }

  /**
   * Brings back the nodes of a stack found on disk at start; returns those
   * that were started.
   */
  async resume(): Promise<NodeProcess[]> {
    for (const node of this.record.nodes) {
      const role = this.role(node.role);
      node.port = await findFreePort(node.port);
      try {
        this.processes.set(
          node.name,
          this.createProcess(role, node.name, node.port),
        );
      } catch (error) {
        // e.g. its runtime is no longer configured: reported as failed
        this.context.logger.warn(
          `Cannot resume node ${this.stackId}/${node.name}: ${error}`,
        );
      }
    }
    this.save();
    this.updateUpstreams();
    const started: NodeProcess[] = [];
    for (const node of this.record.nodes) {
      const proc = this.processes.get(node.name);
      if (node.wanted === 'running' && proc) {
        proc.start({ resumed: true });
        started.push(proc);
      }
    }
    return started;
  }

  /** Adds and starts `count` nodes of a role; returns their names. */
  async addNodes(role: RoleSpec, count: number) {
    const { files, sandbox } = this.context;
    const added: string[] = [];
    for (let i = 0; i < count; i++) {
      const index = (this.record.nextIndex[role.name] ?? 0) + 1;
      this.record.nextIndex[role.name] = index;
      const name = `${role.name}-${index}`;
      const port = await findFreePort();
      this.record.nodes.push({
        name,
        role: role.name,
        port,
        wanted: 'running',
      });
      this.save();
      const workDir = files.workDir(this.stackId, name);
      fs.mkdirSync(workDir, { recursive: true });
      for (const [file, content] of Object.entries(role.files ?? {})) {
        const path = resolveSafeChildPath(workDir, file);
        fs.mkdirSync(dirname(path), { recursive: true });
        fs.writeFileSync(path, content);
      }
      sandbox.prepareWorkDir(workDir);
      const proc = this.createProcess(role, name, port);
      this.processes.set(name, proc);
      if (role.runtime === LOAD_BALANCER_RUNTIME) {
        this.updateUpstreams();
      }
      proc.start();
      added.push(name);
    }
    return added;
  }

  /** Stops nodes and removes them with their folders. */
  async removeNodes(names: string[]) {
    this.record.nodes = this.record.nodes.filter(n => !names.includes(n.name));
    this.save();
    this.updateUpstreams();
    await Promise.all(
      names.map(async name => {
        await this.processes.get(name)?.stop();
        this.processes.delete(name);
        await this.context.files.removeNode(this.stackId, name);
      }),
    );
  }

  /** Starts nodes, as wanted from now on. */
  start(names: string[]) {
    for (const name of names) {
      this.nodeRecord(name).wanted = 'running';
      this.processes.get(name)!.start();
    }
    this.record.state = 'running';
    this.save();
  }

  /** Stops nodes, as wanted from now on. */
  async stop(names: string[]) {
    for (const name of names) {
      this.nodeRecord(name).wanted = 'stopped';
    }
    if (this.record.nodes.every(n => n.wanted === 'stopped')) {
      this.record.state = 'stopped';
    }
    this.save();
    await Promise.all(names.map(name => this.processes.get(name)?.stop()));
  }

  /** Ends every process without changing what should run. */
  async halt() {
    await Promise.all([...this.processes.values()].map(p => p.stop()));
  }

  /** Lets go of the processes without ending them, as a crash would. */
  abandon() {
    this.gone = true;
    this.processes.forEach(p => p.abandon());
  }

  /** Ends every process and removes the stack's folder. */
  async delete() {
    this.record.state = 'deleting';
    this.save();
    await this.halt();
    this.gone = true;
    this.processes.clear();
    await this.context.files.removeStack(this.stackId);
  }

  /**
   * Runs an operation that starts `names`; when it fails, nothing of it
   * keeps running and the error is rethrown.
   */
  async orStop(names: string[], operation: () => Promise<void>) {
    try {
      await operation();
    } catch (error) {
      await this.stop(names);
      throw error;
    }
  }

  /** Resolves once the nodes are healthy; a NodeFailedError otherwise. */
  async waitHealthy(names: string[]) {
    const timeout = this.context.healthTimeoutMs;
    await Promise.all(
      names.map(name => this.processes.get(name)!.waitHealthy(timeout)),
    );
  }

  /** The healthy nodes that answer the stack's URL, the first preferred. */
  entryAddresses(): string[] {
    const { spec } = this.record;
    const entryRole =
      spec.entryRole ??
      spec.roles.find(r => r.runtime === LOAD_BALANCER_RUNTIME)?.name ??
      spec.roles[spec.roles.length - 1].name;
    return this.record.nodes
      .filter(
        n => n.role === entryRole && this.processes.get(n.name)?.isHealthy,
      )
      .map(n => `127.0.0.1:${n.port}`);
  }

  describe(routerPort: number): ProviderStack {
    const { record } = this;
    const url = `http://${record.name}.localhost:${routerPort}`;
    const entry = this.entryAddresses()[0];
    return {
      stackId: record.stackId,
      name: record.name,
      region: record.region,
      state: record.state === 'stopped' ? 'stopped' : 'running',
      url,
      nodes: record.nodes.map((node): ProviderNode => {
        const status: NodeStatus =
          this.processes.get(node.name)?.status ?? 'failed';
        const privateAddress = `127.0.0.1:${node.port}`;
        return {
          name: node.name,
          role: node.role,
          resourceId: `local:${record.stackId}/${node.name}`,
          privateAddress,
          publicAddress: entry === privateAddress ? url : undefined,
          status,
        };
      }),
    };
  }

  /** The nodes a selector names, every node when it names none. */
  select(selector: NodeSelector) {
    const names = selector.nodeNames ?? this.record.nodes.map(n => n.name);
    for (const name of names) {
      if (!this.processes.has(name)) {
        throw new NotFoundError(`No node '${name}'`);
      }
    }
    return names;
  }

  role(name: string) {
    return this.record.spec.roles.find(r => r.name === name)!;
  }

  private nodeRecord(name: string) {
    return this.record.nodes.find(n => n.name === name)!;
  }

  private createProcess(role: RoleSpec, name: string, port: number) {
    const { files, runtimes, sandbox, logger, healthIntervalMs } = this.context;
    const isLb = role.runtime === LOAD_BALANCER_RUNTIME;
    const peers: Record<string, string> = {};
    for (const other of this.record.spec.roles) {
      const addresses = this.record.nodes
        .filter(n => n.role === other.name)
        .map(n => `127.0.0.1:${n.port}`);
      const key = other.name.toUpperCase().replace(/-/g, '_');
      peers[`CLOUD_ROLE_${key}_ADDRESSES`] = addresses.join(',');
    }
    return new NodeProcess({
      stackId: this.stackId,
      name,
      role: role.name,
      dir: files.nodeDir(this.stackId, name),
      workDir: files.workDir(this.stackId, name),
      launch: runtimes.resolve(role),
      env: {
        ...peers,
        ...role.env,
        HOST: '127.0.0.1',
        STACK_NAME: this.record.name,
        NODE_NAME: name,
        ROLE: role.name,
        ...(isLb ? { UPSTREAMS_FILE: 'upstreams.json' } : {}),
      },
      port,
      sandbox,
      logger,
      healthIntervalMs,
      onHealthChange: () => this.updateUpstreams(),
    });
  }

  /** Writes the healthy nodes of balanced roles for the load balancers. */
  private updateUpstreams() {
    if (this.gone) {
      return;
    }
    for (const lb of this.record.spec.roles) {
      if (lb.runtime !== LOAD_BALANCER_RUNTIME) {
        continue;
      }
      const upstreams = this.record.nodes
        .filter(n => n.role === lb.balances)
        .filter(n => this.processes.get(n.name)?.isHealthy)
        .map(n => `127.0.0.1:${n.port}`);
      for (const node of this.record.nodes.filter(n => n.role === lb.name)) {
        try {
          this.context.files.writeUpstreams(this.stackId, node.name, upstreams);
        } catch (error) {
          this.context.logger.warn(
            `Could not update the upstreams of ${this.stackId}/${node.name}: ${error}`,
          );
        }
      }
    }
  }
}
