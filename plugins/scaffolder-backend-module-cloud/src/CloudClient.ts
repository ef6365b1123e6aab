import {
  AuthService,
  BackstageCredentials,
  DiscoveryService,
} from '@backstage/backend-plugin-api';
import { ResponseError } from '@backstage/errors';
import {
  ScriptResult,
  StackDetails,
  StackSpec,
} from '@internal/plugin-cloud-common';

/**
 * Calls the cloud backend on behalf of the user who runs the task, with
 * service-to-service auth.
 */
export class CloudClient {
  constructor(
    private readonly options: {
      auth: AuthService;
      discovery: DiscoveryService;
    },
  ) {}

  async createStack(
    request: {
      name: string;
      owner: string;
      template?: string;
      provider: string;
      region: string;
      spec: StackSpec;
      requestedBy?: string;
    },
    options: { credentials: BackstageCredentials; idempotencyKey: string },
  ): Promise<StackDetails> {
    return this.call('POST', '/stacks', options.credentials, request, {
      'idempotency-key': options.idempotencyKey,
    });
  }

  async getStack(
    stackId: string,
    credentials: BackstageCredentials,
  ): Promise<StackDetails> {
    return this.call(
      'GET',
      `/stacks/${encodeURIComponent(stackId)}`,
      credentials,
    );
  }

  async deleteStack(
    stackId: string,
    credentials: BackstageCredentials,
  ): Promise<StackDetails> {
    return this.call(
      'DELETE',
      `/stacks/${encodeURIComponent(stackId)}`,
      credentials,
    );
  }

  async scaleRole(
    stackId: string,
    role: string,
    count: number,
    credentials: BackstageCredentials,
  ): Promise<StackDetails> {
    return this.call(
      'POST',
      `/stacks/${encodeURIComponent(stackId)}/scale`,
      credentials,
      { role, count },
    );
  }

  async runScript(
    stackId: string,
    nodeName: string,
    body: { script: string; timeoutSeconds?: number },
    credentials: BackstageCredentials,
  ): Promise<ScriptResult> {
    return this.call(
      'POST',
      `/stacks/${encodeURIComponent(stackId)}/nodes/${encodeURIComponent(
        nodeName,
      )}/script`,
      credentials,
      body,
    );
  }

  private async call<T>(
    method: string,
    path: string,
    credentials: BackstageCredentials,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<T> {
    const { token } = await this.options.auth.getPluginRequestToken({
      onBehalfOf: credentials,
      targetPluginId: 'cloud',
    });
    const baseUrl = await this.options.discovery.getBaseUrl('cloud');
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      body: body ? JSON.stringify(body) : undefined,
    });
    if (!response.ok) {
      const error = await ResponseError.fromResponse(response);
      error.message = `Cloud backend answered ${response.status} to ${method} ${path}: ${error.body.error.message}`;
      throw error;
    }
    return (await response.json()) as T;
  }
}
