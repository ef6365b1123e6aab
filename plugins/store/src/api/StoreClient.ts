import { DiscoveryApi, FetchApi } from '@backstage/frontend-plugin-api';
import { ResponseError } from '@backstage/errors';
import {
  ProductDetails,
  ProductQuery,
  ProductSort,
} from '@internal/plugin-store-common';
import { FacetsResult, ProductPage, StoreApi } from './StoreApi';

/** Encodes a product query the way the store API reads it. */
export function toSearchParams(query: ProductQuery): URLSearchParams {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (Array.isArray(value)) {
      value.forEach(v => params.append(key, v));
    } else if (value !== undefined && value !== '' && value !== false) {
      params.set(key, String(value));
    }
  }
  return params;
}

/** Talks to the store backend over HTTP. @public */
export class StoreClient implements StoreApi {
  constructor(
    private readonly options: {
      discoveryApi: DiscoveryApi;
      fetchApi: FetchApi;
    },
  ) {}

  async listProducts(options: {
    query: ProductQuery;
    sort?: ProductSort;
    cursor?: string;
    limit?: number;
  }): Promise<ProductPage> {
    const params = toSearchParams(options.query);
    if (options.sort) params.set('sort', options.sort);
    if (options.cursor) params.set('cursor', options.cursor);
    if (options.limit) params.set('limit', String(options.limit));
    return this.get(`/products?${params}`);
  }

  async getFacets(options: { query: ProductQuery }): Promise<FacetsResult> {
    return this.get(`/products/facets?${toSearchParams(options.query)}`);
  }

  async getProduct(options: {
    namespace: string;
    name: string;
  }): Promise<ProductDetails> {
    return this.get(
      `/products/${encodeURIComponent(options.namespace)}/${encodeURIComponent(
        options.name,
      )}`,
    );
  }

  private async get<T>(path: string): Promise<T> {
    const baseUrl = await this.options.discoveryApi.getBaseUrl('store');
    const response = await this.options.fetchApi.fetch(`${baseUrl}${path}`);
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    return response.json();
  }
}
