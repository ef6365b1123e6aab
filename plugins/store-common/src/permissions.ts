import {
  createPermission,
  PermissionCondition,
  PermissionCriteria,
} from '@backstage/plugin-permission-common';
import { ProductLifecycle } from './types';

/** The resource type of store products. @public */
export const STORE_PRODUCT_RESOURCE_TYPE = 'store-product';

/** Permission to see a product in the store. @public */
export const storeProductReadPermission = createPermission({
  name: 'store.product.read',
  attributes: { action: 'read' },
  resourceType: STORE_PRODUCT_RESOURCE_TYPE,
});

/** All permissions of the store. @public */
export const storePermissions = [storeProductReadPermission];

/** The names of the product permission rules. @public */
export const STORE_PRODUCT_RULES = {
  IS_IN_AUDIENCE: 'IS_IN_AUDIENCE',
  IS_PRODUCT_OWNER: 'IS_PRODUCT_OWNER',
  HAS_LIFECYCLE: 'HAS_LIFECYCLE',
  IS_SUBSCRIBER: 'IS_SUBSCRIBER',
} as const;

type ProductCondition = PermissionCondition<typeof STORE_PRODUCT_RESOURCE_TYPE>;

/**
 * Conditions on products for permission policies. They are plain data, so a
 * policy builds them without depending on the store backend.
 * @public
 */
export const storeProductConditions = {
  /** The product has no audience, or its audience includes one of `claims`. */
  isInAudience(params: { claims: string[] }): ProductCondition {
    return {
      rule: STORE_PRODUCT_RULES.IS_IN_AUDIENCE,
      resourceType: STORE_PRODUCT_RESOURCE_TYPE,
      params,
    };
  },
  /** The product is owned by one of `claims`. */
  isProductOwner(params: { claims: string[] }): ProductCondition {
    return {
      rule: STORE_PRODUCT_RULES.IS_PRODUCT_OWNER,
      resourceType: STORE_PRODUCT_RESOURCE_TYPE,
      params,
    };
  },
  /** One of `claims` has a fulfilled order of the product. */
  isSubscriber(params: { claims: string[] }): ProductCondition {
    return {
      rule: STORE_PRODUCT_RULES.IS_SUBSCRIBER,
      resourceType: STORE_PRODUCT_RESOURCE_TYPE,
      params,
    };
  },
  /** The product is in one of the lifecycles. */
  hasLifecycle(params: { lifecycles: ProductLifecycle[] }): ProductCondition {
    return {
      rule: STORE_PRODUCT_RULES.HAS_LIFECYCLE,
      resourceType: STORE_PRODUCT_RESOURCE_TYPE,
      params,
    };
  },
};

/**
 * The usual visibility of products to a consumer with the given ownership
 * claims: published products of their audience, deprecated products they
 * are subscribed to, and everything they own.
 * @public
 */
export function consumerProductVisibility(
  claims: string[],
): PermissionCriteria<ProductCondition> {
  return {
    anyOf: [
      {
        allOf: [
          storeProductConditions.hasLifecycle({ lifecycles: ['published'] }),
          storeProductConditions.isInAudience({ claims }),
        ],
      },
      {
        allOf: [
          storeProductConditions.hasLifecycle({ lifecycles: ['deprecated'] }),
          storeProductConditions.isSubscriber({ claims }),
        ],
      },
      storeProductConditions.isProductOwner({ claims }),
    ],
  };
}
