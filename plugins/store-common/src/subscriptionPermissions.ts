import {
  createPermission,
  PermissionCondition,
  PermissionCriteria,
} from '@backstage/plugin-permission-common';

/** The resource type of subscriptions. @public */
export const STORE_SUBSCRIPTION_RESOURCE_TYPE = 'store-subscription';

/**
 * Permission to read subscriptions. Policies answer it with conditions (see
 * {@link consumerSubscriptionVisibility}), which the store turns into a
 * database filter, so that nobody sees another group's subscriptions.
 * @public
 */
export const storeSubscriptionReadPermission = createPermission({
  name: 'store.subscription.read',
  attributes: { action: 'read' },
  resourceType: STORE_SUBSCRIPTION_RESOURCE_TYPE,
});

/**
 * Permission to renew, change the plan of, cancel and switch auto-renewal
 * of subscriptions; conditional like reading.
 * @public
 */
export const storeSubscriptionManagePermission = createPermission({
  name: 'store.subscription.manage',
  attributes: { action: 'update' },
  resourceType: STORE_SUBSCRIPTION_RESOURCE_TYPE,
});

/**
 * Permission to read billing (invoices, credit notes, cost analytics);
 * conditional on the billing account like subscriptions.
 * @public
 */
export const storeBillingReadPermission = createPermission({
  name: 'store.billing.read',
  attributes: { action: 'read' },
  resourceType: STORE_SUBSCRIPTION_RESOURCE_TYPE,
});

/**
 * Permission to manage billing: run the invoices of a period and correct
 * issued invoices with credit notes. Not about one billing account, so a
 * basic permission; policies give it to store administrators.
 * @public
 */
export const storeBillingManagePermission = createPermission({
  name: 'store.billing.manage',
  attributes: { action: 'update' },
});

/** All subscription and billing permissions of the store. @public */
export const storeSubscriptionPermissions = [
  storeSubscriptionReadPermission,
  storeSubscriptionManagePermission,
  storeBillingReadPermission,
];

/** The names of the subscription permission rules. @public */
export const STORE_SUBSCRIPTION_RULES = {
  IS_SUBSCRIPTION_OWNER: 'IS_SUBSCRIPTION_OWNER',
} as const;

type SubscriptionCondition = PermissionCondition<
  typeof STORE_SUBSCRIPTION_RESOURCE_TYPE
>;

/** Conditions on subscriptions for permission policies. @public */
export const storeSubscriptionConditions = {
  /** The subscription is owned (and billed to) one of `claims` (group refs). */
  isSubscriptionOwner(params: { claims: string[] }): SubscriptionCondition {
    return {
      rule: STORE_SUBSCRIPTION_RULES.IS_SUBSCRIPTION_OWNER,
      resourceType: STORE_SUBSCRIPTION_RESOURCE_TYPE,
      params,
    };
  },
};

/**
 * The usual visibility of subscriptions and billing to a user who is not an
 * administrator: those of the groups the user belongs to.
 * @public
 */
export function consumerSubscriptionVisibility(options: {
  claims: string[];
}): PermissionCriteria<SubscriptionCondition> {
  return storeSubscriptionConditions.isSubscriptionOwner({
    claims: options.claims,
  });
}
