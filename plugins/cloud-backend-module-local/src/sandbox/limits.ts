import { NodeLimits } from '@internal/plugin-cloud-common';
import fs from 'node:fs';
import { join } from 'node:path';

/** Limits with every field set, as the sandbox applies them. */
export type AppliedLimits = Required<NodeLimits>;

/**
 * How the memory and process limits of one sandbox are enforced: the
 * files the launcher writes its pid to before it execs the sandbox (the
 * cgroups), or a command prefix that sets rlimits.
 */
export interface LimitsHandle {
  procsFiles: string[];
  prefix: string[];
  /** Kills what is left in the cgroups and removes them. */
  release(): Promise<void>;
}

/** A way to enforce limits on a host. */
export interface ResourceLimiter {
  /** Says what enforces the limits, for the start-up log. */
  readonly description: string;
  apply(id: string, limits: AppliedLimits): Promise<LimitsHandle>;
  /** Kills and removes every cgroup left by a previous run. */
  sweep(): Promise<number>;
  /** Removes the provider's own cgroups once nothing is in them. */
  close(): void;
}

const CGROUP_ROOT = '/sys/fs/cgroup';

/** The cgroup of this process in each hierarchy, as /proc/self/cgroup says. */
function ownCgroups(): Map<string, string> {
  const result = new Map<string, string>();
  for (const line of fs.readFileSync('/proc/self/cgroup', 'utf8').split('\n')) {
    const match = /^\d+:([^:]*):(.*)$/.exec(line);
    if (match) {
      for (const controller of match[1].split(',')) {
        result.set(controller, match[2]);
      }
    }
  }
  return result;
}

function isCgroupMount(path: string, type: 'cgroup' | 'cgroup2') {
  const mounts = fs.readFileSync('/proc/self/mounts', 'utf8').split('\n');
  return mounts.some(line => {
    const [, mountPoint, fsType] = line.split(' ');
    return mountPoint === path && fsType === type;
  });
}

function pidsIn(dir: string): number[] {
  try {
    return fs
      .readFileSync(join(dir, 'cgroup.procs'), 'utf8')
      .split('\n')
      .map(Number)
      .filter(Boolean);
  } catch {
    return [];
  }
}

/** Kills every process of a cgroup and removes it; true when it existed. */
async function removeCgroup(dir: string): Promise<boolean> {
  if (!fs.existsSync(dir)) {
    return false;
  }
  for (let attempt = 0; attempt < 50; attempt++) {
    for (const pid of pidsIn(dir)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    try {
      fs.rmdirSync(dir);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        return true;
      }
      // EBUSY while the killed processes are still being torn down
      await new Promise(resolve => setTimeout(resolve, 20));
    }
  }
  return false;
}

function cgroupName(id: string) {
  return id.replace(/[^A-Za-z0-9_.-]/g, '_');
}

/** cgroup v1: one folder per sandbox in the memory and in the pids hierarchy. */
class CgroupV1Limiter implements ResourceLimiter {
  private constructor(
    private readonly memoryDir: string,
    private readonly pidsDir: string,
  ) {}

  static tryCreate(name: string): CgroupV1Limiter | undefined {
    const memoryRoot = join(CGROUP_ROOT, 'memory');
    const pidsRoot = join(CGROUP_ROOT, 'pids');
    if (
      !isCgroupMount(memoryRoot, 'cgroup') ||
      !isCgroupMount(pidsRoot, 'cgroup')
    ) {
      return undefined;
    }
    const own = ownCgroups();
    // under our own cgroups, so that whatever limits the backend also
    // limits its nodes
    const memoryDir = join(memoryRoot, own.get('memory') ?? '/', name);
    const pidsDir = join(pidsRoot, own.get('pids') ?? '/', name);
    try {
      fs.mkdirSync(memoryDir, { recursive: true });
      fs.mkdirSync(pidsDir, { recursive: true });
      fs.accessSync(join(memoryDir, 'cgroup.procs'), fs.constants.W_OK);
      fs.accessSync(join(pidsDir, 'cgroup.procs'), fs.constants.W_OK);
    } catch {
      return undefined;
    }
    return new CgroupV1Limiter(memoryDir, pidsDir);
  }

  get description() {
    return `cgroup v1 (${this.memoryDir}, ${this.pidsDir})`;
  }

  async apply(id: string, limits: AppliedLimits): Promise<LimitsHandle> {
    const memory = join(this.memoryDir, cgroupName(id));
    const pids = join(this.pidsDir, cgroupName(id));
    await removeCgroup(memory);
    await removeCgroup(pids);
    fs.mkdirSync(memory);
    fs.mkdirSync(pids);
    const bytes = String(limits.memoryMb * 1024 * 1024);
    fs.writeFileSync(join(memory, 'memory.limit_in_bytes'), bytes);
    try {
      // swap counts too where the kernel accounts for it
      fs.writeFileSync(join(memory, 'memory.memsw.limit_in_bytes'), bytes);
    } catch {
      // no swap accounting on this host
    }
    fs.writeFileSync(join(pids, 'pids.max'), String(limits.processes));
    return {
      procsFiles: [join(memory, 'cgroup.procs'), join(pids, 'cgroup.procs')],
      prefix: [],
      release: async () => {
        await removeCgroup(memory);
        await removeCgroup(pids);
      },
    };
  }

  async sweep() {
    let swept = 0;
    for (const dir of [this.memoryDir, this.pidsDir]) {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        if (
          entry.isDirectory() &&
          (await removeCgroup(join(dir, entry.name)))
        ) {
          swept += 1;
        }
      }
    }
    return swept;
  }

  close() {
    for (const dir of [this.memoryDir, this.pidsDir]) {
      try {
        fs.rmdirSync(dir);
      } catch {
        // still in use by another provider on the same folder, or gone
      }
    }
  }
}

/** cgroup v2: one folder per sandbox with memory.max and pids.max. */
class CgroupV2Limiter implements ResourceLimiter {
  private constructor(private readonly dir: string) {}

  static tryCreate(name: string): CgroupV2Limiter | undefined {
    let root: string;
    if (isCgroupMount(CGROUP_ROOT, 'cgroup2')) {
      root = CGROUP_ROOT;
    } else if (isCgroupMount(join(CGROUP_ROOT, 'unified'), 'cgroup2')) {
      root = join(CGROUP_ROOT, 'unified');
    } else {
      return undefined;
    }
    try {
      const controllers = fs
        .readFileSync(join(root, 'cgroup.controllers'), 'utf8')
        .split(/\s+/);
      if (!controllers.includes('memory') || !controllers.includes('pids')) {
        return undefined;
      }
      const parent = join(root, ownCgroups().get('') ?? '/');
      const dir = join(parent, name);
      fs.mkdirSync(dir, { recursive: true });
      // Fails while the parent holds processes other than at the root
      // (cgroup v2 has no internal processes): then rlimits it is.
      fs.writeFileSync(join(parent, 'cgroup.subtree_control'), '+memory +pids');
      fs.writeFileSync(join(dir, 'cgroup.subtree_control'), '+memory +pids');
      return new CgroupV2Limiter(dir);
    } catch {
      return undefined;
    }
  }

  get description() {
    return `cgroup v2 (${this.dir})`;
  }

  async apply(id: string, limits: AppliedLimits): Promise<LimitsHandle> {
    const dir = join(this.dir, cgroupName(id));
    await removeCgroup(dir);
    fs.mkdirSync(dir);
    fs.writeFileSync(
      join(dir, 'memory.max'),
      String(limits.memoryMb * 1024 * 1024),
    );
    try {
      fs.writeFileSync(join(dir, 'memory.swap.max'), '0');
    } catch {
      // no swap accounting on this host
    }
    fs.writeFileSync(join(dir, 'pids.max'), String(limits.processes));
    return {
      procsFiles: [join(dir, 'cgroup.procs')],
      prefix: [],
      release: async () => {
        await removeCgroup(dir);
      },
    };
  }

  async sweep() {
    let swept = 0;
    for (const entry of fs.readdirSync(this.dir, { withFileTypes: true })) {
      if (
        entry.isDirectory() &&
        (await removeCgroup(join(this.dir, entry.name)))
      ) {
        swept += 1;
      }
    }
    return swept;
  }

  close() {
    try {
      fs.rmdirSync(this.dir);
    } catch {
      // still in use, or gone
    }
  }
}

/**
 * Without a writable cgroup: rlimits, set by util-linux's prlimit. The data
 * limit bounds the heap; the process limit counts every process of the
 * sandbox user, so it is looser than a cgroup's.
 */
class RlimitLimiter implements ResourceLimiter {
  readonly description =
    'rlimits (no writable cgroup: RLIMIT_DATA, RLIMIT_NPROC)';

  async apply(_id: string, limits: AppliedLimits): Promise<LimitsHandle> {
    return {
      procsFiles: [],
      prefix: [
        '/usr/bin/prlimit',
        `--data=${limits.memoryMb * 1024 * 1024}`,
        `--nproc=${limits.processes}`,
        '--',
      ],
      release: async () => {},
    };
  }

  async sweep() {
    return 0;
  }

  close() {}
}

/**
 * Picks how limits are enforced on this host: cgroup v1 memory and pids
 * controllers, else cgroup v2, else rlimits.
 */
export function createResourceLimiter(name: string): ResourceLimiter {
  return (
    CgroupV1Limiter.tryCreate(name) ??
    CgroupV2Limiter.tryCreate(name) ??
    new RlimitLimiter()
  );
}
