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

/** Every process below `pid` in the process tree. */
export function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of fs.readdirSync('/proc')) {
    const child = Number(entry);
    if (!child) {
      continue;
    }
    try {
      const stat = fs.readFileSync(`/proc/${child}/stat`, 'utf8');
      const parent = Number(
        stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1],
      );
      children.set(parent, [...(children.get(parent) ?? []), child]);
    } catch {
      // gone meanwhile
    }
  }
  const found: number[] = [];
  const visit = (p: number) => {
    for (const child of children.get(p) ?? []) {
      found.push(child);
      visit(child);
    }
  };
  visit(pid);
  return found;
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
