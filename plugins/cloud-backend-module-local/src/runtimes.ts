import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';
import {
  LOAD_BALANCER_RUNTIME,
  NodeLimits,
  RoleSpec,
  RuntimeInfo,
} from '@internal/plugin-cloud-common';
import { createRequire } from 'node:module';
import { dirname, join, posix } from 'node:path';
import { AppliedLimits } from './sandbox/limits';

/** A runtime as admins configure it under `cloud.local.runtimes`. @public */
export interface LocalRuntimeConfig {
  title: string;
  description?: string;
  /**
   * The argv; `{entry}` is replaced by the role's entry file, `{node}` by
   * the Node.js the backend runs and `{assets}` by this module's assets.
   */
  command: string[];
  /** The entry when a role names none. */
  defaultEntry?: string;
  /** Path answered with 2xx when a node is healthy. */
  healthPath?: string;
  /** Limits of each node unless its role sets them. */
  limits?: NodeLimits;
  /** Host paths the nodes see read-only, e.g. an interpreter's folder. */
  readOnlyPaths?: string[];
}

/** How one node of a role is started. */
export interface NodeLaunchSpec {
  command: string[];
  healthPath: string;
  limits: AppliedLimits;
  readOnlyPaths: string[];
}

const ASSETS = resolvePackagePath(
  '@internal/plugin-cloud-backend-module-local',
  'assets',
);

/** Built-in limits, when neither the role, the runtime nor config set any. */
export const DEFAULT_LIMITS: AppliedLimits = { memoryMb: 512, processes: 128 };

/** The runtimes offered when `cloud.local.runtimes` is absent. */
export const DEFAULT_RUNTIMES: Record<string, LocalRuntimeConfig> = {
  node: {
    title: 'Node.js',
    description: `Runs the entry file with Node.js ${process.version}`,
    command: ['{node}', '{entry}'],
    defaultEntry: 'index.js',
    healthPath: '/',
  },
  static: {
    title: 'Static files',
    description:
      "Serves the role's files over HTTP, the entry file (index.html) at /",
    command: ['{node}', '{assets}/staticServer.js', '{entry}'],
    defaultEntry: 'index.html',
    healthPath: '/',
  },
  [LOAD_BALANCER_RUNTIME]: {
    title: 'Load balancer',
    description:
      'An HTTP and WebSocket reverse proxy over the healthy nodes of the role it balances',
    command: ['{node}', '{assets}/loadBalancer.js'],
    healthPath: '/__lb/health',
  },
};

/**
 * The folders of a package and of its dependencies, which a script of ours
 * that requires it needs to see in the sandbox.
 */
function packageClosure(name: string, from: string, seen = new Set<string>()) {
  const require = createRequire(join(from, 'noop.js'));
  let dir: string;
  try {
    dir = dirname(require.resolve(`${name}/package.json`));
  } catch {
    return seen;
  }
  if (seen.has(dir)) {
    return seen;
  }
  seen.add(dir);
  const pkg = require(`${name}/package.json`);
  for (const dependency of Object.keys(pkg.dependencies ?? {})) {
    packageClosure(dependency, dir, seen);
  }
  return seen;
}

function readLimits(config?: Config): NodeLimits | undefined {
  if (!config) {
    return undefined;
  }
  return {
    memoryMb: config.getOptionalNumber('memoryMb'),
    processes: config.getOptionalNumber('processes'),
  };
}

/**
 * The runtimes of the local provider: what a role's `runtime` and `entry`
 * turn into, checked before anything starts.
 */
export class Runtimes {
  private constructor(
    private readonly runtimes: Record<string, LocalRuntimeConfig>,
    private readonly defaults: AppliedLimits,
  ) {}

  static create(options: {
    runtimes?: Record<string, LocalRuntimeConfig>;
    limits?: NodeLimits;
  }): Runtimes {
    return new Runtimes(options.runtimes ?? DEFAULT_RUNTIMES, {
      memoryMb: options.limits?.memoryMb ?? DEFAULT_LIMITS.memoryMb,
      processes: options.limits?.processes ?? DEFAULT_LIMITS.processes,
    });
  }

  /** Reads `cloud.local.runtimes`, keyed by runtime name. */
  static readConfig(
    config?: Config,
  ): Record<string, LocalRuntimeConfig> | undefined {
    if (!config) {
      return undefined;
    }
    const runtimes: Record<string, LocalRuntimeConfig> = {};
    for (const name of config.keys()) {
      const runtime = config.getConfig(name);
      runtimes[name] = {
        title: runtime.getString('title'),
        description: runtime.getOptionalString('description'),
        command: runtime.getStringArray('command'),
        defaultEntry: runtime.getOptionalString('defaultEntry'),
        healthPath: runtime.getOptionalString('healthPath'),
        limits: readLimits(runtime.getOptionalConfig('limits')),
        readOnlyPaths: runtime.getOptionalStringArray('readOnlyPaths'),
      };
    }
    return runtimes;
  }

  /** Reads the provider's default limits from `cloud.local.limits`. */
  static readLimits(config?: Config) {
    return readLimits(config);
  }

  /** Every host path that some runtime gives its nodes read-only. */
  readOnlyPaths(): string[] {
    const paths = new Set<string>();
    for (const runtime of Object.values(this.runtimes)) {
      this.runtimePaths(runtime).forEach(path => paths.add(path));
    }
    return [...paths];
  }

  list(): RuntimeInfo[] {
    return Object.entries(this.runtimes).map(([name, runtime]) => ({
      name,
      title: runtime.title,
      description: runtime.description,
    }));
  }

  /** Checks every role of a spec; throws what the first bad one lacks. */
  check(roles: RoleSpec[]) {
    for (const role of roles) {
      this.resolve(role);
    }
  }

  /** What runs for each node of a role; an InputError for a bad role. */
  resolve(role: RoleSpec): NodeLaunchSpec {
    for (const [name, value] of Object.entries(role.env ?? {})) {
      if (name.includes('\0') || String(value).includes('\0')) {
        throw new InputError(`Role '${role.name}': env may not contain NUL`);
      }
    }
    if (role.command) {
      // a raw command, which the cloud backend accepts only from callers
      // trusted with it; it still runs in the sandbox
      return {
        command: role.command.map((arg, i) =>
          i === 0 && arg === 'node' ? process.execPath : arg,
        ),
        healthPath: role.healthPath ?? '/',
        limits: this.limits(role.limits),
        readOnlyPaths: [],
      };
    }
    const runtime = role.runtime ? this.runtimes[role.runtime] : undefined;
    if (!runtime) {
      throw new InputError(
        `Role '${role.name}' names the runtime '${
          role.runtime
        }', which the local provider does not offer; it offers ${Object.keys(
          this.runtimes,
        ).join(', ')}`,
      );
    }
    const usesEntry = runtime.command.some(arg => arg.includes('{entry}'));
    const entry = role.entry ?? runtime.defaultEntry;
    if (usesEntry) {
      const files = Object.keys(role.files ?? {}).map(f => posix.normalize(f));
      if (!entry || !files.includes(posix.normalize(entry))) {
        throw new InputError(
          `Role '${role.name}': the entry '${entry ?? ''}' of runtime '${
            role.runtime
          }' is not one of the role's files`,
        );
      }
    }
    const command = runtime.command.map(arg =>
      arg
        .replace(/\{entry\}/g, entry ?? '')
        .replace(/\{node\}/g, process.execPath)
        .replace(/\{assets\}/g, ASSETS),
    );
    return {
      command,
      healthPath: role.healthPath ?? runtime.healthPath ?? '/',
      limits: this.limits(role.limits, runtime.limits),
      readOnlyPaths: this.runtimePaths(runtime),
    };
  }

  private runtimePaths(runtime: LocalRuntimeConfig): string[] {
    const paths = [...(runtime.readOnlyPaths ?? [])];
    if (runtime.command.some(arg => arg.includes('{assets}'))) {
      // our scripts, and the proxy library the load balancer requires
      paths.push(ASSETS, ...packageClosure('http-proxy-3', ASSETS));
    }
    return paths;
  }

  private limits(role?: NodeLimits, runtime?: NodeLimits): AppliedLimits {
    return {
      memoryMb: role?.memoryMb ?? runtime?.memoryMb ?? this.defaults.memoryMb,
      processes:
        role?.processes ?? runtime?.processes ?? this.defaults.processes,
    };
  }
}
