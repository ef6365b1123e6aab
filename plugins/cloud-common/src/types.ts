import { StackLimits, StackSpec } from './schema';

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

/** A runtime that roles of a provider may name. @public */
export type RuntimeInfo = {
  name: string;
  title: string;
  description?: string;
};

/**
 * The annotation of the catalog's Resource entities that mirror stacks: the
 * id of the stack, which the cloud API's routes take.
 *
 * @public
 */
export const ANNOTATION_CLOUD_STACK_ID = 'cloudstore.io/stack-id';

/** A stack as the inventory knows it. @public */
export type Stack = {
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
  /** Limits of the plan the stack was ordered on, if it was. */
  limits?: StackLimits;
  createdBy: string;
  createdAt: string;
  deletedBy?: string;
  deletedAt?: string;
};

/** A node as the inventory knows it. @public */
export type CloudNode = {
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
};

/** A stack together with its nodes. @public */
export type StackDetails = Stack & {
  nodes: CloudNode[];
};

/** Who created and deleted a stack or node, where and when. @public */
export type UsageRecord = {
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
};

/** A provider and the regions it offers. @public */
export type CloudProviderInfo = {
  id: string;
  title: string;
  regions: string[];
  /** The runtimes roles may name on this provider. */
  runtimes?: RuntimeInfo[];
};

/** The outcome of a script run on a node. @public */
export type ScriptResult = {
  exitCode: number | null;
  timedOut: boolean;
  output: string;
  durationMs: number;
};

/**
 * A metric of nodes: `cpu` in percent of one core, `memory` and `disk` in
 * bytes, `networkIn` and `networkOut` in bytes per second.
 *
 * @public
 */
export type MetricName = 'cpu' | 'memory' | 'disk' | 'networkIn' | 'networkOut';

/** Every {@link MetricName}. @public */
export const METRIC_NAMES: MetricName[] = [
  'cpu',
  'memory',
  'disk',
  'networkIn',
  'networkOut',
];

/** How finely metrics are kept: raw samples or rollups. @public */
export type MetricResolution = 'raw' | '1m' | '1h' | '1d';

/** One bucket of a metric (one sample at the raw resolution). @public */
export type MetricPoint = {
  /** The start of the bucket, or the time of the sample, as ISO time. */
  time: string;
  count: number;
  avg: number;
  min: number;
  max: number;
};

/** The points of one metric of one node. @public */
export type MetricSeries = {
  nodeName: string;
  metric: MetricName;
  points: MetricPoint[];
};

/** The ranges metrics may be asked for, up to now. @public */
export type MetricRange = '1h' | '1d' | '7d' | '30d';

/** Every {@link MetricRange}, shortest first. @public */
export const METRIC_RANGES: MetricRange[] = ['1h', '1d', '7d', '30d'];

/**
 * The metrics of a stack or a node over a span, at the resolution the
 * backend chose for it.
 *
 * @public
 */
export type MetricsResult = {
  resolution: MetricResolution;
  from: string;
  to: string;
  /** One series per node and metric. */
  series: MetricSeries[];
};

/**
 * The rules an alert may come from: CPU above a share of one core, memory
 * above a share of the node's limit, and a node that stopped reporting.
 *
 * @public
 */
export type MetricAlertRule = 'cpu' | 'memory' | 'not-reporting';

/** An alert on a node, firing or resolved. @public */
export type MetricAlert = {
  id: string;
  stackId: string;
  nodeName: string;
  rule: MetricAlertRule;
  state: 'firing' | 'resolved';
  message: string;
  /** When the condition began, before it held long enough to fire. */
  since: string;
  firedAt: string;
  resolvedAt?: string;
};

/** How one node is doing, as the monitoring overview shows it. @public */
export type MonitoredNode = {
  stackId: string;
  stackName: string;
  owner: string;
  nodeName: string;
  /** When the node last reported; absent when it never did. */
  reportedAt?: string;
  /** Average CPU of the last five minutes, in percent of one core. */
  cpu?: number;
  memoryBytes?: number;
  /** The node's memory limit, from its plan or its role. */
  memoryLimitBytes?: number;
};

/** What admins see of every node at once. @public */
export type MonitoringOverview = {
  /** The nodes using the most CPU, busiest first. */
  busiest: MonitoredNode[];
  /** Nodes using most of their memory limit, fullest first. */
  nearLimits: MonitoredNode[];
  /** Running nodes that have not reported lately. */
  notReporting: MonitoredNode[];
  /** Every firing alert, newest first. */
  alerts: Array<MetricAlert & { stackName: string; owner: string }>;
};
