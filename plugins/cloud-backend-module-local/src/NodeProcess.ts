import { LoggerService } from '@backstage/backend-plugin-api';
import { NodeStatus } from '@internal/plugin-cloud-common';
import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';

/** How a node process is started and checked. */
export interface NodeProcessOptions {
  /** `<stackId>/<nodeName>`, put in the environment to recognise the process later. */
  key: string;
  command: string[];
  env: Record<string, string>;
  cwd: string;
  port: number;
  healthPath: string;
  logger: LoggerService;
  healthIntervalMs: number;
  onHealthChange: () => void;
}

const LOG_FILE = 'node.log';
const PID_FILE = 'node.pid';
const MAX_LOG_BYTES = 1024 * 1024;
const MAX_BACKOFF_MS = 30_000;
const STOP_GRACE_MS = 5_000;

interface HealthWaiter {
  resolve: () => void;
  reject: (error: Error) => void;
}

/** Sends a signal to a whole process group, ignoring one that is gone. */
export function killGroup(pid: number, signal: NodeJS.Signals) {
  try {
    process.kill(-pid, signal);
  } catch {
    // the group has already exited
  }
}

/**
 * Kills the process group recorded in a node directory if it still belongs
 * to that node: left over when the backend was killed without a shutdown.
 */
export function killLeftover(cwd: string, key: string): boolean {
  let pid: number;
  try {
    pid = Number(fs.readFileSync(join(cwd, PID_FILE), 'utf8'));
  } catch {
    return false;
  }
  if (!pid) {
    return false;
  }
  let environ: string;
  try {
    environ = fs.readFileSync(`/proc/${pid}/environ`, 'utf8');
  } catch {
    return false;
  }
  if (!environ.split('\0').includes(`CLOUD_NODE_KEY=${key}`)) {
    return false;
  }
  killGroup(pid, 'SIGKILL');
  return true;
}

/**
 * One node: a process in its own group, restarted with backoff when it
 * crashes, checked over HTTP, with its output appended to a log file.
 */
export class NodeProcess {
  private child?: ChildProcess;
  private exited?: Promise<void>;
  private wanted = false;
  private healthy = false;
  private everHealthy = false;
  private failures = 0;
  private crashes = 0;
  private restartTimer?: NodeJS.Timeout;
  private healthTimer?: NodeJS.Timeout;
  private healthySince = 0;
  private readonly waiters = new Set<HealthWaiter>();

  constructor(private readonly options: NodeProcessOptions) {}

  get port() {
    return this.options.port;
  }

  get pid() {
    return this.child?.pid;
  }

  get status(): NodeStatus {
    if (!this.wanted) {
      return 'stopped';
    }
    if (!this.child) {
      return 'failed';
    }
    if (this.healthy) {
      return 'running';
    }
    return this.everHealthy ? 'unhealthy' : 'starting';
  }

  get isHealthy() {
    return this.wanted && this.healthy;
  }

  start() {
    if (this.wanted) {
      return;
    }
    this.wanted = true;
    this.crashes = 0;
    this.spawn();
    this.scheduleHealthCheck(0);
  }

  /** Ends the process group; resolves once the process has exited. */
  async stop() {
    this.wanted = false;
    clearTimeout(this.restartTimer);
    clearTimeout(this.healthTimer);
    this.setHealthy(false);
    this.rejectWaiters();
    const child = this.child;
    const exited = this.exited;
    if (!child?.pid || !exited) {
      return;
    }
    killGroup(child.pid, 'SIGTERM');
    const timer = setTimeout(
      () => killGroup(child.pid!, 'SIGKILL'),
      STOP_GRACE_MS,
    );
    await exited;
    clearTimeout(timer);
    // children that ignored the group signal must not outlive the node
    killGroup(child.pid, 'SIGKILL');
  }

  /** Stops supervising without ending the process, as a crash would. */
  abandon() {
    this.wanted = false;
    clearTimeout(this.restartTimer);
    clearTimeout(this.healthTimer);
    this.rejectWaiters();
    this.child = undefined;
  }

  /** Resolves once the node is healthy, or rejects at the deadline. */
  async waitHealthy(timeoutMs: number) {
    if (this.healthy) {
      return;
    }
    if (!this.wanted) {
      throw new Error(`Node ${this.options.key} was stopped`);
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
            new Error(
              `Node ${this.options.key} did not become healthy within ${timeoutMs} ms`,
            ),
          ),
        timeoutMs,
      );
    });
  }

  private rejectWaiters() {
    const error = new Error(`Node ${this.options.key} was stopped`);
    [...this.waiters].forEach(waiter => waiter.reject(error));
  }

  private spawn() {
    const { command, cwd, env, key, logger } = this.options;
    const logPath = join(cwd, LOG_FILE);
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
      `--- ${new Date().toISOString()} starting ${command.join(' ')}\n`,
    );
    const [file, ...args] = command;
    const child = spawn(file === 'node' ? process.execPath : file, args, {
      cwd,
      env: { ...env, CLOUD_NODE_KEY: key, PORT: String(this.options.port) },
      detached: true,
      stdio: ['ignore', log, log],
    });
    fs.closeSync(log);
    this.child = child;
    this.exited = new Promise(resolve => {
      child.once('exit', (code, signal) => {
        try {
          fs.appendFileSync(
            logPath,
            `--- ${new Date().toISOString()} exited code=${code} signal=${signal}\n`,
          );
        } catch {
          // the node's folder is gone with its stack
        }
        if (this.child === child) {
          this.child = undefined;
          this.setHealthy(false);
          if (this.wanted) {
            this.scheduleRestart();
          }
        }
        resolve();
      });
    });
    child.once('error', error => {
      logger.warn(`Node ${key} could not start: ${error}`);
    });
    if (child.pid) {
      fs.writeFileSync(join(cwd, PID_FILE), String(child.pid));
    }
  }

  private scheduleRestart() {
    if (Date.now() - this.healthySince > MAX_BACKOFF_MS && this.healthySince) {
      this.crashes = 0;
    }
    const delay = Math.min(MAX_BACKOFF_MS, 250 * 2 ** this.crashes);
    this.crashes += 1;
    this.options.logger.warn(
      `Node ${this.options.key} exited; restarting in ${delay} ms`,
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
    const done = (ok: boolean) => {
      if (ok) {
        this.failures = 0;
        this.setHealthy(true);
      } else if (++this.failures >= (this.everHealthy ? 3 : 1)) {
        this.setHealthy(false);
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
        path: this.options.healthPath,
        timeout: 2000,
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
      this.everHealthy = true;
      this.healthySince = Date.now();
    }
    this.options.onHealthChange();
    if (healthy) {
      [...this.waiters].forEach(waiter => waiter.resolve());
    }
  }
}
