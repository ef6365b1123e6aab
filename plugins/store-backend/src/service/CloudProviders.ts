import {
  AuthService,
  DiscoveryService,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { CloudApiClient } from '@internal/plugin-cloud-common';

/** How long the answer of the cloud backend is used. */
const CACHE_MS = 10_000;
/** How long the cloud backend may take to answer. */
const TIMEOUT_MS = 10_000;

/**
 * Which providers the cloud backend has, asked through its API and kept
 * briefly: every product list reads them. Without a cloud backend, or when
 * it does not answer, no provider is available; that is logged once, until
 * it answers again.
 */
export class CloudProviders {
  private cached?: { at: number; ids: Promise<ReadonlySet<string>> };
  private failing = false;

  private readonly client: CloudApiClient;

  private constructor(
    discovery: DiscoveryService,
    private readonly auth: AuthService,
    private readonly logger: LoggerService,
    private readonly cacheMs: number,
  ) {
    this.client = new CloudApiClient({
      discoveryApi: discovery,
      fetchApi: {
        fetch: (input, init) =>
          fetch(input, { ...init, signal: AbortSignal.timeout(TIMEOUT_MS) }),
      },
    });
  }

  static create(options: {
    discovery: DiscoveryService;
    auth: AuthService;
    logger: LoggerService;
    cacheMs?: number;
  }): CloudProviders {
    return new CloudProviders(
      options.discovery,
      options.auth,
      options.logger,
      options.cacheMs ?? CACHE_MS,
    );
  }

  /** The ids of the providers that orders may name. */
  async available(): Promise<ReadonlySet<string>> {
    if (!this.cached || Date.now() - this.cached.at >= this.cacheMs) {
      this.cached = { at: Date.now(), ids: this.fetch() };
    }
    return this.cached.ids;
  }

  private async fetch(): Promise<ReadonlySet<string>> {
    try {
      const { token } = await this.auth.getPluginRequestToken({
        onBehalfOf: await this.auth.getOwnServiceCredentials(),
        targetPluginId: 'cloud',
      });
      const providers = await this.client.listProviders({ token });
      if (this.failing) {
        this.failing = false;
        this.logger.info('The cloud backend lists its providers again');
      }
      return new Set(providers.map(p => p.id));
    } catch (error) {
      if (!this.failing) {
        this.failing = true;
        this.logger.warn(
          `Could not list the providers of the cloud backend, so no product can be ordered: ${error}`,
        );
      }
      return new Set();
    }
  }
}
