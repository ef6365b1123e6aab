import {
  createPermission,
  PermissionCondition,
  PermissionCriteria,
} from '@backstage/plugin-permission-common';

/** The resource type of store orders. @public */
export const STORE_ORDER_RESOURCE_TYPE = 'store-order';

/** Permission to order a product. @public */
export const storeOrderCreatePermission = createPermission({
  name: 'store.order.create',
  attributes: { action: 'create' },
});

/**
 * Permission to read orders. Policies usually answer it with conditions
 * (see {@link consumerOrderVisibility}), which the store turns into a
 * database filter of its order lists.
 * @public
 */
export const storeOrderReadPermission = createPermission({
  name: 'store.order.read',
  attributes: { action: 'read' },
  resourceType: STORE_ORDER_RESOURCE_TYPE,
});

/**
 * Permission to decide on orders; the store also requires membership of one
 * of the product's approver groups, and never lets requesters approve their
 * own orders.
 * @public
 */
export const storeOrderApprovePermission = createPermission({
  name: 'store.order.approve',
  attributes: { action: 'update' },
});

/** Permission to see every order and retry, close or reopen them. @public */
export const storeOrderAdminPermission = createPermission({
  name: 'store.order.admin',
  attributes: { action: 'update' },
});

/** All order permissions of the store. @public */
export const storeOrderPermissions = [
  storeOrderCreatePermission,
  storeOrderReadPermission,
  storeOrderApprovePermission,
  storeOrderAdminPermission,
];

/** The names of the order permission rules. @public */
export const STORE_ORDER_RULES = {
  IS_ORDER_REQUESTER: 'IS_ORDER_REQUESTER',
  IS_ORDER_APPROVER: 'IS_ORDER_APPROVER',
} as const;

type OrderCondition = PermissionCondition<typeof STORE_ORDER_RESOURCE_TYPE>;

/**
 * Conditions on orders for permission policies, as plain data.
 * @public
 */
export const storeOrderConditions = {
  /** The order was placed by one of `claims` (user entity refs). */
  isOrderRequester(params: { claims: string[] }): OrderCondition {
    return {
      rule: STORE_ORDER_RULES.IS_ORDER_REQUESTER,
      resourceType: STORE_ORDER_RESOURCE_TYPE,
      params,
    };
  },
  /** One of `claims` (group entity refs) is among the order's approvers. */
  isOrderApprover(params: { claims: string[] }): OrderCondition {
    return {
      rule: STORE_ORDER_RULES.IS_ORDER_APPROVER,
      resourceType: STORE_ORDER_RESOURCE_TYPE,
      params,
    };
  },
};

/**
 * The usual visibility of orders to a user who is not an administrator:
 * their own orders, and those that one of their groups approves.
 * @public
 */
export function consumerOrderVisibility(options: {
  userEntityRef: string;
  claims: string[];
}): PermissionCriteria<OrderCondition> {
  return {
    anyOf: [
      storeOrderConditions.isOrderRequester({
        claims: [options.userEntityRef],
      }),
      storeOrderConditions.isOrderApprover({ claims: options.claims }),
    ],
  };
}
