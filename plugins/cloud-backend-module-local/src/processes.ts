import { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { SANDBOX_OPTIONS_FD } from './sandbox/Sandbox';

/** A node's output, in its folder out of the sandbox's reach. */
export const LOG_FILE = 'node.log';
/** The pid of a node's launcher, by which a leftover is found after a crash. */
export const PID_FILE = 'node.pid';
const LOG_TAIL_LINES = 20;

/** Sends a signal to a whole process group, ignoring one that is gone. */
export function killGroup(pid: number, signal: NodeJS.Signals) {
  try {
    process.kill(-pid, signal);
  } catch {
    // the group has already exited
  }
}

/** Writes the sandbox's options to the pipe it reads them from. */
export function sendOptions(child: ChildProcess, options: Buffer) {
  const pipe = child.stdio[SANDBOX_OPTIONS_FD] as Writable | null;
  // EPIPE when the launcher died first: its exit tells what happened
  pipe?.on('error', () => {});
  pipe?.end(options);
}

/** Clock ticks per second of the times in /proc, USER_HZ: 100 on Linux. */
const USER_HZ = 100;

/**
 * The processes of the host as /proc shows them at one moment: who is whose
 * parent and how much CPU each used, read once for many questions.
 */
export class ProcessTable {
  private constructor(
    private readonly children: Map<number, number[]>,
    private readonly cpuTicks: Map<number, number>,
  ) {}

  static read(): ProcessTable {
    const children = new Map<number, number[]>();
    const cpuTicks = new Map<number, number>();
    for (const entry of fs.readdirSync('/proc')) {
      const pid = Number(entry);
      if (!pid) {
        continue;
      }
      try {
        const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
        // after the command in parentheses: state, ppid, ...; utime, stime,
        // cutime and cstime are fields 14 to 17 of proc(5)
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        const parent = Number(fields[1]);
        children.set(parent, [...(children.get(parent) ?? []), pid]);
        cpuTicks.set(
          pid,
          fields.slice(11, 15).reduce((sum, f) => sum + Number(f), 0),
        );
      } catch {
        // gone meanwhile
      }
    }
    return new ProcessTable(children, cpuTicks);
  }

  /** `pid` and every process below it, or nothing when it is gone. */
  tree(pid: number): number[] {
    if (!this.cpuTicks.has(pid)) {
      return [];
    }
    const found = [pid];
    for (let i = 0; i < found.length; i++) {
      found.push(...(this.children.get(found[i]) ?? []));
    }
    return found;
  }

  /**
   * CPU time of the processes, in seconds, with that of their children
   * which they waited for.
   */
  cpuSeconds(pids: number[]): number {
    const ticks = pids.reduce((sum, p) => sum + (this.cpuTicks.get(p) ?? 0), 0);
    return ticks / USER_HZ;
  }

  /**
   * Resident memory of the processes, in bytes; pages they share are
   * counted once per process, as `ps` does.
   */
  memoryBytes(pids: number[]): number {
    let bytes = 0;
    for (const pid of pids) {
      try {
        const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
        const match = /^VmRSS:\s+(\d+) kB$/m.exec(status);
        bytes += match ? Number(match[1]) * 1024 : 0;
      } catch {
        // gone meanwhile
      }
    }
    return bytes;
  }
}

/** Every process below `pid` in the process tree. */
export function descendants(pid: number): number[] {
  return ProcessTable.read().tree(pid).slice(1);
}

/**
 * Kills the process group recorded in a node directory if it still belongs
 * to that node: left over when the backend was killed without a shutdown.
 * The sandbox ends with it.
 */
export function killLeftover(dir: string, key: string): boolean {
  let pid: number;
  try {
    pid = Number(fs.readFileSync(join(dir, PID_FILE), 'utf8'));
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

/** The last lines of a node's log. */
export function readLogTail(dir: string, lines = LOG_TAIL_LINES): string {
  try {
    const path = join(dir, LOG_FILE);
    const size = fs.statSync(path).size;
    const start = Math.max(0, size - 8192);
    const fd = fs.openSync(path, 'r');
    try {
      const buffer = Buffer.alloc(size - start);
      fs.readSync(fd, buffer, 0, buffer.length, start);
      return buffer
        .toString('utf8')
        .trimEnd()
        .split('\n')
        .slice(-lines)
        .join('\n');
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return '';
  }
}
