import { PermissionCriteria } from '@backstage/plugin-permission-common';
import {
  Price,
  ProductEntity,
  ProductLifecycle,
  ProductQuery,
  ProductSort,
} from '@internal/plugin-store-common';

/** A product as the store indexes it. */
export interface IndexedProduct {
  /** Lower-case entity ref of the product. */
  id: string;
  namespace: string;
  name: string;
  title: string;
  summary: string;
  type: string;
  category: string;
  /** Lower-case entity ref of the owner. */
  owner: string;
  lifecycle: ProductLifecycle;
  /** Lower-case entity refs; empty when everyone may see the product. */
  audience: string[];
  providers: string[];
  tags: string[];
  fromPrice?: Price;
  /** `fromPrice` in minor units, for sorting and price ranges. */
  fromPriceMinor?: number;
  hasFreePlan: boolean;
  needsApproval: boolean;
  searchText: string;
  entity: ProductEntity;
  contentHash: string;
}

/** A product as permission rules see it when they check one by one. */
export interface ProductResource extends StoredProduct {
  /** Lower-case refs of the users with a fulfilled order of the product. */
  subscribers: string[];
}

/**
 * An indexed product as reads return it (without its search text, which
 * only the search indexes need), with what the store adds to it.
 */
export interface StoredProduct extends Omit<IndexedProduct, 'searchText'> {
  orderCount: number;
  createdAt: Date;
}

/** A database filter that a permission rule turns into. */
export type ProductFilter =
  | { key: 'audience'; values: string[] }
  | { key: 'owner'; values: string[] }
  | { key: 'lifecycle'; values: string[] }
  | { key: 'subscriber'; values: string[] };

/** A permission decision as a database filter; undefined means allow all. */
export type ProductPermissionFilter =
  | PermissionCriteria<ProductFilter>
  | undefined;

/** Filters of a product query, with price bounds already in minor units. */
export interface ProductQueryFilters
  extends Omit<ProductQuery, 'minPrice' | 'maxPrice'> {
  minPriceMinor?: number;
  maxPriceMinor?: number;
}

/** Where a page of a sorted list starts. */
export interface ProductCursor {
  sort: ProductSort;
  /** The sort value of the last item of the previous page. */
  value: string | number;
  id: string;
}
