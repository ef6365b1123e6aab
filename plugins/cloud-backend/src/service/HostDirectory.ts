import { ServiceUnavailableError } from '@backstage/errors';
import { CloudStore, StoredStack } from '../database/CloudStore';
import { ProviderRegistry } from './ProviderRegistry';

/** Where the provider calls of a stack run. */
export type StackPlacement =
  | { local: true }
  | { local: false; hostId: string; baseUrl: string };

/**
 * The hosts of stacks and the backend instance serving each: an instance
 * registers the hosts of its providers with a heartbeat, and a call on a
 * stack of another host is forwarded to the instance serving that host.
 */
export class HostDirectory {
  private constructor(
    private readonly store: CloudStore,
    private readonly providers: ProviderRegistry,
    private readonly instanceId: string,
    private readonly baseUrl: string,
    private readonly aliveMs: number,
  ) {}

  static create(options: {
    store: CloudStore;
    providers: ProviderRegistry;
    instanceId: string;
    /** This instance's cloud API, as the other instances reach it. */
    baseUrl: string;
    /** How long a host counts as served after its last heartbeat. */
    aliveMs: number;
  }) {
    return new HostDirectory(
      options.store,
      options.providers,
      options.instanceId,
      options.baseUrl,
      options.aliveMs,
    );
  }

  /** The hosts this instance serves: those of its providers that have one. */
  ownHosts(): string[] {
    return [
      ...new Set(
        this.providers.list().flatMap(p => (p.hostId ? [p.hostId] : [])),
      ),
    ];
  }

  /** Records that this instance serves its hosts, now. */
  async heartbeat(now = new Date()): Promise<void> {
    for (const hostId of this.ownHosts()) {
      await this.store.registerHost({
        hostId,
        baseUrl: this.baseUrl,
        instanceId: this.instanceId,
        heartbeatAt: now.toISOString(),
      });
    }
  }

  /**
   * Records that this instance no longer serves its hosts, so that calls on
   * their stacks are refused at once rather than after missed heartbeats.
   */
  async release(): Promise<void> {
    for (const hostId of this.ownHosts()) {
      await this.store.unregisterHost(hostId, this.instanceId);
    }
  }

  /**
   * Whether this instance makes the provider calls of a stack, or the
   * instance serving the stack's host; a host that no live instance serves
   * is unavailable.
   */
  async locate(
    stack: Pick<StoredStack, 'name' | 'provider' | 'hostId'>,
  ): Promise<StackPlacement> {
    const provider = this.providers.get(stack.provider);
    if (!stack.hostId || stack.hostId === provider.hostId) {
      return { local: true };
    }
    const host = await this.store.getHost(stack.hostId);
    const alive =
      host &&
      Date.parse(host.heartbeatAt) > Date.now() - this.aliveMs &&
      host.baseUrl !== this.baseUrl;
    if (!host || !alive) {
      throw new ServiceUnavailableError(
        `Stack '${stack.name}' lives on host '${stack.hostId}', which no running backend instance serves; try again once it is back`,
      );
    }
    return { local: false, hostId: host.hostId, baseUrl: host.baseUrl };
  }
}
