import { AuthService, DiscoveryService } from '@backstage/backend-plugin-api';
import { ResponseError } from '@backstage/errors';
import { CloudApiClient } from '@internal/plugin-cloud-common';

/** How long the cloud backend may take to stop, start or delete a stack. */
const TIMEOUT_MS = 120_000;

/**
 * The stacks of subscriptions as the cloud backend runs them: stopped when
 * a subscription is suspended, started when it resumes and deleted when it
 * ends. Calls go with the store's own service credentials. A stack the
 * cloud backend no longer knows counts as done, so that every call may be
 * repeated.
 */
export class SubscriptionStacks {
  private constructor(
    private readonly client: CloudApiClient,
    private readonly auth: AuthService,
  ) {}

  static create(options: {
    discovery: DiscoveryService;
    auth: AuthService;
  }): SubscriptionStacks {
    return new SubscriptionStacks(
      new CloudApiClient({
        discoveryApi: options.discovery,
        fetchApi: {
          fetch: (input, init) =>
            fetch(input, { ...init, signal: AbortSignal.timeout(TIMEOUT_MS) }),
        },
      }),
      options.auth,
    );
  }

  /** Stops every node of the stacks. */
  async stop(stackIds: string[]): Promise<void> {
    await this.each(stackIds, (id, token) =>
      this.client.operate(id, 'stop', undefined, { token }),
    );
  }

  /** Starts every node of the stacks. */
  async start(stackIds: string[]): Promise<void> {
    await this.each(stackIds, (id, token) =>
      this.client.operate(id, 'start', undefined, { token }),
    );
  }

  /** Deletes the stacks and their nodes. */
  async delete(stackIds: string[]): Promise<void> {
    await this.each(stackIds, (id, token) =>
      this.client.deleteStack(id, { token }),
    );
  }

  private async each(
    stackIds: string[],
    call: (id: string, token: string) => Promise<unknown>,
  ) {
    if (stackIds.length === 0) {
      return;
    }
    const { token } = await this.auth.getPluginRequestToken({
      onBehalfOf: await this.auth.getOwnServiceCredentials(),
      targetPluginId: 'cloud',
    });
    for (const id of stackIds) {
      try {
        await call(id, token);
      } catch (error) {
        if (error instanceof ResponseError && error.statusCode === 404) {
          continue;
        }
        throw error;
      }
    }
  }
}
