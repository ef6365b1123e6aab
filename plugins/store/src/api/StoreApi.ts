import { createApiRef } from '@backstage/frontend-plugin-api';
import {
  ProductDetails,
  ProductFacets,
  ProductQuery,
  ProductSort,
  ProductSummary,
} from '@internal/plugin-store-common';

/** A page of products. @public */
export type ProductPage = {
  items: ProductSummary[];
  totalItems: number;
  nextCursor?: string;
};

/** The store backend, as the frontend sees it. @public */
export interface StoreApi {
  listProducts(options: {
    query: ProductQuery;
    sort?: ProductSort;
    cursor?: string;
    limit?: number;
  }): Promise<ProductPage>;
  getFacets(options: { query: ProductQuery }): Promise<ProductFacets>;
  getProduct(options: {
    namespace: string;
    name: string;
  }): Promise<ProductDetails>;
}

/** @public */
export const storeApiRef = createApiRef<StoreApi>({ id: 'plugin.store.api' });
