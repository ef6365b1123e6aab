import {
  ConflictError,
  InputError,
  NotAllowedError,
  NotFoundError,
} from '@backstage/errors';
import { KeystoneClient } from './KeystoneClient';

/** A stack as Heat describes it. @public */
export interface HeatStack {
  id: string;
  stack_name: string;
  stack_status: string;
  stack_status_reason?: string;
  updated_time?: string | null;
  tags?: string[] | null;
  parameters?: Record<string, string>;
  outputs?: Array<{
    output_key: string;
    output_value: unknown;
    output_error?: string;
  }>;
}

/** One event of a stack. @public */
export interface HeatEvent {
  event_time: string;
  resource_name: string;
  logical_resource_id: string;
  physical_resource_id?: string;
  resource_status: string;
  resource_status_reason?: string;
}

/** What Heat answered an unsuccessful request with. */
async function heatError(response: Response, what: string): Promise<Error> {
  const text = await response.text();
  let message = text;
  try {
    const body = JSON.parse(text);
    message = body?.error?.message || body?.explanation || text;
  } catch {
    // not JSON: Heat's text is the message
  }
  const said = `${what}: ${message || response.statusText}`;
  switch (response.status) {
    case 400:
      return new InputError(`Heat refused ${said}`);
    case 401:
    case 403:
      return new NotAllowedError(`Heat did not allow ${said}`);
    case 404:
      return new NotFoundError(`Heat does not know ${said}`);
    case 409:
      return new ConflictError(`Heat refused ${said}`);
    default:
      return new Error(
        `Heat failed ${said} (${response.status} ${response.statusText})`,
      );
  }
}

/**
 * Heat's orchestration API v1 for one project and region, with plain fetch;
 * the token comes from Keystone and is renewed once on a 401.
 *
 * @public
 */
export class HeatClient {
  private constructor(
    private readonly keystone: KeystoneClient,
    private readonly region: string,
  ) {}

  static create(options: { keystone: KeystoneClient; region: string }) {
    return new HeatClient(options.keystone, options.region);
  }

  private async request(
    method: string,
    path: string,
    what: string,
    body?: unknown,
  ): Promise<Response> {
    const response = await this.keystone.fetch(session =>
      fetch(
        `${KeystoneClient.endpointOf(
          session,
          'orchestration',
          this.region,
        )}${path}`,
        {
          method,
          headers: {
            'x-auth-token': session.token,
            accept: 'application/json',
            ...(body === undefined
              ? {}
              : { 'content-type': 'application/json' }),
          },
          body: body === undefined ? undefined : JSON.stringify(body),
        },
      ),
    );
    if (!response.ok) {
      throw await heatError(response, what);
    }
    return response;
  }

  /** Creates a stack; Heat refuses a second live stack of the same name (409). */
  async createStack(options: {
    name: string;
    template: string;
    parameters: Record<string, unknown>;
    tags: string[];
    timeoutMinutes: number;
  }): Promise<{ id: string }> {
    const response = await this.request(
      'POST',
      '/stacks',
      `stack ${options.name}`,
      {
        stack_name: options.name,
        template: options.template,
        parameters: options.parameters,
        tags: options.tags.join(','),
        timeout_mins: options.timeoutMinutes,
        disable_rollback: true,
      },
    );
    return (await response.json()).stack;
  }

  /**
   * A live stack by name, with its outputs; undefined when there is none.
   * Heat still finds a stack by name for a moment after its deletion
   * completed; such a stack counts as gone.
   */
  async getStack(name: string): Promise<HeatStack | undefined> {
    try {
      const response = await this.request(
        'GET',
        `/stacks/${encodeURIComponent(name)}`,
        `stack ${name}`,
      );
      const { stack } = await response.json();
      return stack.stack_status === 'DELETE_COMPLETE' ? undefined : stack;
    } catch (error) {
      if ((error as Error).name === 'NotFoundError') {
        return undefined;
      }
      throw error;
    }
  }

  /**
   * A stack by name and id, one request where a read by name alone takes
   * two (Heat redirects it); undefined when it is gone or deleted.
   */
  async readStack(
    stack: Pick<HeatStack, 'id' | 'stack_name'>,
  ): Promise<HeatStack | undefined> {
    try {
      const response = await this.request(
        'GET',
        `/stacks/${stack.stack_name}/${stack.id}`,
        `stack ${stack.stack_name}`,
      );
      const { stack: read } = await response.json();
      return read.stack_status === 'DELETE_COMPLETE' ? undefined : read;
    } catch (error) {
      if ((error as Error).name === 'NotFoundError') {
        return undefined;
      }
      throw error;
    }
  }

  /** Changes parameters and keeps the template (PATCH). */
  async updateParameters(
    stack: Pick<HeatStack, 'id' | 'stack_name'>,
    parameters: Record<string, unknown>,
    timeoutMinutes: number,
  ): Promise<void> {
    await this.request(
      'PATCH',
      `/stacks/${stack.stack_name}/${stack.id}`,
      `the update of stack ${stack.stack_name}`,
      { parameters, timeout_mins: timeoutMinutes },
    );
  }

  /** Suspends or resumes a stack. */
  async action(
    stack: Pick<HeatStack, 'id' | 'stack_name'>,
    action: 'suspend' | 'resume',
  ): Promise<void> {
    await this.request(
      'POST',
      `/stacks/${stack.stack_name}/${stack.id}/actions`,
      `to ${action} stack ${stack.stack_name}`,
      { [action]: null },
    );
  }

  async deleteStack(stack: Pick<HeatStack, 'id' | 'stack_name'>) {
    try {
      await this.request(
        'DELETE',
        `/stacks/${stack.stack_name}/${stack.id}`,
        `the deletion of stack ${stack.stack_name}`,
      );
    } catch (error) {
      if ((error as Error).name !== 'NotFoundError') {
        throw error;
      }
    }
  }

  /**
   * Live stacks with every one of the tags, without their outputs; a stack
   * whose deletion just completed is not live, though Heat may list it.
   */
  async listStacks(tags: string[]): Promise<HeatStack[]> {
    const response = await this.request(
      'GET',
      `/stacks?tags=${encodeURIComponent(tags.join(','))}`,
      'the list of stacks',
    );
    const { stacks } = (await response.json()) as { stacks: HeatStack[] };
    return stacks.filter(s => s.stack_status !== 'DELETE_COMPLETE');
  }

  /** Events of a stack, oldest first, optionally of one resource status. */
  async listEvents(
    stack: Pick<HeatStack, 'id' | 'stack_name'>,
    options: { resourceStatus?: string; limit?: number } = {},
  ): Promise<HeatEvent[]> {
    const query = new URLSearchParams({
      sort_dir: 'asc',
      ...(options.resourceStatus
        ? { resource_status: options.resourceStatus }
        : {}),
      ...(options.limit ? { limit: String(options.limit) } : {}),
    });
    const response = await this.request(
      'GET',
      `/stacks/${stack.stack_name}/${stack.id}/events?${query}`,
      `the events of stack ${stack.stack_name}`,
    );
    return (await response.json()).events;
  }
}
