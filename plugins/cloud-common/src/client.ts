import { ResponseError } from '@backstage/errors';
import { CreateStackRequest, StackLimits } from './schema';
import {
  CloudProviderInfo,
  MetricAlert,
  MetricName,
  MetricRange,
  MetricResolution,
  MetricsResult,
  MonitoringOverview,
  ScriptResult,
  Stack,
  StackDetails,
  StackStatus,
  UsageRecord,
} from './types';

/**
 * Which page of a list to read: at most `limit` items (50 when absent, 500
 * at most), after `cursor`, the `nextCursor` of the page before.
 *
 * @public
 */
export interface PageRequest {
  limit?: number;
  cursor?: string;
}

/**
 * One page of a list, newest first, and where the next page starts; no
 * `nextCursor` on the last page.
 *
 * @public
 */
export interface CursorPage<T> {
  items: T[];
  nextCursor?: string;
}

/** Filters of the stack list. @public */
export interface StackListFilter {
  owner?: string;
  status?: StackStatus | string;
  provider?: string;
  region?: string;
  template?: string;
  createdBy?: string;
  includeDeleted?: boolean;
}

/** Filters of the usage records. @public */
export interface UsageListFilter {
  kind?: 'stack' | 'node' | string;
  provider?: string;
  region?: string;
  user?: string;
  owner?: string;
  stackId?: string;
  /** ISO time */
  from?: string;
  /** ISO time */
  to?: string;
}

/**
 * Which metrics to read: the last `range`, or the span `from` to `to` (ISO
 * times); the resolution is chosen from the span unless given.
 *
 * @public
 */
export interface MetricsQuery {
  range?: MetricRange;
  from?: string;
  to?: string;
  resolution?: MetricResolution;
  /** Only these metrics; every one when absent. */
  metric?: MetricName[];
}

/** A lifecycle operation on some or all nodes of a stack. @public */
export type NodeOperation = 'start' | 'stop' | 'restart';

/**
 * Options of one call. In a backend, `token` is a token for the cloud
 * plugin (from `auth.getPluginRequestToken`); in the browser the fetch API
 * adds the user's. `idempotencyKey` makes a mutation safe to send again.
 *
 * @public
 */
export interface CloudRequestOptions {
  token?: string;
  idempotencyKey?: string;
}

/** The cloud API, as the typed client offers it. @public */
export interface CloudApi {
  listProviders(options?: CloudRequestOptions): Promise<CloudProviderInfo[]>;
  /** A page of the stacks the caller may read, newest first. */
  listStacks(
    filter?: StackListFilter & PageRequest,
    options?: CloudRequestOptions,
  ): Promise<CursorPage<Stack>>;
  getStack(
    stackId: string,
    options?: CloudRequestOptions,
  ): Promise<StackDetails>;
  createStack(
    request: CreateStackRequest,
    options?: CloudRequestOptions,
  ): Promise<StackDetails>;
  deleteStack(
    stackId: string,
    options?: CloudRequestOptions,
  ): Promise<StackDetails>;
  operate(
    stackId: string,
    operation: NodeOperation,
    nodes?: string[],
    options?: CloudRequestOptions,
  ): Promise<StackDetails>;
  scale(
    stackId: string,
    role: string,
    count: number,
    options?: CloudRequestOptions,
  ): Promise<StackDetails>;
  /**
   * Replaces the limits a stack carries from its plan (permission
   * `cloud.stack.limits.manage`); `{}` lifts them.
   */
  setStackLimits(
    stackId: string,
    limits: StackLimits,
    options?: CloudRequestOptions,
  ): Promise<StackDetails>;
  runScript(
    stackId: string,
    node: string,
    script: string,
    timeoutSeconds?: number,
    options?: CloudRequestOptions,
  ): Promise<ScriptResult>;
  getLogs(
    stackId: string,
    node: string,
    options?: CloudRequestOptions,
  ): Promise<string>;
  /** A page of the usage records, newest first. */
  listUsage(
    filter?: UsageListFilter & PageRequest,
    options?: CloudRequestOptions,
  ): Promise<CursorPage<UsageRecord>>;
  /** The URL of every usage record as CSV, e.g. for a download link. */
  usageCsvUrl(filter?: UsageListFilter): Promise<string>;
  exportUsageCsv(
    filter?: UsageListFilter,
    options?: CloudRequestOptions,
  ): Promise<string>;
  /** The metrics of every node of a stack. */
  getStackMetrics(
    stackId: string,
    query?: MetricsQuery,
    options?: CloudRequestOptions,
  ): Promise<MetricsResult>;
  /** The metrics of one node of a stack. */
  getNodeMetrics(
    stackId: string,
    node: string,
    query?: MetricsQuery,
    options?: CloudRequestOptions,
  ): Promise<MetricsResult>;
  /** A page of the firing and resolved alerts of a stack's nodes, newest first. */
  listStackAlerts(
    stackId: string,
    page?: PageRequest,
    options?: CloudRequestOptions,
  ): Promise<CursorPage<MetricAlert>>;
  /** Every node at once, for admins (`cloud.metrics.read`). */
  getMonitoringOverview(
    options?: CloudRequestOptions,
  ): Promise<MonitoringOverview>;
}

/** Options of {@link CloudApiClient}. @public */
export interface CloudApiClientOptions {
  discoveryApi: { getBaseUrl(pluginId: string): Promise<string> };
  /** Defaults to the global fetch. */
  fetchApi?: { fetch: typeof fetch };
}

function query(filter: object) {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(filter)) {
    if (Array.isArray(value)) {
      // An array parameter of the contract is the key repeated (form style).
      value.forEach(item => params.append(key, String(item)));
    } else if (value !== undefined && value !== '' && value !== false) {
      params.set(key, String(value));
    }
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** A ResponseError whose message says what the cloud backend answered. */
async function responseError(response: Response): Promise<ResponseError> {
  const error = await ResponseError.fromResponse(response);
  error.message = `${error.message}: ${error.cause.message}`;
  return error;
}

function stackPath(stackId: string, ...rest: string[]) {
  return ['/stacks', stackId, ...rest]
    .map((part, i) => (i === 0 ? part : encodeURIComponent(part)))
    .join('/');
}

/**
 * The client of the cloud API, for the browser and for backends alike: the
 * frontend plugin, the scaffolder actions and the catalog module all use it.
 *
 * @public
 */
export class CloudApiClient implements CloudApi {
  private readonly discoveryApi: CloudApiClientOptions['discoveryApi'];
  private readonly fetchApi: { fetch: typeof fetch };

  constructor(options: CloudApiClientOptions) {
    this.discoveryApi = options.discoveryApi;
    this.fetchApi = options.fetchApi ?? { fetch: (...a) => fetch(...a) };
  }

  async listProviders(options?: CloudRequestOptions) {
    const body = await this.call<{ items: CloudProviderInfo[] }>(
      'GET',
      '/providers',
      options,
    );
    return body.items;
  }

  listStacks(
    filter: StackListFilter & PageRequest = {},
    options?: CloudRequestOptions,
  ) {
    return this.call<CursorPage<Stack>>(
      'GET',
      `/stacks${query(filter)}`,
      options,
    );
  }

  getStack(stackId: string, options?: CloudRequestOptions) {
    return this.call<StackDetails>('GET', stackPath(stackId), options);
  }

  createStack(request: CreateStackRequest, options?: CloudRequestOptions) {
    return this.call<StackDetails>('POST', '/stacks', options, request);
  }

  deleteStack(stackId: string, options?: CloudRequestOptions) {
    return this.call<StackDetails>('DELETE', stackPath(stackId), options);
  }

  operate(
    stackId: string,
    operation: NodeOperation,
    nodes?: string[],
    options?: CloudRequestOptions,
  ) {
    return this.call<StackDetails>(
      'POST',
      stackPath(stackId, operation),
      options,
      nodes ? { nodes } : {},
    );
  }

  scale(
    stackId: string,
    role: string,
    count: number,
    options?: CloudRequestOptions,
  ) {
    return this.call<StackDetails>(
      'POST',
      stackPath(stackId, 'scale'),
      options,
      { role, count },
    );
  }

  setStackLimits(
    stackId: string,
    limits: StackLimits,
    options?: CloudRequestOptions,
  ) {
    return this.call<StackDetails>(
      'PUT',
      stackPath(stackId, 'limits'),
      options,
      limits,
    );
  }

  runScript(
    stackId: string,
    node: string,
    script: string,
    timeoutSeconds?: number,
    options?: CloudRequestOptions,
  ) {
    return this.call<ScriptResult>(
      'POST',
      stackPath(stackId, 'nodes', node, 'script'),
      options,
      { script, timeoutSeconds },
    );
  }

  async getLogs(stackId: string, node: string, options?: CloudRequestOptions) {
    const body = await this.call<{ logs: string }>(
      'GET',
      stackPath(stackId, 'nodes', node, 'logs'),
      options,
    );
    return body.logs;
  }

  listUsage(
    filter: UsageListFilter & PageRequest = {},
    options?: CloudRequestOptions,
  ) {
    return this.call<CursorPage<UsageRecord>>(
      'GET',
      `/usage${query(filter)}`,
      options,
    );
  }

  async usageCsvUrl(filter: UsageListFilter = {}) {
    const baseUrl = await this.discoveryApi.getBaseUrl('cloud');
    return `${baseUrl}/usage${query({ ...filter, format: 'csv' })}`;
  }

  async exportUsageCsv(
    filter: UsageListFilter = {},
    options?: CloudRequestOptions,
  ) {
    const response = await this.fetchApi.fetch(await this.usageCsvUrl(filter), {
      headers: this.headers(options),
    });
    if (!response.ok) {
      throw await responseError(response);
    }
    return response.text();
  }

  getStackMetrics(
    stackId: string,
    metricsQuery: MetricsQuery = {},
    options?: CloudRequestOptions,
  ) {
    return this.call<MetricsResult>(
      'GET',
      `${stackPath(stackId, 'metrics')}${query(metricsQuery)}`,
      options,
    );
  }

  getNodeMetrics(
    stackId: string,
    node: string,
    metricsQuery: MetricsQuery = {},
    options?: CloudRequestOptions,
  ) {
    return this.call<MetricsResult>(
      'GET',
      `${stackPath(stackId, 'nodes', node, 'metrics')}${query(metricsQuery)}`,
      options,
    );
  }

  listStackAlerts(
    stackId: string,
    page: PageRequest = {},
    options?: CloudRequestOptions,
  ) {
    return this.call<CursorPage<MetricAlert>>(
      'GET',
      `${stackPath(stackId, 'alerts')}${query(page)}`,
      options,
    );
  }

  getMonitoringOverview(options?: CloudRequestOptions) {
    return this.call<MonitoringOverview>(
      'GET',
      '/monitoring/overview',
      options,
    );
  }

  private headers(options?: CloudRequestOptions, body?: unknown) {
    const headers: Record<string, string> = {};
    if (options?.token) {
      headers.authorization = `Bearer ${options.token}`;
    }
    if (options?.idempotencyKey) {
      headers['idempotency-key'] = options.idempotencyKey;
    }
    if (body !== undefined) {
      headers['content-type'] = 'application/json';
    }
    return headers;
  }

  private async call<T>(
    method: string,
    path: string,
    options?: CloudRequestOptions,
    body?: unknown,
  ): Promise<T> {
    const baseUrl = await this.discoveryApi.getBaseUrl('cloud');
    const response = await this.fetchApi.fetch(`${baseUrl}${path}`, {
      method,
      headers: this.headers(options, body),
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) {
      throw await responseError(response);
    }
    return (await response.json()) as T;
  }
}
