import {
  createPermissionResourceRef,
  createPermissionRule,
} from '@backstage/plugin-permission-node';
import {
  STORE_SUBSCRIPTION_RESOURCE_TYPE,
  STORE_SUBSCRIPTION_RULES,
  Subscription,
} from '@internal/plugin-store-common';
import { z } from 'zod';

/** A subscription permission condition as a database filter. */
export type SubscriptionPermissionQuery = { key: 'owner'; values: string[] };

/** The subscription resource of the store, for permission rules. */
export const subscriptionResourceRef = createPermissionResourceRef<
  Subscription,
  SubscriptionPermissionQuery
>().with({
  pluginId: 'store',
  resourceType: STORE_SUBSCRIPTION_RESOURCE_TYPE,
});

const lowerCase = (values: string[]) =>
  values.map(v => v.toLocaleLowerCase('en-US'));

const isSubscriptionOwner = createPermissionRule({
  name: STORE_SUBSCRIPTION_RULES.IS_SUBSCRIPTION_OWNER,
  description:
    'Allow subscriptions owned (and billed to) one of the given groups',
  resourceRef: subscriptionResourceRef,
  paramsSchema: z.object({
    claims: z.array(z.string()).describe('Entity refs of groups'),
  }),
  apply: (subscription, { claims }) =>
    lowerCase(claims).includes(subscription.owner.toLocaleLowerCase('en-US')),
  // Owners are stored in lower case.
  toQuery: ({ claims }) => ({ key: 'owner', values: lowerCase(claims) }),
});

/** The permission rules of store subscriptions. */
export const subscriptionPermissionRules = { isSubscriptionOwner };
