import {
  LoggerService,
  resolveSafeChildPath,
} from '@backstage/backend-plugin-api';
import { ConflictError, InputError, NotFoundError } from '@backstage/errors';
import {
  LOAD_BALANCER_RUNTIME,
  NodeLimits,
  NodeStatus,
  RoleSpec,
  RuntimeInfo,
  ScriptResult,
} from '@internal/plugin-cloud-common';
import {
  CloudProvider,
  DeployStackRequest,
  NodeSelector,
  ProviderNode,
  ProviderStack,
} from '@internal/plugin-cloud-node';
import fs from 'node:fs';
import { dirname, join } from 'node:path';
import { LOG_FILE, NodeProcess } from './NodeProcess';
import { findFreePort } from './ports';
import { recoverStacks } from './recovery';
import { LocalRuntimeConfig, Runtimes } from './runtimes';
import { Sandbox } from './sandbox/Sandbox';
import { ScriptRunner } from './ScriptRunner';
import { StackRouter } from './StackRouter';
import { StackRecord, StateFiles } from './StateFiles';

interface LiveStack {
  record: StackRecord;
  processes: Map<string, NodeProcess>;
  /** Serialises the operations on one stack. */
  queue: Promise<unknown>;
}

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
    private readonly sandbox: Sandbox,
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
      sandbox,
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
      return this.enqueue(existing, async () => {
        if (existing.record.state === 'deleting') {
          throw new ConflictError(`Stack '${name}' is being deleted`);
        }
        await this.orStopAll(existing, async () => {
          for (const role of existing.record.spec.roles) {
            const current = existing.record.nodes.filter(
              n => n.role === role.name,
            );
            const added = await this.addNodes(
              existing,
              role,
              Math.max(0, role.count - current.length),
            );
            await this.waitHealthy(existing, [
              ...current.map(n => n.name),
              ...added,
            ]);
          }
        });
        return this.describe(existing);
      });
    }
    for (const other of this.stacks.values()) {
      if (other.record.name === name) {
        throw new ConflictError(`A stack named '${name}' already exists`);
      }
    }
    const record: StackRecord = {
      stackId,
      name,
      region,
      spec,
      state: 'running',
      nextIndex: {},
      nodes: [],
    };
    const live: LiveStack = {
      record,
      processes: new Map(),
      queue: Promise.resolve(),
    };
    this.stacks.set(stackId, live);
    return this.enqueue(live, async () => {
      this.files.saveStack(record);
      await this.orStopAll(live, async () => {
        for (const role of spec.roles) {
          const added = await this.addNodes(live, role, role.count);
          await this.waitHealthy(live, added);
        }
      });
      return this.describe(live);
    });
  }

  async getStack(stackId: string) {
    const live = this.stacks.get(stackId);
    return live && live.record.state !== 'deleting'
      ? this.describe(live)
      : undefined;
  }

  async listStacks() {
    return [...this.stacks.values()]
      .filter(s => s.record.state !== 'deleting')
      .map(s => this.describe(s));
  }

  async startNodes(selector: NodeSelector) {
    const live = this.get(selector.stackId);
    return this.enqueue(live, async () => {
      const names = this.select(live, selector);
      for (const name of names) {
        this.nodeRecord(live, name).wanted = 'running';
        live.processes.get(name)!.start();
      }
      live.record.state = 'running';
      this.files.saveStack(live.record);
      await this.orStop(live, names, () => this.waitHealthy(live, names));
      return this.describe(live);
    });
  }

  async stopNodes(selector: NodeSelector) {
    const live = this.get(selector.stackId);
    return this.enqueue(live, async () => {
      const names = this.select(live, selector);
      await this.stop(live, names);
      return this.describe(live);
    });
  }

  async restartNodes(selector: NodeSelector) {
    const live = this.get(selector.stackId);
    return this.enqueue(live, async () => {
      const names = this.select(live, selector);
      await Promise.all(names.map(name => live.processes.get(name)!.stop()));
      for (const name of names) {
        this.nodeRecord(live, name).wanted = 'running';
        live.processes.get(name)!.start();
      }
      live.record.state = 'running';
      this.files.saveStack(live.record);
      await this.orStop(live, names, () => this.waitHealthy(live, names));
      return this.describe(live);
    });
  }

  async deleteStack(stackId: string) {
    const live = this.stacks.get(stackId);
    if (!live) {
      return;
    }
    await this.enqueue(live, async () => {
      if (!this.stacks.has(stackId)) {
        return;
      }
      live.record.state = 'deleting';
      this.files.saveStack(live.record);
      await Promise.all([...live.processes.values()].map(p => p.stop()));
      live.processes.clear();
      await this.files.removeStack(stackId);
      this.stacks.delete(stackId);
    });
  }

  async scaleRole(stackId: string, roleName: string, count: number) {
    const live = this.get(stackId);
    const role = live.record.spec.roles.find(r => r.name === roleName);
    if (!role) {
      throw new NotFoundError(`Stack has no role '${roleName}'`);
    }
    return this.enqueue(live, async () => {
      const current = live.record.nodes.filter(n => n.role === roleName);
      if (count > current.length) {
        const added = await this.addNodes(live, role, count - current.length);
        try {
          await this.waitHealthy(live, added);
        } catch (error) {
          // the stack stays as it was before the scale
          await this.removeNodes(live, added);
          throw error;
        }
      } else if (count < current.length) {
        await this.removeNodes(
          live,
          current.slice(count).map(n => n.name),
        );
      }
      live.record.spec = {
        ...live.record.spec,
        roles: live.record.spec.roles.map(r =>
          r.name === roleName ? { ...r, count } : r,
        ),
      };
      this.files.saveStack(live.record);
      return this.describe(live);
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

  /** Stops every node without changing what should run: for shutdown. */
  async shutdown() {
    await Promise.all(
      [...this.stacks.values()].flatMap(s =>
        [...s.processes.values()].map(p => p.stop()),
      ),
    );
    await this.router.close();
    this.sandbox.close();
  }

  /**
   * Lets go of every node without ending it, as when the backend is killed;
   * used to test recovery.
   */
  async abandon() {
    for (const stack of this.stacks.values()) {
      stack.processes.forEach(p => p.abandon());
    }
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
      const live: LiveStack = {
        record,
        processes: new Map(),
        queue: Promise.resolve(),
      };
      this.stacks.set(record.stackId, live);
      for (const node of record.nodes) {
        const role = record.spec.roles.find(r => r.name === node.role)!;
        node.port = await findFreePort(node.port);
        try {
          live.processes.set(
            node.name,
            this.createProcess(live, role, node.name, node.port),
          );
        } catch (error) {
          // e.g. its runtime is no longer configured: reported as failed
          this.options.logger.warn(
            `Cannot resume node ${record.stackId}/${node.name}: ${error}`,
          );
        }
      }
      this.files.saveStack(record);
      this.updateUpstreams(live);
      for (const node of record.nodes) {
        const proc = live.processes.get(node.name);
        if (node.wanted === 'running' && proc) {
          proc.start({ resumed: true });
          resumed.push(proc);
        }
      }
    }
    // Report the resumed stacks as running, not starting, to the first
    // reconciliation; a node that does not come up is reported as it is.
    const timeout = this.options.healthTimeoutMs ?? 30_000;
    await Promise.allSettled(resumed.map(p => p.waitHealthy(timeout)));
  }

  private async addNodes(live: LiveStack, role: RoleSpec, count: number) {
    const added: string[] = [];
    for (let i = 0; i < count; i++) {
      const index = (live.record.nextIndex[role.name] ?? 0) + 1;
      live.record.nextIndex[role.name] = index;
      const name = `${role.name}-${index}`;
      const port = await findFreePort();
      live.record.nodes.push({
        name,
        role: role.name,
        port,
        wanted: 'running',
      });
      this.files.saveStack(live.record);
      const workDir = this.files.workDir(live.record.stackId, name);
      fs.mkdirSync(workDir, { recursive: true });
      for (const [file, content] of Object.entries(role.files ?? {})) {
        const path = resolveSafeChildPath(workDir, file);
        fs.mkdirSync(dirname(path), { recursive: true });
        fs.writeFileSync(path, content);
      }
      this.sandbox.prepareWorkDir(workDir);
      const proc = this.createProcess(live, role, name, port);
      live.processes.set(name, proc);
      if (role.runtime === LOAD_BALANCER_RUNTIME) {
        this.updateUpstreams(live);
      }
      proc.start();
      added.push(name);
    }
    return added;
  }

  /** Stops nodes and removes them with their folders. */
  private async removeNodes(live: LiveStack, names: string[]) {
    live.record.nodes = live.record.nodes.filter(n => !names.includes(n.name));
    this.files.saveStack(live.record);
    this.updateUpstreams(live);
    await Promise.all(
      names.map(async name => {
        await live.processes.get(name)?.stop();
        live.processes.delete(name);
        await this.files.removeNode(live.record.stackId, name);
      }),
    );
  }

  private async stop(live: LiveStack, names: string[]) {
    for (const name of names) {
      this.nodeRecord(live, name).wanted = 'stopped';
    }
    if (live.record.nodes.every(n => n.wanted === 'stopped')) {
      live.record.state = 'stopped';
    }
    this.files.saveStack(live.record);
    await Promise.all(names.map(name => live.processes.get(name)?.stop()));
  }

  /** Runs an operation; when it fails, its nodes stop and it rethrows. */
  private async orStop(
    live: LiveStack,
    names: string[],
    operation: () => Promise<void>,
  ) {
    try {
      await operation();
    } catch (error) {
      await this.stop(live, names);
      throw error;
    }
  }

  /** As {@link orStop}, for a deploy: every node of the stack stops. */
  private async orStopAll(live: LiveStack, operation: () => Promise<void>) {
    try {
      await operation();
    } catch (error) {
      await this.stop(
        live,
        live.record.nodes.map(n => n.name),
      );
      throw error;
    }
  }

  private createProcess(
    live: LiveStack,
    role: RoleSpec,
    name: string,
    port: number,
  ) {
    const { stackId } = live.record;
    const isLb = role.runtime === LOAD_BALANCER_RUNTIME;
    const peers: Record<string, string> = {};
    for (const other of live.record.spec.roles) {
      const addresses = live.record.nodes
        .filter(n => n.role === other.name)
        .map(n => `127.0.0.1:${n.port}`);
      const key = other.name.toUpperCase().replace(/-/g, '_');
      peers[`CLOUD_ROLE_${key}_ADDRESSES`] = addresses.join(',');
    }
    return new NodeProcess({
      stackId,
      name,
      role: role.name,
      dir: this.files.nodeDir(stackId, name),
      workDir: this.files.workDir(stackId, name),
      launch: this.runtimes.resolve(role),
      env: {
        ...peers,
        ...role.env,
        HOST: '127.0.0.1',
        STACK_NAME: live.record.name,
        NODE_NAME: name,
        ROLE: role.name,
        ...(isLb ? { UPSTREAMS_FILE: 'upstreams.json' } : {}),
      },
      port,
      sandbox: this.sandbox,
      logger: this.options.logger,
      healthIntervalMs: this.options.healthIntervalMs ?? 2000,
      onHealthChange: () => this.updateUpstreams(live),
    });
  }

  /** Writes the healthy nodes of balanced roles for the load balancers. */
  private updateUpstreams(live: LiveStack) {
    if (!this.stacks.has(live.record.stackId)) {
      return;
    }
    for (const lb of live.record.spec.roles) {
      if (lb.runtime !== LOAD_BALANCER_RUNTIME) {
        continue;
      }
      const upstreams = live.record.nodes
        .filter(n => n.role === lb.balances)
        .filter(n => live.processes.get(n.name)?.isHealthy)
        .map(n => `127.0.0.1:${n.port}`);
      for (const node of live.record.nodes.filter(n => n.role === lb.name)) {
        this.files.writeUpstreams(live.record.stackId, node.name, upstreams);
      }
    }
  }

  private async waitHealthy(live: LiveStack, names: string[]) {
    const timeout = this.options.healthTimeoutMs ?? 30_000;
    await Promise.all(
      names.map(name => live.processes.get(name)!.waitHealthy(timeout)),
    );
  }

  /**
   * Addresses of the healthy nodes that answer the stack's URL, the first
   * one preferred; undefined for no such stack.
   */
  private entryAddresses(name: string): string[] | undefined {
    const live = [...this.stacks.values()].find(s => s.record.name === name);
    if (!live) {
      return undefined;
    }
    const { spec } = live.record;
    const entryRole =
      spec.entryRole ??
      spec.roles.find(r => r.runtime === LOAD_BALANCER_RUNTIME)?.name ??
      spec.roles[spec.roles.length - 1].name;
    return live.record.nodes
      .filter(
        n => n.role === entryRole && live.processes.get(n.name)?.isHealthy,
      )
      .map(n => `127.0.0.1:${n.port}`);
  }

  private describe(live: LiveStack): ProviderStack {
    const { record } = live;
    const url = `http://${record.name}.localhost:${this.router.port}`;
    const entry = this.entryAddresses(record.name)?.[0];
    return {
      stackId: record.stackId,
      name: record.name,
      region: record.region,
      state: record.state === 'stopped' ? 'stopped' : 'running',
      url,
      nodes: record.nodes.map((node): ProviderNode => {
        const proc = live.processes.get(node.name);
        const status: NodeStatus = proc?.status ?? 'failed';
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

  private get(stackId: string): LiveStack {
    const live = this.stacks.get(stackId);
    if (!live || live.record.state === 'deleting') {
      throw new NotFoundError(`No stack '${stackId}' on the local provider`);
    }
    return live;
  }

  private select(live: LiveStack, selector: NodeSelector) {
    const names = selector.nodeNames ?? live.record.nodes.map(n => n.name);
    for (const name of names) {
      if (!live.processes.has(name)) {
        throw new NotFoundError(`No node '${name}'`);
      }
    }
    return names;
  }

  private nodeRecord(live: LiveStack, name: string) {
    return live.record.nodes.find(n => n.name === name)!;
  }

  private enqueue<T>(live: LiveStack, fn: () => Promise<T>): Promise<T> {
    const result = live.queue.then(fn, fn);
    live.queue = result.catch(() => undefined);
    return result;
  }
}
