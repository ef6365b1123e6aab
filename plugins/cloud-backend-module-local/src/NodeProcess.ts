import { LoggerService } from '@backstage/backend-plugin-api';
import { NodeStatus } from '@internal/plugin-cloud-common';
import { NodeFailedError } from '@internal/plugin-cloud-node';
import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import {
  descendants,
  killGroup,
  LOG_FILE,
  PID_FILE,
  readLogTail,
  sendOptions,
} from './processes';
import { releaseInnerPort, reserveInnerPort } from './ports';
import { NodeLaunchSpec } from './runtimes';
import { Sandbox } from './sandbox/Sandbox';
import { TrafficCounters, TrafficRelay } from './TrafficRelay';
import { CpuCounter } from './usage';

/** How a node process is started and checked. */
export interface NodeProcessOptions {
  stackId: string;
  name: string;
  role: string;
  /** The node's folder: its log and pid file, out of the sandbox's reach. */
  dir: string;
  /** The folder the node may write, its working directory. */
  workDir: string;
  launch: NodeLaunchSpec;
  env: Record<string, string>;
  port: number;
  sandbox: Sandbox;
  logger: LoggerService;
  healthIntervalMs: number;
  onHealthChange: () => void;
}

const MAX_LOG_BYTES = 1024 * 1024;
const MAX_BACKOFF_MS = 30_000;
const STOP_GRACE_MS = 5_000;
/** Quick restarts of a node that never became healthy before it fails. */
const QUICK_RETRIES = 2;
const QUICK_RETRY_MS = 200;

interface HealthWaiter {
  resolve: () => void;
  reject: (error: Error) => void;
}

/**
 * One node: a sandboxed process in its own group, checked over HTTP, with
 * its output appended to a log file. A node that exits before it ever
 * became healthy gets a couple of quick retries and then fails; one that
 * was healthy is restarted with backoff.
 */
export class NodeProcess {
  private child?: ChildProcess;
  private exited?: Promise<void>;
  private spawning: Promise<void> = Promise.resolve();
  private releasing: Promise<void> = Promise.resolve();
  private wanted = false;
  private failed = false;
  private healthy = false;
  private healthyOnce = false;
  private failures = 0;
  private crashes = 0;
  private quickRetries = 0;
  private lastExitCode: number | null = null;
  private restartTimer?: NodeJS.Timeout;
  private healthTimer?: NodeJS.Timeout;
  private healthySince = 0;
  private readonly waiters = new Set<HealthWaiter>();
  /** Listens on the node's port while it is wanted, counting its traffic. */
  private relay?: TrafficRelay;
  /** The port the node's process listens on, behind the relay. */
  private innerPort?: number;
  /** Bytes in and out of the node since this provider started it. */
  readonly traffic: TrafficCounters = { inBytes: 0, outBytes: 0 };
  /** CPU time of the node and of the scripts run on it. */
  readonly cpu = new CpuCounter();

  constructor(private readonly options: NodeProcessOptions) {}

  get key() {
    return `${this.options.stackId}/${this.options.name}`;
  }

  get port() {
    return this.options.port;
  }

  /** What runs and with which limits. */
  get launch() {
    return this.options.launch;
  }

  get pid() {
    return this.child?.pid;
  }

  /** The node's folder: its log, and its work folder below. */
  get dir() {
    return this.options.dir;
  }

  get status(): NodeStatus {
    if (this.failed) {
      return 'failed';
    }
    if (!this.wanted) {
      return 'stopped';
    }
    if (this.healthy) {
      return 'running';
    }
    if (!this.child && this.healthyOnce) {
      return 'failed';
    }
    return this.healthyOnce ? 'unhealthy' : 'starting';
  }

  get isHealthy() {
    return this.wanted && this.healthy;
  }

  /**
   * Starts the node. A `resumed` node ran before the backend restarted and
   * is restarted with backoff whenever it exits.
   */
  start(options?: { resumed?: boolean }) {
    if (this.wanted) {
      return;
    }
    this.wanted = true;
    this.failed = false;
    this.healthyOnce = options?.resumed ?? false;
    this.failures = 0;
    this.crashes = 0;
    this.quickRetries = 0;
    this.lastExitCode = null;
    this.spawn();
    this.scheduleHealthCheck(0);
  }

  /** Ends the node; resolves once every process of it has exited. */
  async stop() {
    this.wanted = false;
    clearTimeout(this.restartTimer);
    clearTimeout(this.healthTimer);
    this.setHealthy(false);
    this.rejectWaiters(new Error(`Node ${this.key} was stopped`));
    await this.spawning;
    const child = this.child;
    const exited = this.exited;
    if (child?.pid && exited) {
      // SIGTERM to what runs in the sandbox, not to the sandbox itself,
      // whose end would kill its processes before they finish
      for (const pid of descendants(child.pid)) {
        try {
          process.kill(pid, 'SIGTERM');
        } catch {
          // gone meanwhile
        }
      }
      const timer = setTimeout(
        () => killGroup(child.pid!, 'SIGKILL'),
        STOP_GRACE_MS,
      );
      await exited;
      clearTimeout(timer);
      // children that ignored the group signal must not outlive the node
      killGroup(child.pid, 'SIGKILL');
    }
    await this.releasing;
    await this.closeRelay();
  }

  /** Stops supervising without ending the process, as a crash would. */
  abandon() {
    this.wanted = false;
    clearTimeout(this.restartTimer);
    clearTimeout(this.healthTimer);
    this.rejectWaiters(new Error(`Node ${this.key} was abandoned`));
    this.child = undefined;
    // the relay lives in the backend's process, and ends with it
    this.closeRelay().catch(() => {});
  }

  /**
   * Resolves once the node is healthy; rejects with a NodeFailedError when
   * it fails or at the deadline.
   */
  async waitHealthy(timeoutMs: number) {
    if (this.healthy) {
      return;
    }
    if (this.failed) {
      throw this.failure('exited before it became healthy');
    }
    if (!this.wanted) {
      throw new Error(`Node ${this.key} was stopped`);
    }
    // woken by the health check that sees the node answer, not by polling
    await new Promise<void>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined = undefined;
      const waiter: HealthWaiter = {
        resolve: () => {
          clearTimeout(timer);
          this.waiters.delete(waiter);
          resolve();
        },
        reject: error => {
          clearTimeout(timer);
          this.waiters.delete(waiter);
          reject(error);
        },
      };
      this.waiters.add(waiter);
      timer = setTimeout(
        () =>
          waiter.reject(
            this.failure(`did not become healthy within ${timeoutMs} ms`),
          ),
        timeoutMs,
      );
    });
  }

  private failure(what: string) {
    const { stackId, name, role, dir } = this.options;
    return new NodeFailedError(
      `Node ${name} of role ${role} ${what}${
        this.lastExitCode !== null ? ` (exit code ${this.lastExitCode})` : ''
      }`,
      {
        stackId,
        node: name,
        role,
        exitCode: this.lastExitCode,
        logTail: readLogTail(dir),
      },
    );
  }

  private rejectWaiters(error: Error) {
    [...this.waiters].forEach(waiter => waiter.reject(error));
  }

  private spawn() {
    this.spawning = this.spawnSandbox().catch(error => {
      this.options.logger.warn(`Node ${this.key} could not start: ${error}`);
      this.lastExitCode = null;
      this.fail();
    });
  }

  private async spawnSandbox() {
    const { dir, workDir, env, launch, logger, port, sandbox } = this.options;
    // the cgroups of the previous run go before the next run's are made
    await this.releasing;
    if (!this.wanted) {
      return;
    }
    // The node listens on a port of its own behind the relay, which holds
    // the node's address from the first start until the node stops.
    releaseInnerPort(this.innerPort);
    this.innerPort = await reserveInnerPort();
    this.relay ??= await TrafficRelay.listen({
      port,
      target: () => this.innerPort,
      counters: this.traffic,
    });
    const sandboxed = await sandbox.launch({
      id: this.key,
      workDir,
      command: launch.command,
      env: { ...env, PORT: String(this.innerPort) },
      limits: launch.limits,
      readOnlyPaths: launch.readOnlyPaths,
      hostname: this.options.name,
    });
    if (!this.wanted) {
      await sandboxed.release();
      return;
    }
    const logPath = join(dir, LOG_FILE);
    try {
      if (fs.statSync(logPath).size > MAX_LOG_BYTES) {
        fs.renameSync(logPath, `${logPath}.1`);
      }
    } catch {
      // no log yet
    }
    const log = fs.openSync(logPath, 'a');
    fs.writeSync(
      log,
      `--- ${new Date().toISOString()} starting ${launch.command.join(' ')}\n`,
    );
    const child = spawn(sandboxed.file, sandboxed.args, {
      cwd: workDir,
      // how a leftover of a crash is recognised
      env: { ...sandboxed.env, CLOUD_NODE_KEY: this.key },
      detached: true,
      stdio: ['ignore', log, log, 'pipe'],
    });
    fs.closeSync(log);
    sendOptions(child, sandboxed.options);
    this.child = child;
    this.exited = new Promise(resolve => {
      child.once('exit', (code, signal) => {
        // the launcher leaves as soon as the node does; what the node left
        // in the sandbox goes with the sandbox's init, in the same group
        killGroup(child.pid!, 'SIGKILL');
        try {
          fs.appendFileSync(
            logPath,
            `--- ${new Date().toISOString()} exited code=${code} signal=${signal}\n`,
          );
        } catch {
          // the node's folder is gone with its stack
        }
        this.releasing = sandboxed.release().catch(error => {
          logger.warn(`Could not remove the cgroups of ${this.key}: ${error}`);
        });
        if (this.child === child) {
          this.child = undefined;
          this.lastExitCode = code;
          this.setHealthy(false);
          if (this.wanted) {
            this.onExit();
          }
        }
        resolve();
      });
    });
    child.once('error', error => {
      logger.warn(`Node ${this.key} could not start: ${error}`);
    });
    if (child.pid) {
      fs.writeFileSync(join(dir, PID_FILE), String(child.pid));
    }
  }

  private onExit() {
    if (this.healthyOnce) {
      this.scheduleRestart();
    } else if (this.quickRetries < QUICK_RETRIES) {
      this.quickRetries += 1;
      this.restartTimer = setTimeout(() => {
        if (this.wanted && !this.child) {
          this.spawn();
        }
      }, QUICK_RETRY_MS);
    } else {
      this.fail();
    }
  }

  /** Gives up on a node that never came up: nothing restarts it. */
  private fail() {
    this.wanted = false;
    this.failed = true;
    clearTimeout(this.restartTimer);
    clearTimeout(this.healthTimer);
    this.options.logger.warn(
      `Node ${this.key} exited before it became healthy; not restarting it`,
    );
    this.rejectWaiters(this.failure('exited before it became healthy'));
    this.closeRelay().catch(() => {});
  }

  private async closeRelay() {
    const relay = this.relay;
    this.relay = undefined;
    releaseInnerPort(this.innerPort);
    this.innerPort = undefined;
    await relay?.close();
  }

  private scheduleRestart() {
    if (Date.now() - this.healthySince > MAX_BACKOFF_MS && this.healthySince) {
      this.crashes = 0;
    }
    const delay = Math.min(MAX_BACKOFF_MS, 250 * 2 ** this.crashes);
    this.crashes += 1;
    this.options.logger.warn(
      `Node ${this.key} exited; restarting in ${delay} ms`,
    );
    this.restartTimer = setTimeout(() => {
      if (this.wanted && !this.child) {
        this.spawn();
      }
    }, delay);
  }

  private scheduleHealthCheck(delay: number) {
    clearTimeout(this.healthTimer);
    this.healthTimer = setTimeout(() => this.checkHealth(), delay);
  }

  private checkHealth() {
    if (!this.wanted) {
      return;
    }
    const child = this.child;
    const done = (ok: boolean) => {
      if (!this.wanted) {
        return;
      }
      // An answer of a process that has exited since (a node stopped and
      // started again, or restarted) says nothing of the one that runs now.
      if (this.child === child) {
        if (ok) {
          this.failures = 0;
          this.setHealthy(true);
        } else if (++this.failures >= (this.healthyOnce ? 3 : 1)) {
          this.setHealthy(false);
        }
      }
      // quick checks while starting, so deploys finish promptly
      this.scheduleHealthCheck(
        this.healthy ? this.options.healthIntervalMs : 100,
      );
    };
    if (!this.child) {
      done(false);
      return;
    }
    const req = request(
      {
        host: '127.0.0.1',
        port: this.options.port,
        path: this.options.launch.healthPath,
        timeout: 2000,
        agent: false,
      },
      res => {
        res.resume();
        done((res.statusCode ?? 500) < 400);
      },
    );
    req.on('timeout', () => req.destroy());
    req.on('error', () => done(false));
    req.end();
  }

  private setHealthy(healthy: boolean) {
    if (healthy === this.healthy) {
      return;
    }
    this.healthy = healthy;
    if (healthy) {
      this.healthyOnce = true;
      this.healthySince = Date.now();
    }
    this.options.onHealthChange();
    if (healthy) {
      [...this.waiters].forEach(waiter => waiter.resolve());
    }
  }
}
