import { createPermission } from '@backstage/plugin-permission-common';

/** Permission to order a product. @public */
export const storeOrderCreatePermission = createPermission({
  name: 'store.order.create',
  attributes: { action: 'create' },
});

/** Permission to read one's own orders. @public */
export const storeOrderReadPermission = createPermission({
  name: 'store.order.read',
  attributes: { action: 'read' },
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
