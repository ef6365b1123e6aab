import { AuthService, DiscoveryService } from '@backstage/backend-plugin-api';
import { ResponseError } from '@backstage/errors';
import {
  DocumentCollatorFactory,
  IndexableDocument,
} from '@backstage/plugin-search-common';
import {
  ProductSummary,
  storeProductReadPermission,
} from '@internal/plugin-store-common';
import { Readable } from 'node:stream';

/** A store product as a search document. @public */
export interface StoreProductDocument extends IndexableDocument {
  category: string;
  type: string;
  owner: string;
  tags: string[];
  lifecycle: string;
}

const PAGE_SIZE = 100;

/**
 * Collates the products of the store for search. Documents link to the
 * store's product page; the search backend shows each searcher only the
 * products that `store.product.read` lets them see.
 *
 * @public
 */
export class StoreProductCollatorFactory implements DocumentCollatorFactory {
  readonly type = 'store-product';
  readonly visibilityPermission = storeProductReadPermission;

  private constructor(
    private readonly discovery: DiscoveryService,
    private readonly auth: AuthService,
    private readonly fetchFn: typeof fetch,
  ) {}

  static create(options: {
    discovery: DiscoveryService;
    auth: AuthService;
    fetch?: typeof fetch;
  }): StoreProductCollatorFactory {
    return new StoreProductCollatorFactory(
      options.discovery,
      options.auth,
      options.fetch ?? fetch,
    );
  }

  async getCollator(): Promise<Readable> {
    return Readable.from(this.execute());
  }

  private async *execute(): AsyncGenerator<StoreProductDocument> {
    const baseUrl = await this.discovery.getBaseUrl('store');
    let cursor: string | undefined;
    do {
      const { token } = await this.auth.getPluginRequestToken({
        onBehalfOf: await this.auth.getOwnServiceCredentials(),
        targetPluginId: 'store',
      });
      const params = new URLSearchParams({ limit: String(PAGE_SIZE) });
      if (cursor) {
        params.set('cursor', cursor);
      }
      const response = await this.fetchFn(`${baseUrl}/products?${params}`, {
        headers: { Authorization: `Bearer ${token}` },
      });
      if (!response.ok) {
        throw await ResponseError.fromResponse(response);
      }
      const page = (await response.json()) as {
        items: ProductSummary[];
        nextCursor?: string;
      };
      for (const product of page.items) {
        yield {
          title: product.title,
          text: product.summary,
          location: `/store/products/${encodeURIComponent(
            product.namespace,
          )}/${encodeURIComponent(product.name)}`,
          category: product.category,
          type: product.type,
          owner: product.owner,
          tags: product.tags,
          lifecycle: product.lifecycle,
          authorization: { resourceRef: product.ref },
        };
      }
      cursor = page.nextCursor;
    } while (cursor);
  }
}
