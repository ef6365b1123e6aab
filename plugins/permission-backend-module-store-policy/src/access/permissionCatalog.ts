import {
  catalogPermissions,
  RESOURCE_TYPE_CATALOG_ENTITY,
} from '@backstage/plugin-catalog-common/alpha';
import { Permission } from '@backstage/plugin-permission-common';
import { scaffolderPermissions } from '@backstage/plugin-scaffolder-common/alpha';
import { auditPermissions } from '@internal/plugin-audit-common';
import {
  CLOUD_STACK_RESOURCE_TYPE,
  CLOUD_STACK_RULES,
  cloudPermissions,
} from '@internal/plugin-cloud-common';
import {
  STORE_ORDER_RESOURCE_TYPE,
  STORE_ORDER_RULES,
  STORE_PRODUCT_RESOURCE_TYPE,
  STORE_PRODUCT_RULES,
  STORE_SUBSCRIPTION_RESOURCE_TYPE,
  STORE_SUBSCRIPTION_RULES,
  storeBillingManagePermission,
  storeOrderPermissions,
  storePermissions,
  storeSubscriptionPermissions,
} from '@internal/plugin-store-common';

/** The actions a statement may name, as permissions declare them. */
export const PERMISSION_ACTIONS = [
  'read',
  'create',
  'update',
  'delete',
  'use',
] as const;

/** An action of {@link PERMISSION_ACTIONS}. */
export type PermissionAction = (typeof PERMISSION_ACTIONS)[number];

/**
 * What a permission rule's parameter holds: entity refs or other strings,
 * or one string.
 */
export type RuleParamKind = 'string' | 'string[]';

/** A permission rule a condition may use, with its parameters. */
export interface KnownRule {
  params: Record<string, RuleParamKind>;
  /**
   * Evaluated by this policy rather than the plugin: the condition is
   * replaced by plain rules of the plugin when the decision is made.
   */
  virtual?: boolean;
}

/** A resource type, the plugin that filters it and its rules. */
export interface KnownResourceType {
  pluginId: string;
  rules: Record<string, KnownRule>;
}

const claims = { claims: 'string[]' } as const;

/**
 * The resource types whose permissions may be granted on conditions, the
 * plugin that evaluates them and the rules it has. Conditions in policies are
 * checked against this list when the policy is read.
 */
export const RESOURCE_TYPES: Record<string, KnownResourceType> = {
  [RESOURCE_TYPE_CATALOG_ENTITY]: {
    pluginId: 'catalog',
    rules: {
      HAS_ANNOTATION: { params: { annotation: 'string', value: 'string' } },
      HAS_LABEL: { params: { label: 'string' } },
      HAS_METADATA: { params: { key: 'string', value: 'string' } },
      HAS_SPEC: { params: { key: 'string', value: 'string' } },
      IS_ENTITY_KIND: { params: { kinds: 'string[]' } },
      IS_ENTITY_OWNER: { params: { claims: 'string[]' } },
      // Templates that a store product governs; the list comes from the
      // catalog when the decision is made.
      IS_GOVERNED_TEMPLATE: { params: {}, virtual: true },
    },
  },
  'scaffolder-template': {
    pluginId: 'scaffolder',
    rules: { HAS_TAG: { params: { tag: 'string' } } },
  },
  'scaffolder-action': {
    pluginId: 'scaffolder',
    rules: {
      HAS_ACTION_ID: { params: { actionId: 'string' } },
      HAS_STRING_PROPERTY: { params: { key: 'string', value: 'string' } },
    },
  },
  'scaffolder-task': {
    pluginId: 'scaffolder',
    rules: { IS_TASK_OWNER: { params: { createdBy: 'string[]' } } },
  },
  [STORE_PRODUCT_RESOURCE_TYPE]: {
    pluginId: 'store',
    rules: {
      [STORE_PRODUCT_RULES.IS_IN_AUDIENCE]: { params: claims },
      [STORE_PRODUCT_RULES.IS_PRODUCT_OWNER]: { params: claims },
      [STORE_PRODUCT_RULES.IS_SUBSCRIBER]: { params: claims },
      [STORE_PRODUCT_RULES.HAS_LIFECYCLE]: {
        params: { lifecycles: 'string[]' },
      },
    },
  },
  [STORE_ORDER_RESOURCE_TYPE]: {
    pluginId: 'store',
    rules: {
      [STORE_ORDER_RULES.IS_ORDER_REQUESTER]: { params: claims },
      [STORE_ORDER_RULES.IS_ORDER_APPROVER]: { params: claims },
    },
  },
  [STORE_SUBSCRIPTION_RESOURCE_TYPE]: {
    pluginId: 'store',
    rules: {
      [STORE_SUBSCRIPTION_RULES.IS_SUBSCRIPTION_OWNER]: { params: claims },
    },
  },
  [CLOUD_STACK_RESOURCE_TYPE]: {
    pluginId: 'cloud',
    rules: {
      [CLOUD_STACK_RULES.IS_STACK_OWNER]: { params: { owners: 'string[]' } },
      [CLOUD_STACK_RULES.IS_STACK_CREATOR]: { params: { users: 'string[]' } },
    },
  },
};

/**
 * Every permission that policies may name: the catalog's and the
 * scaffolder's, and those of the store, cloud and audit plugins.
 */
export const KNOWN_PERMISSIONS: ReadonlyArray<Permission> = [
  ...catalogPermissions,
  ...scaffolderPermissions,
  ...storePermissions,
  ...storeOrderPermissions,
  ...storeSubscriptionPermissions,
  storeBillingManagePermission,
  ...cloudPermissions,
  ...auditPermissions,
];

/** The resource type of a permission, if it is a resource permission. */
export function resourceTypeOf(permission: Permission): string | undefined {
  return permission.type === 'resource' ? permission.resourceType : undefined;
}
