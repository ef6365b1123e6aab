import { LoggerService } from '@backstage/backend-plugin-api';
import { ConflictError, InputError, NotFoundError } from '@backstage/errors';
import {
  NodeLimits,
  RuntimeInfo,
  ScriptResult,
} from '@internal/plugin-cloud-common';
import {
  CloudProvider,
  DeployStackRequest,
  NodeMetricsSample,
  NodeRef,
  NodeSelector,
  ProviderStack,
} from '@internal/plugin-cloud-node';
import fs from 'node:fs';
import { join } from 'node:path';
import { LiveStack, StackContext } from './LiveStack';
import { NodeProcess } from './NodeProcess';
import { findFreePort } from './ports';
import { LOG_FILE, ProcessTable } from './processes';
import { recoverStacks } from './recovery';
import { LocalRuntimeConfig, Runtimes } from './runtimes';
import { Sandbox } from './sandbox/Sandbox';
import { ScriptRunner } from './ScriptRunner';
import { StackRouter } from './StackRouter';
import { StateFiles } from './StateFiles';
import { diskBytes } from './usage';

/** Options of {@link LocalProvider.create}. @public */
export interface LocalProviderOptions {
  dataDir: string;
  logger: LoggerService;
  /** Port of the `<stack>.localhost` router; a free one when absent. */
  routerPort?: number;
  healthTimeoutMs?: number;
  healthIntervalMs?: number;
  regions?: string[];
  /** The host identity; generated once per data folder when absent. */
  hostId?: string;
  /** The runtimes roles may name; node, static and load-balancer when absent. */
  runtimes?: Record<string, LocalRuntimeConfig>;
  /** Limits of a node whose role and runtime set none. */
  limits?: NodeLimits;
}

/**
 * The embedded default provider: every node is a supervised process on this
 * host, in a sandbox whose only writable folder is its own under the data
 * folder.
 *
 * @public
 */
export class LocalProvider implements CloudProvider {
  readonly id = 'local';
  readonly title = 'Local host';
  private readonly stacks = new Map<string, LiveStack>();
  private readonly router: StackRouter;

  private constructor(
    private readonly options: LocalProviderOptions,
    readonly hostId: string,
    private readonly files: StateFiles,
    private readonly runtimes: Runtimes,
    private readonly context: StackContext,
    private readonly scripts: ScriptRunner,
  ) {
    this.router = StackRouter.create(name => this.entryAddresses(name));
  }

  /** Creates the provider, ends leftovers of a crash and resumes stacks. */
  static async create(options: LocalProviderOptions): Promise<LocalProvider> {
    const files = StateFiles.create(options.dataDir);
    const runtimes = Runtimes.create({
      runtimes: options.runtimes,
      limits: options.limits,
    });
    const sandbox = await Sandbox.create({
      dataDir: options.dataDir,
      readOnlyPaths: runtimes.readOnlyPaths(),
      logger: options.logger,
    });
    const provider = new LocalProvider(
      options,
      options.hostId ?? files.hostId(),
      files,
      runtimes,
      {
        files,
        runtimes,
        sandbox,
        logger: options.logger,
        healthIntervalMs: options.healthIntervalMs ?? 2000,
        healthTimeoutMs: options.healthTimeoutMs ?? 30_000,
      },
      ScriptRunner.create({ sandbox }),
    );
    await provider.init();
    return provider;
  }

  /** The port of the `<stack>.localhost` router. */
  get routerPort() {
    return this.router.port;
  }

  listRegions() {
    return this.options.regions ?? ['local'];
  }

  listRuntimes(): RuntimeInfo[] {
    return this.runtimes.list();
  }

  async deployStack(request: DeployStackRequest): Promise<ProviderStack> {
    const { stackId, name, region, spec } = request;
    if (!this.listRegions().includes(region)) {
      throw new InputError(`Unknown region '${region}'`);
    }
    this.runtimes.check(spec.roles);
    const existing = this.stacks.get(stackId);
    if (existing) {
      // Deploying again finishes a deploy that a crash cut off: the nodes
      // that were started are kept, the ones still missing are added.
      return existing.enqueue(async () => {
        if (existing.record.state === 'deleting') {
          throw new ConflictError(`Stack '${name}' is being deleted`);
        }
        await this.deployRoles(existing);
        return existing.describe(this.routerPort);
      });
    }
    for (const other of this.stacks.values()) {
      if (other.name === name) {
        throw new ConflictError(`A stack named '${name}' already exists`);
      }
    }
    const live = LiveStack.create(
      {
        stackId,
        name,
        region,
        spec,
        state: 'running',
        nextIndex: {},
        nodes: [],
      },
      this.context,
    );
    this.stacks.set(stackId, live);
    return live.enqueue(async () => {
      live.save();
      await this.deployRoles(live);
      return live.describe(this.routerPort);
    });
  }

  async getStack(stackId: string) {
    const live = this.stacks.get(stackId);
    return live && live.record.state !== 'deleting'
      ? live.describe(this.routerPort)
      : undefined;
  }

  async listStacks() {
    return [...this.stacks.values()]
      .filter(s => s.record.state !== 'deleting')
      .map(s => s.describe(this.routerPort));
  }

  async startNodes(selector: NodeSelector) {
    const live = this.get(selector.stackId);
    return live.enqueue(async () => {
      const names = live.select(selector);
      live.start(names);
      await live.orStop(names, () => live.waitHealthy(names));
      return live.describe(this.routerPort);
    });
  }

  async stopNodes(selector: NodeSelector) {
    const live = this.get(selector.stackId);
    return live.enqueue(async () => {
      await live.stop(live.select(selector));
      return live.describe(this.routerPort);
    });
  }

  async restartNodes(selector: NodeSelector) {
    const live = this.get(selector.stackId);
    return live.enqueue(async () => {
      const names = live.select(selector);
      await Promise.all(names.map(name => live.processes.get(name)!.stop()));
      live.start(names);
      await live.orStop(names, () => live.waitHealthy(names));
      return live.describe(this.routerPort);
    });
  }

  async deleteStack(stackId: string) {
    const live = this.stacks.get(stackId);
    if (!live) {
      return;
    }
    await live.enqueue(async () => {
      if (!this.stacks.has(stackId)) {
        return;
      }
      await live.delete();
      this.stacks.delete(stackId);
    });
  }

  async scaleRole(stackId: string, roleName: string, count: number) {
    const live = this.get(stackId);
    const role = live.record.spec.roles.find(r => r.name === roleName);
    if (!role) {
      throw new NotFoundError(`Stack has no role '${roleName}'`);
    }
    return live.enqueue(async () => {
      const current = live.record.nodes.filter(n => n.role === roleName);
      if (count > current.length) {
        const added = await live.addNodes(role, count - current.length);
        try {
          await live.waitHealthy(added);
        } catch (error) {
          // the stack stays as it was before the scale
          await live.removeNodes(added);
          throw error;
        }
      } else if (count < current.length) {
        await live.removeNodes(current.slice(count).map(n => n.name));
      }
      live.record.spec = {
        ...live.record.spec,
        roles: live.record.spec.roles.map(r =>
          r.name === roleName ? { ...r, count } : r,
        ),
      };
      live.save();
      return live.describe(this.routerPort);
    });
  }

  async runScript(options: {
    stackId: string;
    nodeName: string;
    script: string;
    timeoutMs: number;
  }): Promise<ScriptResult> {
    const live = this.get(options.stackId);
    const node = live.processes.get(options.nodeName);
    if (!node) {
      throw new NotFoundError(`No node '${options.nodeName}'`);
    }
    if (node.status !== 'running') {
      throw new ConflictError(
        `Node '${options.nodeName}' is ${node.status}, not running`,
      );
    }
    return this.scripts.run({
      key: node.key,
      nodeName: options.nodeName,
      workDir: this.files.workDir(options.stackId, options.nodeName),
      port: node.port,
      limits: node.launch.limits,
      readOnlyPaths: node.launch.readOnlyPaths,
      script: options.script,
      timeoutMs: options.timeoutMs,
    });
  }

  async getLogs(options: {
    stackId: string;
    nodeName: string;
    maxBytes?: number;
  }) {
    const live = this.get(options.stackId);
    if (!live.processes.has(options.nodeName)) {
      throw new NotFoundError(`No node '${options.nodeName}'`);
    }
    const path = join(
      this.files.nodeDir(options.stackId, options.nodeName),
      LOG_FILE,
    );
    const maxBytes = options.maxBytes ?? 64 * 1024;
    let handle: fs.promises.FileHandle | undefined;
    try {
      handle = await fs.promises.open(path, 'r');
      const { size } = await handle.stat();
      const start = Math.max(0, size - maxBytes);
      const buffer = Buffer.alloc(size - start);
      await handle.read(buffer, 0, buffer.length, start);
      return buffer.toString('utf8');
    } catch {
      return '';
    } finally {
      await handle?.close();
    }
  }

  /**
   * Reads each node's figures from the operating system: CPU time and
   * resident memory of its process tree and of the scripts running on it,
   * the blocks of its folder, and the bytes through its address.
   */
  async collectMetrics(nodes: NodeRef[]): Promise<NodeMetricsSample[]> {
    const table = ProcessTable.read();
    const samples: NodeMetricsSample[] = [];
    for (const ref of nodes) {
      const live = this.stacks.get(ref.stackId);
      const node =
        live?.record.state === 'deleting'
          ? undefined
          : live?.processes.get(ref.nodeName);
      const pid = node?.pid;
      if (!node || !pid || table.tree(pid).length === 0) {
        continue;
      }
      const trees = [pid, ...this.scripts.pids(node.key)].map(
        root => [root, table.tree(root)] as const,
      );
      samples.push({
        stackId: ref.stackId,
        nodeName: ref.nodeName,
        timestamp: Date.now(),
        cpuSeconds: node.cpu.update(
          new Map(trees.map(([root, tree]) => [root, table.cpuSeconds(tree)])),
        ),
        memoryBytes: trees.reduce(
          (sum, [, tree]) => sum + table.memoryBytes(tree),
          0,
        ),
        diskBytes: await diskBytes(node.dir),
        networkInBytes: node.traffic.inBytes,
        networkOutBytes: node.traffic.outBytes,
      });
    }
    return samples;
  }

  /** Stops every node without changing what should run: for shutdown. */
  async shutdown() {
    await Promise.all([...this.stacks.values()].map(s => s.halt()));
    await this.router.close();
    this.context.sandbox.close();
  }

  /**
   * Lets go of every node without ending it, as when the backend is killed;
   * used to test recovery.
   */
  async abandon() {
    this.stacks.forEach(stack => stack.abandon());
    this.stacks.clear();
    await this.router.close();
  }

  private async init() {
    const { routerPort } = this.options;
    const port = await findFreePort(routerPort ?? this.files.readRouterPort());
    if (routerPort && port !== routerPort) {
      throw new Error(`Router port ${routerPort} is in use`);
    }
    await this.router.listen(port);
    this.files.writeRouterPort(port);

    const resumed: NodeProcess[] = [];
    for (const record of recoverStacks(this.files, this.options.logger)) {
      const live = LiveStack.create(record, this.context);
      this.stacks.set(record.stackId, live);
      resumed.push(...(await live.resume()));
    }
    // Report the resumed stacks as running, not starting, to the first
    // reconciliation; a node that does not come up is reported as it is.
    await Promise.allSettled(
      resumed.map(p => p.waitHealthy(this.context.healthTimeoutMs)),
    );
  }

  /**
   * Adds the missing nodes of each role in turn, waiting for each role to
   * be healthy; when a node fails, every node of the stack stops.
   */
  private async deployRoles(live: LiveStack) {
    try {
      for (const role of live.record.spec.roles) {
        const current = live.record.nodes
          .filter(n => n.role === role.name)
          .map(n => n.name);
        const added = await live.addNodes(
          role,
          Math.max(0, role.count - current.length),
        );
        await live.waitHealthy([...current, ...added]);
      }
    } catch (error) {
      await live.stop(live.record.nodes.map(n => n.name));
      throw error;
    }
  }

  /** The healthy entry nodes of the stack of that name, if any. */
  private entryAddresses(name: string): string[] | undefined {
    return [...this.stacks.values()]
      .find(s => s.name === name)
      ?.entryAddresses();
  }

  private get(stackId: string): LiveStack {
    const live = this.stacks.get(stackId);
    if (!live || live.record.state === 'deleting') {
      throw new NotFoundError(`No stack '${stackId}' on the local provider`);
    }
    return live;
  }
}
