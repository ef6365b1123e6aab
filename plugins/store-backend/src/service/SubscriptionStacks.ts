import { AuthService, DiscoveryService } from '@backstage/backend-plugin-api';
import { ResponseError } from '@backstage/errors';
import {
  CloudApiClient,
  StackDetails,
  StackLimits,
} from '@internal/plugin-cloud-common';

/** The statuses of stacks that no longer run and cannot change. */
const ENDED = ['deleting', 'deleted', 'failed'];

/** How long the cloud backend may take to stop, start or delete a stack. */
const TIMEOUT_MS = 120_000;

/**
 * The stacks of subscriptions as the cloud backend runs them: stopped when
 * a subscription is suspended, started when it resumes, resized when it
 * changes plans and deleted when it ends. Calls go with the store's own service credentials. A stack the
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

  /** The stacks as the cloud runs them now; those that ended are left out. */
  async describe(stackIds: string[]): Promise<StackDetails[]> {
    const found: StackDetails[] = [];
    await this.each(stackIds, async (id, token) => {
      found.push(await this.client.getStack(id, { token }));
    });
    return found.filter(stack => !ENDED.includes(stack.status));
  }

  /**
   * Gives a stack new limits, then scales roles to their counts: with the
   * limits first, a role grows within the new ones; shrinking is allowed
   * whatever they are.
   */
  async resize(
    stackId: string,
    limits: StackLimits,
    counts: Array<{ role: string; count: number }>,
  ): Promise<void> {
    await this.each([stackId], async (id, token) => {
      await this.client.setStackLimits(id, limits, { token });
      for (const { role, count } of counts) {
        await this.client.scale(id, role, count, { token });
      }
    });
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
