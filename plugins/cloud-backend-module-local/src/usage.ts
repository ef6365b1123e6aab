import fs from 'node:fs';
import { join } from 'node:path';

/**
 * Bytes a folder takes on disk, as `du` counts them: the blocks of every
 * file and folder below it. Entries that vanish during the walk are skipped.
 */
export async function diskBytes(dir: string): Promise<number> {
  let bytes = 0;
  const pending = [dir];
  while (pending.length > 0) {
    const current = pending.pop()!;
    let entries: fs.Dirent[];
    try {
      bytes += (await fs.promises.lstat(current)).blocks * 512;
      entries = await fs.promises.readdir(current, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const entry of entries) {
      const path = join(current, entry.name);
      if (entry.isDirectory()) {
        pending.push(path);
        continue;
      }
      try {
        bytes += (await fs.promises.lstat(path)).blocks * 512;
      } catch {
        // removed meanwhile
      }
    }
  }
  return bytes;
}

/**
 * The CPU time of a node as one counter over the process trees that come
 * and go on it (its process, restarted after a crash; the scripts run on
 * it): a tree that ended keeps counting with its last reading.
 */
export class CpuCounter {
  private retired = 0;
  private readonly last = new Map<number, number>();

  /** Takes the seconds of the trees running now, by root pid; the total. */
  update(running: Map<number, number>): number {
    for (const [pid, seconds] of this.last) {
      if (!running.has(pid)) {
        this.retired += seconds;
        this.last.delete(pid);
      }
    }
    let total = this.retired;
    for (const [pid, seconds] of running) {
      // a tree's children that exited unwaited take their time with them
      const kept = Math.max(seconds, this.last.get(pid) ?? 0);
      this.last.set(pid, kept);
      total += kept;
    }
    return total;
  }
}
