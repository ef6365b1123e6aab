import { ResponseError } from '@backstage/errors';
import {
  AuditChainVerification,
  AuditEventStatus,
  AuditLogRecord,
} from './types';

/**
 * Filters of the audit log; every one given must match.
 *
 * @public
 */
export interface AuditLogFilter {
  /** The actor: a user entity ref or a service subject. */
  user?: string;
  /** An action such as `ORDER_CREATE`, or its event id, `order-create`. */
  action?: string;
  /** A target such as `order:5f0c…`. */
  target?: string;
  plugin?: string;
  status?: AuditEventStatus;
  /** ISO date or time, inclusive. */
  from?: string;
  /** ISO date or time, exclusive. */
  to?: string;
}

/** One page of the audit log, newest first. @public */
export interface AuditLogPage {
  items: AuditLogRecord[];
  /** Pass it back as `cursor` for the next, older page. */
  nextCursor?: string;
}

/** The audit API, for administrators. @public */
export interface AuditApi {
  listEvents(
    filter?: AuditLogFilter,
    page?: { cursor?: string; limit?: number },
  ): Promise<AuditLogPage>;
  /** The whole filtered log as CSV. */
  exportCsv(filter?: AuditLogFilter): Promise<string>;
  /** Checks the hash chain and names the first record that breaks it. */
  verify(): Promise<AuditChainVerification>;
}

/** Options of {@link AuditApiClient}. @public */
export interface AuditApiClientOptions {
  discoveryApi: { getBaseUrl(pluginId: string): Promise<string> };
  fetchApi: { fetch: typeof fetch };
}

function query(values: Record<string, string | number | undefined>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(values)) {
    if (value !== undefined && value !== '') {
      params.set(key, String(value));
    }
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** Calls the audit backend with the caller's credentials. @public */
export class AuditApiClient implements AuditApi {
  private readonly discoveryApi: AuditApiClientOptions['discoveryApi'];
  private readonly fetchApi: AuditApiClientOptions['fetchApi'];

  constructor(options: AuditApiClientOptions) {
    this.discoveryApi = options.discoveryApi;
    this.fetchApi = options.fetchApi;
  }

  async listEvents(
    filter: AuditLogFilter = {},
    page: { cursor?: string; limit?: number } = {},
  ): Promise<AuditLogPage> {
    const response = await this.request(
      'GET',
      `/events${query({ ...filter, ...page })}`,
    );
    return (await response.json()) as AuditLogPage;
  }

  async exportCsv(filter: AuditLogFilter = {}): Promise<string> {
    const response = await this.request(
      'GET',
      `/events/export${query({ ...filter })}`,
    );
    return await response.text();
  }

  async verify(): Promise<AuditChainVerification> {
    const response = await this.request('POST', '/verify');
    return (await response.json()) as AuditChainVerification;
  }

  private async request(method: string, path: string): Promise<Response> {
    const baseUrl = await this.discoveryApi.getBaseUrl('audit');
    const response = await this.fetchApi.fetch(`${baseUrl}${path}`, {
      method,
    });
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    return response;
  }
}
