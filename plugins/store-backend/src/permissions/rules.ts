import {
  createPermissionResourceRef,
  createPermissionRule,
} from '@backstage/plugin-permission-node';
import {
  Order,
  STORE_ORDER_RESOURCE_TYPE,
  STORE_ORDER_RULES,
  STORE_PRODUCT_RESOURCE_TYPE,
  STORE_PRODUCT_RULES,
} from '@internal/plugin-store-common';
import { z } from 'zod';
import { ProductFilter, ProductResource } from '../database/types';

/** The product resource of the store, for permission rules. */
export const productResourceRef = createPermissionResourceRef<
  ProductResource,
  ProductFilter
>().with({
  pluginId: 'store',
  resourceType: STORE_PRODUCT_RESOURCE_TYPE,
});

const lowerCase = (values: string[]) =>
  values.map(v => v.toLocaleLowerCase('en-US'));

const isInAudience = createPermissionRule({
  name: STORE_PRODUCT_RULES.IS_IN_AUDIENCE,
  description:
    'Allow products without an audience, and those whose audience includes one of the given groups',
  resourceRef: productResourceRef,
  paramsSchema: z.object({
    claims: z.array(z.string()).describe('Entity refs of the user and groups'),
  }),
  apply: (product, { claims }) => {
    if (product.audience.length === 0) {
      return true;
    }
    const wanted = new Set(lowerCase(claims));
    return product.audience.some(ref => wanted.has(ref));
  },
  toQuery: ({ claims }) => ({ key: 'audience', values: lowerCase(claims) }),
});

const isProductOwner = createPermissionRule({
  name: STORE_PRODUCT_RULES.IS_PRODUCT_OWNER,
  description: 'Allow products owned by one of the given entity refs',
  resourceRef: productResourceRef,
  paramsSchema: z.object({
    claims: z.array(z.string()).describe('Entity refs of the user and groups'),
  }),
  apply: (product, { claims }) => lowerCase(claims).includes(product.owner),
  toQuery: ({ claims }) => ({ key: 'owner', values: lowerCase(claims) }),
});

const hasLifecycle = createPermissionRule({
  name: STORE_PRODUCT_RULES.HAS_LIFECYCLE,
  description: 'Allow products in one of the given lifecycles',
  resourceRef: productResourceRef,
  paramsSchema: z.object({
    lifecycles: z
      .array(z.enum(['draft', 'published', 'deprecated']))
      .describe('Lifecycles of the product'),
  }),
  apply: (product, { lifecycles }) =>
    (lifecycles as string[]).includes(product.lifecycle),
  toQuery: ({ lifecycles }) => ({ key: 'lifecycle', values: lifecycles }),
});

const isSubscriber = createPermissionRule({
  name: STORE_PRODUCT_RULES.IS_SUBSCRIBER,
  description:
    'Allow products of which one of the given users has a fulfilled order',
  resourceRef: productResourceRef,
  paramsSchema: z.object({
    claims: z
      .array(z.string())
      .describe('Entity refs of the user (group refs never match)'),
  }),
  apply: (product, { claims }) => {
    const wanted = new Set(lowerCase(claims));
    return product.subscribers.some(ref => wanted.has(ref));
  },
  toQuery: ({ claims }) => ({ key: 'subscriber', values: claims }),
});

/** The permission rules of store products. */
export const productPermissionRules = {
  isInAudience,
  isProductOwner,
  hasLifecycle,
  isSubscriber,
};

/** An order permission condition as a database filter. */
export type OrderPermissionQuery =
  | { key: 'requester'; values: string[] }
  | { key: 'approverGroup'; values: string[] };

/** The order resource of the store, for permission rules. */
export const orderResourceRef = createPermissionResourceRef<
  Order,
  OrderPermissionQuery
>().with({
  pluginId: 'store',
  resourceType: STORE_ORDER_RESOURCE_TYPE,
});

const isOrderRequester = createPermissionRule({
  name: STORE_ORDER_RULES.IS_ORDER_REQUESTER,
  description: 'Allow orders placed by one of the given users',
  resourceRef: orderResourceRef,
  paramsSchema: z.object({
    claims: z.array(z.string()).describe('Entity refs of users'),
  }),
  apply: (order, { claims }) =>
    lowerCase(claims).includes(order.requester.toLocaleLowerCase('en-US')),
  // Requesters are stored as their credentials name them.
  toQuery: ({ claims }) => ({
    key: 'requester',
    values: [...new Set([...claims, ...lowerCase(claims)])],
  }),
});

const isOrderApprover = createPermissionRule({
  name: STORE_ORDER_RULES.IS_ORDER_APPROVER,
  description: 'Allow orders that one of the given groups approves',
  resourceRef: orderResourceRef,
  paramsSchema: z.object({
    claims: z.array(z.string()).describe('Entity refs of groups'),
  }),
  apply: (order, { claims }) => {
    const wanted = new Set(lowerCase(claims));
    return order.approverGroups.some(ref => wanted.has(ref));
  },
  toQuery: ({ claims }) => ({
    key: 'approverGroup',
    values: lowerCase(claims),
  }),
});

/** The permission rules of store orders. */
export const orderPermissionRules = { isOrderRequester, isOrderApprover };
