import { ScriptResult } from '@internal/plugin-cloud-common';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { killGroup, sendOptions } from './processes';
import { AppliedLimits } from './sandbox/limits';
import { Sandbox } from './sandbox/Sandbox';

const MAX_SCRIPT_OUTPUT = 64 * 1024;

/** A script to run on a node. */
export interface ScriptRun {
  /** `<stackId>/<node>`. */
  key: string;
  nodeName: string;
  workDir: string;
  port: number;
  limits: AppliedLimits;
  readOnlyPaths: string[];
  script: string;
  timeoutMs: number;
}

/**
 * Runs scripts on nodes, each in a sandbox of its own that sees the node's
 * folder and has the node's limits, in cgroups of its own.
 */
export class ScriptRunner {
  /** The launchers of the scripts running now, by node key. */
  private readonly running = new Map<string, Set<number>>();

  private constructor(private readonly sandbox: Sandbox) {}

  static create(options: { sandbox: Sandbox }) {
    return new ScriptRunner(options.sandbox);
  }

  /** The pids of the scripts running on a node, whose usage is the node's. */
  pids(key: string): number[] {
    return [...(this.running.get(key) ?? [])];
  }

  async run(run: ScriptRun): Promise<ScriptResult> {
    const sandboxed = await this.sandbox.launch({
      id: `${run.key}/script-${randomUUID()}`,
      workDir: run.workDir,
      command: ['/bin/sh', '-c', run.script],
      env: { PORT: String(run.port), NODE_NAME: run.nodeName },
      limits: run.limits,
      readOnlyPaths: run.readOnlyPaths,
      hostname: run.nodeName,
    });
    const started = Date.now();
    try {
      return await new Promise<ScriptResult>((resolve, reject) => {
        const child = spawn(sandboxed.file, sandboxed.args, {
          cwd: run.workDir,
          env: sandboxed.env,
          detached: true,
          stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
        });
        sendOptions(child, sandboxed.options);
        const pid = child.pid;
        if (pid) {
          const running = this.running.get(run.key) ?? new Set();
          this.running.set(run.key, running.add(pid));
          child.once('close', () => {
            running.delete(pid);
            if (running.size === 0 && this.running.get(run.key) === running) {
              this.running.delete(run.key);
            }
          });
        }
        let output = '';
        const collect = (chunk: Buffer) => {
          if (output.length < MAX_SCRIPT_OUTPUT) {
            output += chunk.toString('utf8');
          }
        };
        child.stdout!.on('data', collect);
        child.stderr!.on('data', collect);
        let timedOut = false;
        // the group holds the sandbox's init, whose end ends all in it
        const timer = setTimeout(() => {
          timedOut = true;
          killGroup(child.pid!, 'SIGKILL');
        }, run.timeoutMs);
        // the launcher leaves as soon as the script does; what the script
        // left running goes with the sandbox's init, in the same group
        child.once('exit', () => killGroup(child.pid!, 'SIGKILL'));
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
    } finally {
      await sandboxed.release();
    }
  }
}
