/** Lifecycle state of a stack in the inventory. @public */
export type StackStatus =
  | 'pending'
  | 'deploying'
  | 'running'
  | 'degraded'
  | 'stopped'
  | 'deleting'
  | 'deleted'
  | 'failed';

/** Lifecycle state of one node. @public */
export type NodeStatus =
  | 'pending'
  | 'starting'
  | 'running'
  | 'unhealthy'
  | 'stopped'
  | 'failed'
  | 'deleted';

/**
 * One role of a stack: a group of identical nodes.
 *
 * A role names a `runtime` from the list the provider's admins configure
 * (for the local provider e.g. `node`, `static`, `load-balancer`); the
 * runtime decides what runs and how its health is checked, and `entry` picks
 * the file it starts among the role's `files`. A raw `command` is accepted
 * only from a service principal (the scaffolder running a template) or with
 * the `cloud.command.use` permission. A role has a runtime or a command,
 * never both. A `load-balancer` role is a reverse proxy over the healthy
 * nodes of the role it `balances`.
 *
 * @public
 */
export interface RoleSpec {
  name: string;
  /** A runtime the provider offers, e.g. `node`. */
  runtime?: string;
  /** The file, relative to the node's folder, that the runtime starts. */
  entry?: string;
  count: number;
  /** Raw argv, for trusted callers only; see above. */
  command?: string[];
  env?: Record<string, string>;
  /** Files written into each node's working directory, by relative path. */
  files?: Record<string, string>;
  /** Path answered with 2xx when the node is healthy; the runtime's by default. */
  healthPath?: string;
  /** For a load balancer: the role whose nodes it balances. */
  balances?: string;
  /** Limits of each node, from the plan; the provider's defaults otherwise. */
  limits?: NodeLimits;
}

/** What one node may use. @public */
export interface NodeLimits {
  /** Memory in MiB. */
  memoryMb?: number;
  /** Processes and threads at once. */
  processes?: number;
}

/** A runtime that roles of a provider may name. @public */
export interface RuntimeInfo {
  name: string;
  title: string;
  description?: string;
}

/** What a stack is made of; roles start in the order given. @public */
export interface StackSpec {
  roles: RoleSpec[];
  /** The role whose first node answers the stack's public URL. */
  entryRole?: string;
}

/** A stack as the inventory knows it. @public */
export interface Stack {
  id: string;
  name: string;
  owner: string;
  template?: string;
  provider: string;
  region: string;
  status: StackStatus;
  url?: string;
  error?: string;
  spec: StackSpec;
  createdBy: string;
  createdAt: string;
  deletedBy?: string;
  deletedAt?: string;
}

/** A node as the inventory knows it. @public */
export interface CloudNode {
  id: string;
  stackId: string;
  /** Unique within the stack, e.g. `app-2`. */
  name: string;
  role: string;
  provider: string;
  region: string;
  providerResourceId?: string;
  privateAddress?: string;
  publicAddress?: string;
  status: NodeStatus;
  createdBy: string;
  createdAt: string;
  deletedBy?: string;
  deletedAt?: string;
}

/** A stack together with its nodes. @public */
export interface StackDetails extends Stack {
  nodes: CloudNode[];
}

/** Who created and deleted a stack or node, where and when. @public */
export interface UsageRecord {
  kind: 'stack' | 'node';
  id: string;
  stackId: string;
  stackName: string;
  role?: string;
  owner: string;
  provider: string;
  region: string;
  providerResourceId?: string;
  createdBy: string;
  createdAt: string;
  deletedBy?: string;
  deletedAt?: string;
}

/** A provider and the regions it offers. @public */
export interface CloudProviderInfo {
  id: string;
  title: string;
  regions: string[];
  /** The runtimes roles may name on this provider. */
  runtimes?: RuntimeInfo[];
}

/** The outcome of a script run on a node. @public */
export interface ScriptResult {
  exitCode: number | null;
  timedOut: boolean;
  output: string;
  durationMs: number;
}
