import { LoggerService } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { dirname, join } from 'node:path';
import {
  AppliedLimits,
  createResourceLimiter,
  ResourceLimiter,
} from './limits';

const BWRAP = '/usr/bin/bwrap';
const SETPRIV = '/usr/bin/setpriv';
/** nobody:nogroup on Debian. */
export const SANDBOX_UID = 65534;

/** Pieces of /etc that programs need: name resolution, users, TLS roots, time. */
const ETC_FILES = [
  'alternatives',
  'ca-certificates',
  'group',
  'host.conf',
  'hosts',
  'ld.so.cache',
  'ld.so.conf',
  'ld.so.conf.d',
  'localtime',
  'mime.types',
  'nsswitch.conf',
  'passwd',
  'resolv.conf',
  'ssl/certs',
];

/** What to run in a sandbox. */
export interface SandboxSpec {
  /** Names the sandbox's cgroup, e.g. `<stackId>/<node>`. */
  id: string;
  /** The only writable folder; the working directory inside. */
  workDir: string;
  command: string[];
  /** The environment inside; only here, never in the launcher's. */
  env: Record<string, string>;
  limits: AppliedLimits;
  /** Host paths seen read-only at the same path inside. */
  readOnlyPaths: string[];
  hostname: string;
}

/**
 * How to start a sandbox: the argv, the launcher's own environment, the
 * options that bubblewrap reads from file descriptor 3 (so that the node's
 * environment is neither in the launcher's environment, where it would
 * steer programs that run as root, nor in its command line, which every
 * user of the host can read), and the release of its cgroups.
 */
export interface SandboxLaunch {
  file: string;
  args: string[];
  env: Record<string, string>;
  options: Buffer;
  release(): Promise<void>;
}

/** The file descriptor bubblewrap reads its options from. */
export const SANDBOX_OPTIONS_FD = 3;

/**
 * Runs commands under bubblewrap: a read-only system, one writable folder,
 * a private /tmp, its own pid namespace with a fresh /proc, uid and gid
 * 65534 in a user namespace, the host network, and memory and process
 * limits from cgroups (rlimits where no cgroup is writable).
 *
 * The launcher is `sh -c`, which puts itself into the cgroups and then
 * execs the sandbox, so that nothing of the node runs outside them; the
 * process keeps its environment and working directory, by which a leftover
 * of a crash is found again.
 */
export class Sandbox {
  private constructor(
    private readonly limiter: ResourceLimiter,
    private readonly runtimeDir: string,
    private readonly dropToNobody: boolean,
  ) {}

  /**
   * Checks that bubblewrap is there, picks how limits are enforced and ends
   * what a previous run of the same data folder left in its cgroups.
   */
  static async create(options: {
    dataDir: string;
    /** Host paths that nodes are given read-only, e.g. this module's assets. */
    readOnlyPaths: string[];
    logger: LoggerService;
  }): Promise<Sandbox> {
    let version: string;
    try {
      version = execFileSync(BWRAP, ['--version'], { encoding: 'utf8' }).trim();
    } catch {
      throw new Error(
        `The local provider runs nodes under bubblewrap, and ${BWRAP} is missing; install it with 'apt-get install bubblewrap'`,
      );
    }
    const name = `cloudstore-${createHash('sha256')
      .update(options.dataDir)
      .digest('hex')
      .slice(0, 12)}`;
    const limiter = createResourceLimiter(name);
    const swept = await limiter.sweep();
    if (swept) {
      options.logger.info(
        `Ended ${swept} leftover sandboxes of a previous run`,
      );
    }
    // the Node.js installation the backend runs: bin, lib and headers
    const runtimeDir = dirname(dirname(fs.realpathSync(process.execPath)));
    let dropToNobody = false;
    if (process.getuid?.() === 0) {
      // bubblewrap, run as nobody, binds paths that nobody can reach
      const unreachable = [
        options.dataDir,
        runtimeDir,
        ...options.readOnlyPaths,
      ]
        .map(unreachableAncestor)
        .find(Boolean);
      if (unreachable) {
        options.logger.warn(
          `${unreachable} is not reachable by uid ${SANDBOX_UID} (no o+x): local nodes run as uid ${SANDBOX_UID} in their user namespace but as root outside it; make it reachable to run them as nobody on the host too`,
        );
      }
      dropToNobody = !unreachable;
    }
    options.logger.info(
      `Local nodes run under ${version} as uid ${SANDBOX_UID}${
        dropToNobody ? ' on the host too' : ''
      }; memory and process limits through ${limiter.description}`,
    );
    return new Sandbox(limiter, runtimeDir, dropToNobody);
  }

  /** Makes a fresh folder writable by the sandbox user. */
  prepareWorkDir(dir: string) {
    fs.mkdirSync(dir, { recursive: true });
    if (this.dropToNobody) {
      chownTree(dir, SANDBOX_UID);
    }
  }

  /** Creates the cgroups of a sandbox and returns how to start it. */
  async launch(spec: SandboxSpec): Promise<SandboxLaunch> {
    const limits = await this.limiter.apply(spec.id, spec.limits);
    const args = [
      '-c',
      // echo $$: the shell joins the cgroups and execs, keeping its pid
      'n=$1; shift; while [ "$n" -gt 0 ]; do echo $$ > "$1" || exit 125; shift; n=$((n-1)); done; exec "$@"',
      'sandbox',
      String(limits.procsFiles.length),
      ...limits.procsFiles,
      ...(this.dropToNobody
        ? [
            SETPRIV,
            `--reuid=${SANDBOX_UID}`,
            `--regid=${SANDBOX_UID}`,
            '--clear-groups',
            '--',
          ]
        : []),
      ...limits.prefix,
      BWRAP,
      '--args',
      String(SANDBOX_OPTIONS_FD),
      '--',
      ...spec.command,
    ];
    const options = this.bwrapArgs(spec);
    if ([...options, ...spec.command].some(arg => arg.includes('\0'))) {
      // NUL separates the options: one inside a value would add options
      await limits.release();
      throw new InputError('Arguments and environment may not contain NUL');
    }
    return {
      file: '/bin/sh',
      args,
      env: { PATH: '/usr/bin:/bin' },
      options: Buffer.from(options.map(arg => `${arg}\0`).join('')),
      release: limits.release,
    };
  }

  /** Removes the provider's cgroups once nothing runs in them. */
  close() {
    this.limiter.close();
  }

  // No --die-with-parent: nodes outlive a backend that is killed, and the
  // next start ends them as leftovers. The sandbox's init stays in the
  // launcher's process group, so a signal to the group reaches it, and
  // with it every process of the sandbox's pid namespace.
  private bwrapArgs(spec: SandboxSpec): string[] {
    const args = [
      '--unshare-user',
      '--unshare-ipc',
      '--unshare-pid',
      '--unshare-uts',
      '--unshare-cgroup-try',
      '--uid',
      String(SANDBOX_UID),
      '--gid',
      String(SANDBOX_UID),
      '--hostname',
      spec.hostname,
      '--ro-bind',
      '/usr',
      '/usr',
    ];
    for (const dir of [
      '/bin',
      '/sbin',
      '/lib',
      '/lib32',
      '/lib64',
      '/libx32',
    ]) {
      let stat: fs.Stats;
      try {
        stat = fs.lstatSync(dir);
      } catch {
        continue;
      }
      if (stat.isSymbolicLink()) {
        args.push('--symlink', fs.readlinkSync(dir), dir);
      } else {
        args.push('--ro-bind', dir, dir);
      }
    }
    for (const file of ETC_FILES) {
      args.push('--ro-bind-try', join('/etc', file), join('/etc', file));
    }
    args.push('--proc', '/proc', '--dev', '/dev', '--tmpfs', '/tmp');
    // after /tmp, so that paths under the host's /tmp show through
    const readOnly = new Set([this.runtimeDir, ...spec.readOnlyPaths]);
    for (const path of readOnly) {
      if (!path.startsWith('/usr/')) {
        args.push('--ro-bind', path, path);
      }
    }
    args.push(
      '--bind',
      spec.workDir,
      spec.workDir,
      '--chdir',
      spec.workDir,
      '--clearenv',
    );
    const env: Record<string, string> = {
      ...spec.env,
      HOME: spec.workDir,
      PATH: `${join(this.runtimeDir, 'bin')}:/usr/local/bin:/usr/bin:/bin`,
    };
    for (const [name, value] of Object.entries(env)) {
      args.push('--setenv', name, value);
    }
    return args;
  }
}

/** The first folder on the way to `path` that others may not pass. */
export function unreachableAncestor(path: string): string | undefined {
  let current = '/';
  for (const part of path.split('/').filter(Boolean)) {
    current = join(current, part);
    try {
      const stat = fs.statSync(current);
      if (stat.isDirectory() && !(stat.mode & 0o001)) {
        return current;
      }
    } catch {
      return undefined;
    }
  }
  return undefined;
}

function chownTree(path: string, uid: number) {
  fs.chownSync(path, uid, uid);
  for (const entry of fs.readdirSync(path, { withFileTypes: true })) {
    const child = join(path, entry.name);
    if (entry.isDirectory()) {
      chownTree(child, uid);
    } else {
      fs.lchownSync(child, uid, uid);
    }
  }
}
