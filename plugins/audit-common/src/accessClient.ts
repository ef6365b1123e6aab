import { ResponseError } from '@backstage/errors';

/** A statement of an access policy, as config or a managed policy says it. @public */
export interface AccessStatement {
  effect: 'allow' | 'deny';
  permissions?: string[];
  resourceTypes?: string[];
  actions?: string[];
  conditions?: object;
  description?: string;
}

/** A policy and the users and groups it is bound to. @public */
export interface AccessPolicyInfo {
  name: string;
  type: 'managed' | 'custom';
  description: string;
  statements: AccessStatement[];
  /** User and group entity refs, or `*` for every signed-in user. */
  boundTo: string[];
}

/** A decision's result. @public */
export type AccessResult = 'ALLOW' | 'DENY' | 'CONDITIONAL';

/** Each group's decision of each permission. @public */
export interface AccessMatrix {
  permissions: Array<{ name: string; action: string; resourceType?: string }>;
  groups: Array<{
    ref: string;
    title: string;
    decisions: Record<string, AccessResult>;
  }>;
}

/** The answer to "can user X do permission Y (on resource Z)?". @public */
export interface AccessExplanation {
  user: string;
  permission: string;
  decision: { result: AccessResult; conditions?: object };
  reason: string;
  statements: Array<{
    policy: string;
    policyType: 'managed' | 'custom';
    /** From 0. */
    statement: number;
    effect: 'allow' | 'deny';
    conditional: boolean;
    description?: string;
  }>;
  resourceRef?: string;
  /** Whether the conditions allow the resource, when one was given. */
  resourceResult?: 'ALLOW' | 'DENY';
}

/** The Access page's API, for administrators. @public */
export interface AccessApi {
  listPolicies(): Promise<AccessPolicyInfo[]>;
  getMatrix(): Promise<AccessMatrix>;
  explain(request: {
    user: string;
    permission: string;
    resourceRef?: string;
  }): Promise<AccessExplanation>;
}

/** Calls the permission backend's access API with the caller's credentials. @public */
export class AccessApiClient implements AccessApi {
  private readonly discoveryApi: {
    getBaseUrl(pluginId: string): Promise<string>;
  };
  private readonly fetchApi: { fetch: typeof fetch };

  constructor(options: {
    discoveryApi: { getBaseUrl(pluginId: string): Promise<string> };
    fetchApi: { fetch: typeof fetch };
  }) {
    this.discoveryApi = options.discoveryApi;
    this.fetchApi = options.fetchApi;
  }

  async listPolicies(): Promise<AccessPolicyInfo[]> {
    const body = await this.call<{ items: AccessPolicyInfo[] }>(
      'GET',
      '/policies',
    );
    return body.items;
  }

  getMatrix(): Promise<AccessMatrix> {
    return this.call('GET', '/matrix');
  }

  explain(request: {
    user: string;
    permission: string;
    resourceRef?: string;
  }): Promise<AccessExplanation> {
    return this.call('POST', '/explain', request);
  }

  private async call<T>(method: string, path: string, body?: object) {
    const baseUrl = await this.discoveryApi.getBaseUrl('permission');
    const response = await this.fetchApi.fetch(`${baseUrl}/access${path}`, {
      method,
      ...(body && {
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }),
    });
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    return (await response.json()) as T;
  }
}
