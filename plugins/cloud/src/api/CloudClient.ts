import { DiscoveryApi, FetchApi } from '@backstage/frontend-plugin-api';
import { ResponseError } from '@backstage/errors';
import { CloudApi, StackListFilter, UsageListFilter } from './CloudApi';

function query(filter: object) {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(filter)) {
    if (value) {
      params.set(key, String(value));
    }
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** The HTTP client of the cloud backend. @public */
export class CloudClient implements CloudApi {
  constructor(
    private readonly options: {
      discoveryApi: DiscoveryApi;
      fetchApi: FetchApi;
    },
  ) {}

  async listProviders() {
    return (await this.call('GET', '/providers')).items;
  }

  async listStacks(filter: StackListFilter) {
    return (await this.call('GET', `/stacks${query(filter)}`)).items;
  }

  getStack(stackId: string) {
    return this.call('GET', `/stacks/${encodeURIComponent(stackId)}`);
  }

  deleteStack(stackId: string) {
    return this.call('DELETE', `/stacks/${encodeURIComponent(stackId)}`);
  }

  operate(stackId: string, operation: string, nodes?: string[]) {
    return this.call(
      'POST',
      `/stacks/${encodeURIComponent(stackId)}/${operation}`,
      { nodes },
    );
  }

  scale(stackId: string, role: string, count: number) {
    return this.call('POST', `/stacks/${encodeURIComponent(stackId)}/scale`, {
      role,
      count,
    });
  }

  runScript(
    stackId: string,
    node: string,
    script: string,
    timeoutSeconds: number,
  ) {
    return this.call(
      'POST',
      `/stacks/${encodeURIComponent(stackId)}/nodes/${encodeURIComponent(
        node,
      )}/script`,
      { script, timeoutSeconds },
    );
  }

  async getLogs(stackId: string, node: string) {
    return (
      await this.call(
        'GET',
        `/stacks/${encodeURIComponent(stackId)}/nodes/${encodeURIComponent(
          node,
        )}/logs`,
      )
    ).logs;
  }

  async listUsage(filter: UsageListFilter) {
    return (await this.call('GET', `/usage${query(filter)}`)).items;
  }

  async usageCsvUrl(filter: UsageListFilter) {
    const baseUrl = await this.options.discoveryApi.getBaseUrl('cloud');
    return `${baseUrl}/usage${query({ ...filter, format: 'csv' })}`;
  }

  async exportUsageCsv(filter: UsageListFilter) {
    const response = await this.options.fetchApi.fetch(
      await this.usageCsvUrl(filter),
    );
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    return response.text();
  }

  private async call(method: string, path: string, body?: unknown) {
    const baseUrl = await this.options.discoveryApi.getBaseUrl('cloud');
    const response = await this.options.fetchApi.fetch(`${baseUrl}${path}`, {
      method,
      headers: body ? { 'content-type': 'application/json' } : undefined,
      body: body ? JSON.stringify(body) : undefined,
    });
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    return response.json();
  }
}
