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
  nextCursor?: string;
};

/** Facet counts, and how many products match in all. @public */
export type FacetsResult = {
  facets: ProductFacets;
  totalItems: number;
};

/** The store backend, as the frontend sees it. @public */
export interface StoreApi {
  listProducts(options: {
    query: ProductQuery;
    sort?: ProductSort;
    cursor?: string;
    limit?: number;
  }): Promise<ProductPage>;
  getFacets(options: { query: ProductQuery }): Promise<FacetsResult>;
  getProduct(options: {
    namespace: string;
    name: string;
  }): Promise<ProductDetails>;
}

/** @public */
export const storeApiRef = createApiRef<StoreApi>({ id: 'plugin.store.api' });
