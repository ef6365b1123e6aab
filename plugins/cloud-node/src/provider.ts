import {
  NodeStatus,
  RuntimeInfo,
  ScriptResult,
  StackSpec,
} from '@internal/plugin-cloud-common';

/** One node as a provider runs it. @public */
export interface ProviderNode {
  /** Stable within its stack, e.g. `app-2`. */
  name: string;
  role: string;
  /** The provider's own identifier of what runs the node. */
  resourceId: string;
  privateAddress?: string;
  publicAddress?: string;
  status: NodeStatus;
}

/** One stack as a provider runs it. @public */
export interface ProviderStack {
  stackId: string;
  name: string;
  region: string;
  /** `stopped` when every node was stopped on purpose. */
  state: 'running' | 'stopped';
  url?: string;
  nodes: ProviderNode[];
}

/** What the cloud backend asks a provider to deploy. @public */
export interface DeployStackRequest {
  /** Chosen by the inventory; deploying the same id twice deploys once. */
  stackId: string;
  /** DNS label of the stack, unique among live stacks. */
  name: string;
  region: string;
  spec: StackSpec;
}

/** Selects nodes of a stack; no names means every node. @public */
export interface NodeSelector {
  stackId: string;
  nodeNames?: string[];
}

/** A node whose figures are asked for. @public */
export interface NodeRef {
  stackId: string;
  nodeName: string;
}

/**
 * What a node uses at one moment, as the provider measures it. CPU time and
 * network bytes are counters since some start of the provider's choosing;
 * they go back to a lower value (usually 0) when the node restarts, which
 * the reader treats as a reset.
 *
 * @public
 */
export interface NodeMetricsSample {
  stackId: string;
  nodeName: string;
  /** When the figures were read, in milliseconds since the epoch. */
  timestamp: number;
  /** CPU time used by every process of the node, in seconds. */
  cpuSeconds: number;
  /** Resident memory of every process of the node, in bytes. */
  memoryBytes: number;
  /** Bytes the node holds on disk. */
  diskBytes: number;
  /** Bytes the node has received. */
  networkInBytes: number;
  /** Bytes the node has sent. */
  networkOutBytes: number;
}

/**
 * A place stacks run: the local host, a Kubernetes cluster, a cloud account.
 *
 * Every operation is idempotent, since the cloud backend retries them when it
 * reconciles after a crash.
 *
 * @public
 */
export interface CloudProvider {
  readonly id: string;
  readonly title: string;
  /**
   * Set when the provider's stacks live on one host, as the local
   * provider's do: the inventory records the host of each stack, and only
   * the provider of that host reconciles or operates it.
   */
  readonly hostId?: string;
  /**
   * Set when the provider's account may hold stacks of this store that the
   * inventory does not know (a cloud project shared with other tools or
   * stores): reconciliation reports them and never deletes them.
   */
  readonly keepsUnknownStacks?: boolean;
  /** The regions a stack may be placed in. */
  listRegions(): string[];
  /** The runtimes that roles may name; none means raw commands only. */
  listRuntimes?(): RuntimeInfo[];
  /**
   * Deploys a stack and resolves once every node is healthy; a node that
   * cannot become healthy ends it with a {@link NodeFailedError}, with
   * nothing of the stack left running.
   */
  deployStack(request: DeployStackRequest): Promise<ProviderStack>;
  /** The stack as it runs now, or undefined when the provider has no such stack. */
  getStack(stackId: string): Promise<ProviderStack | undefined>;
  startNodes(selector: NodeSelector): Promise<ProviderStack>;
  stopNodes(selector: NodeSelector): Promise<ProviderStack>;
  restartNodes(selector: NodeSelector): Promise<ProviderStack>;
  /** Deletes the stack and everything it holds; a missing stack is no error. */
  deleteStack(stackId: string): Promise<void>;
  /** Adds or removes nodes of a role until it has `count` nodes. */
  scaleRole(
    stackId: string,
    role: string,
    count: number,
  ): Promise<ProviderStack>;
  runScript(options: {
    stackId: string;
    nodeName: string;
    script: string;
    timeoutMs: number;
  }): Promise<ScriptResult>;
  /** The tail of a node's log. */
  getLogs(options: {
    stackId: string;
    nodeName: string;
    maxBytes?: number;
  }): Promise<string>;
  /** Every stack the provider holds, for reconciliation with the inventory. */
  listStacks(): Promise<ProviderStack[]>;
  /**
   * Reads the figures of running nodes, for monitoring. A node the provider
   * does not run, or runs no process of now, is left out of the answer
   * rather than failing it.
   */
  collectMetrics?(nodes: NodeRef[]): Promise<NodeMetricsSample[]>;
}
