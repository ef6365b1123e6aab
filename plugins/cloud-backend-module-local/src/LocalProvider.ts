import {
  LoggerService,
  resolvePackagePath,
  resolveSafeChildPath,
} from '@backstage/backend-plugin-api';
import { ConflictError, InputError, NotFoundError } from '@backstage/errors';
import {
  LOAD_BALANCER_RUNTIME,
  NodeStatus,
  RoleSpec,
  ScriptResult,
  StackSpec,
} from '@internal/plugin-cloud-common';
import {
  CloudProvider,
  DeployStackRequest,
  NodeSelector,
  ProviderNode,
  ProviderStack,
} from '@internal/plugin-cloud-node';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { dirname, join } from 'node:path';
import { NodeProcess, killGroup, killLeftover } from './NodeProcess';
import { findFreePort } from './ports';
import { StackRouter } from './StackRouter';

/** What the provider keeps on disk about a stack, to survive restarts. */
interface StackRecord {
  stackId: string;
  name: string;
  region: string;
  spec: StackSpec;
  state: 'running' | 'stopped' | 'deleting';
  nextIndex: Record<string, number>;
  nodes: Array<{
    name: string;
    role: string;
    port: number;
    wanted: 'running' | 'stopped';
  }>;
}

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
}

const LB_SCRIPT = 'assets/loadBalancer.js';
const MAX_SCRIPT_OUTPUT = 64 * 1024;

/**
 * The embedded default provider: every node is a supervised process on this
 * host, in its own working directory under the data folder.
 *
 * @public
 */
export class LocalProvider implements CloudProvider {
  readonly id = 'local';
  readonly title = 'Local host';
  private readonly stacks = new Map<string, LiveStack>();
  private readonly router: StackRouter;
  private readonly stacksDir: string;

  private constructor(private readonly options: LocalProviderOptions) {
    this.stacksDir = join(options.dataDir, 'stacks');
    this.router = new StackRouter(name => this.entryAddress(name));
  }

  /** Creates the provider, ends leftovers of a crash and resumes stacks. */
  static async create(options: LocalProviderOptions): Promise<LocalProvider> {
    const provider = new LocalProvider(options);
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

  async deployStack(request: DeployStackRequest): Promise<ProviderStack> {
    const { stackId, name, region, spec } = request;
    if (!this.listRegions().includes(region)) {
      throw new InputError(`Unknown region '${region}'`);
    }
    const existing = this.stacks.get(stackId);
    if (existing) {
      // Deploying again finishes a deploy that a crash cut off: the nodes
      // that were started are kept, the ones still missing are added.
      return this.enqueue(existing, async () => {
        if (existing.record.state === 'deleting') {
          throw new ConflictError(`Stack '${name}' is being deleted`);
        }
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
      this.save(record);
      for (const role of spec.roles) {
        const added = await this.addNodes(live, role, role.count);
        await this.waitHealthy(live, added);
      }
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
      this.save(live.record);
      await this.waitHealthy(live, names);
      return this.describe(live);
    });
  }

  async stopNodes(selector: NodeSelector) {
    const live = this.get(selector.stackId);
    return this.enqueue(live, async () => {
      const names = this.select(live, selector);
      for (const name of names) {
        this.nodeRecord(live, name).wanted = 'stopped';
      }
      if (live.record.nodes.every(n => n.wanted === 'stopped')) {
        live.record.state = 'stopped';
      }
      this.save(live.record);
      await Promise.all(names.map(name => live.processes.get(name)!.stop()));
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
      this.save(live.record);
      await this.waitHealthy(live, names);
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
      this.save(live.record);
      await Promise.all([...live.processes.values()].map(p => p.stop()));
      live.processes.clear();
      // not rmSync: other stacks' calls go on while the folder goes
      await fs.promises.rm(this.stackDir(stackId), {
        recursive: true,
        force: true,
      });
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
        await this.waitHealthy(live, added);
      } else if (count < current.length) {
        const removed = current.slice(count).map(n => n.name);
        live.record.nodes = live.record.nodes.filter(
          n => !removed.includes(n.name),
        );
        this.save(live.record);
        this.updateUpstreams(live);
        await Promise.all(
          removed.map(async name => {
            await live.processes.get(name)?.stop();
            live.processes.delete(name);
            await fs.promises.rm(this.nodeDir(stackId, name), {
              recursive: true,
              force: true,
            });
          }),
        );
      }
      live.record.spec = {
        ...live.record.spec,
        roles: live.record.spec.roles.map(r =>
          r.name === roleName ? { ...r, count } : r,
        ),
      };
      this.save(live.record);
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
    const process_ = live.processes.get(options.nodeName);
    if (!process_) {
      throw new NotFoundError(`No node '${options.nodeName}'`);
    }
    if (process_.status !== 'running') {
      throw new ConflictError(
        `Node '${options.nodeName}' is ${process_.status}, not running`,
      );
    }
    const cwd = this.nodeDir(options.stackId, options.nodeName);
    const started = Date.now();
    return new Promise<ScriptResult>((resolve, reject) => {
      const child = spawn('/bin/sh', ['-c', options.script], {
        cwd,
        env: {
          PATH: process.env.PATH ?? '/usr/bin:/bin',
          PORT: String(process_.port),
          NODE_NAME: options.nodeName,
        },
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      const collect = (chunk: Buffer) => {
        if (output.length < MAX_SCRIPT_OUTPUT) {
          output += chunk.toString('utf8');
        }
      };
      child.stdout!.on('data', collect);
      child.stderr!.on('data', collect);
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        killGroup(child.pid!, 'SIGKILL');
      }, options.timeoutMs);
      child.once('error', error => {
        clearTimeout(timer);
        reject(error);
      });
      child.once('close', code => {
        clearTimeout(timer);
        killGroup(child.pid!, 'SIGKILL');
        resolve({
          exitCode: timedOut ? null : code,
          timedOut,
          output: output.slice(0, MAX_SCRIPT_OUTPUT),
          durationMs: Date.now() - started,
        });
      });
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
      this.nodeDir(options.stackId, options.nodeName),
      'node.log',
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
    fs.mkdirSync(this.stacksDir, { recursive: true });
    const routerFile = join(this.options.dataDir, 'router.json');
    let previousPort: number | undefined;
    try {
      previousPort = JSON.parse(fs.readFileSync(routerFile, 'utf8')).port;
    } catch {
      previousPort = undefined;
    }
    const port = await findFreePort(this.options.routerPort ?? previousPort);
    if (this.options.routerPort && port !== this.options.routerPort) {
      throw new Error(`Router port ${this.options.routerPort} is in use`);
    }
    await this.router.listen(port);
    fs.writeFileSync(routerFile, JSON.stringify({ port }));

    const resumed: NodeProcess[] = [];
    for (const stackId of fs.readdirSync(this.stacksDir)) {
      const dir = this.stackDir(stackId);
      let record: StackRecord;
      try {
        record = JSON.parse(fs.readFileSync(join(dir, 'stack.json'), 'utf8'));
      } catch {
        // a deploy that crashed before its first write
        fs.rmSync(dir, { recursive: true, force: true });
        continue;
      }
      for (const entry of fs.readdirSync(join(dir, 'nodes'), {
        withFileTypes: true,
      })) {
        if (
          killLeftover(
            join(dir, 'nodes', entry.name),
            `${stackId}/${entry.name}`,
          )
        ) {
          this.options.logger.info(
            `Ended leftover process of node ${stackId}/${entry.name}`,
          );
        }
        if (!record.nodes.some(n => n.name === entry.name)) {
          fs.rmSync(join(dir, 'nodes', entry.name), {
            recursive: true,
            force: true,
          });
        }
      }
      if (record.state === 'deleting') {
        fs.rmSync(dir, { recursive: true, force: true });
        continue;
      }
      const live: LiveStack = {
        record,
        processes: new Map(),
        queue: Promise.resolve(),
      };
      this.stacks.set(stackId, live);
      for (const node of record.nodes) {
        const role = record.spec.roles.find(r => r.name === node.role)!;
        node.port = await findFreePort(node.port);
        const proc = this.createProcess(live, role, node.name, node.port);
        live.processes.set(node.name, proc);
      }
      this.save(record);
      this.updateUpstreams(live);
      for (const node of record.nodes) {
        if (node.wanted === 'running') {
          live.processes.get(node.name)!.start();
          resumed.push(live.processes.get(node.name)!);
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
      this.save(live.record);
      const dir = this.nodeDir(live.record.stackId, name);
      fs.mkdirSync(dir, { recursive: true });
      for (const [file, content] of Object.entries(role.files ?? {})) {
        const path = resolveSafeChildPath(dir, file);
        fs.mkdirSync(dirname(path), { recursive: true });
        fs.writeFileSync(path, content);
      }
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
      key: `${stackId}/${name}`,
      command: isLb
        ? [
            'node',
            resolvePackagePath(
              '@internal/plugin-cloud-backend-module-local',
              LB_SCRIPT,
            ),
          ]
        : role.command!,
      env: {
        ...peers,
        ...role.env,
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOST: '127.0.0.1',
        STACK_NAME: live.record.name,
        NODE_NAME: name,
        ROLE: role.name,
        ...(isLb ? { UPSTREAMS_FILE: 'upstreams.json' } : {}),
      },
      cwd: this.nodeDir(stackId, name),
      port,
      healthPath: isLb ? '/__lb/health' : role.healthPath ?? '/',
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
        const dir = this.nodeDir(live.record.stackId, node.name);
        if (fs.existsSync(dir)) {
          const tmp = join(dir, 'upstreams.json.tmp');
          fs.writeFileSync(tmp, JSON.stringify(upstreams));
          fs.renameSync(tmp, join(dir, 'upstreams.json'));
        }
      }
    }
  }

  private async waitHealthy(live: LiveStack, names: string[]) {
    const timeout = this.options.healthTimeoutMs ?? 30_000;
    await Promise.all(
      names.map(name => live.processes.get(name)!.waitHealthy(timeout)),
    );
  }

  /** Address of the node that answers the stack's URL. */
  private entryAddress(name: string): string | undefined {
    const live = [...this.stacks.values()].find(s => s.record.name === name);
    if (!live) {
      return undefined;
    }
    const { spec } = live.record;
    const entryRole =
      spec.entryRole ??
      spec.roles.find(r => r.runtime === LOAD_BALANCER_RUNTIME)?.name ??
      spec.roles[spec.roles.length - 1].name;
    const node = live.record.nodes.find(
      n => n.role === entryRole && live.processes.get(n.name)?.isHealthy,
    );
    return node ? `127.0.0.1:${node.port}` : '';
  }

  private describe(live: LiveStack): ProviderStack {
    const { record } = live;
    const url = `http://${record.name}.localhost:${this.router.port}`;
    const entry = this.entryAddress(record.name);
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

  private save(record: StackRecord) {
    const dir = this.stackDir(record.stackId);
    fs.mkdirSync(join(dir, 'nodes'), { recursive: true });
    const tmp = join(dir, 'stack.json.tmp');
    fs.writeFileSync(tmp, JSON.stringify(record, null, 2));
    fs.renameSync(tmp, join(dir, 'stack.json'));
  }

  private stackDir(stackId: string) {
    return resolveSafeChildPath(this.stacksDir, stackId);
  }

  private nodeDir(stackId: string, name: string) {
    return resolveSafeChildPath(this.stackDir(stackId), join('nodes', name));
  }
}
