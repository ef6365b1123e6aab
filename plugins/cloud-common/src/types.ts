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
 * A `process` role runs `command` in each node's working directory; a
 * `load-balancer` role is a reverse proxy over the healthy nodes of the role
 * it `balances`.
 *
 * @public
 */
export interface RoleSpec {
  name: string;
  kind?: 'process' | 'load-balancer';
  count: number;
  /** argv; a leading `node` means the Node.js runtime of the provider. */
  command?: string[];
  env?: Record<string, string>;
  /** Files written into each node's working directory, by relative path. */
  files?: Record<string, string>;
  /** Path answered with 2xx when the node is healthy; defaults to `/`. */
  healthPath?: string;
  /** For a load balancer: the role whose nodes it balances. */
  balances?: string;
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
}

/** The outcome of a script run on a node. @public */
export interface ScriptResult {
  exitCode: number | null;
  timedOut: boolean;
  output: string;
  durationMs: number;
}
