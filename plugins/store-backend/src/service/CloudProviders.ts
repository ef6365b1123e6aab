import {
  AuthService,
  DiscoveryService,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { ResponseError } from '@backstage/errors';

/** How long the answer of the cloud backend is used. */
const CACHE_MS = 10_000;

/**
 * Which providers the cloud backend has, asked through its API and kept
 * briefly: every product list reads them. Without a cloud backend, or when
 * it does not answer, no provider is available; that is logged once, until
 * it answers again.
 */
export class CloudProviders {
  private cached?: { at: number; ids: Promise<ReadonlySet<string>> };
  private failing = false;

  private constructor(
    private readonly discovery: DiscoveryService,
    private readonly auth: AuthService,
    private readonly logger: LoggerService,
    private readonly cacheMs: number,
  ) {}

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
      const baseUrl = await this.discovery.getBaseUrl('cloud');
      const { token } = await this.auth.getPluginRequestToken({
        onBehalfOf: await this.auth.getOwnServiceCredentials(),
        targetPluginId: 'cloud',
      });
      const response = await fetch(`${baseUrl}/providers`, {
        headers: { authorization: `Bearer ${token}` },
        signal: AbortSignal.timeout(10_000),
      });
      if (!response.ok) {
        throw await ResponseError.fromResponse(response);
      }
      const body = (await response.json()) as { items: Array<{ id: string }> };
      if (this.failing) {
        this.failing = false;
        this.logger.info('The cloud backend lists its providers again');
      }
      return new Set(body.items.map(p => p.id));
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
