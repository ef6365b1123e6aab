import { PermissionAction } from './permissionCatalog';

/**
 * A value of a condition's parameter as a policy writes it. `$user` stands
 * for the signed-in user's entity ref and `$claims` for the user and every
 * group they belong to, nested groups included; in a list, `$claims` adds
 * all of them.
 */
export type ConditionParam = string | string[];

/** A condition of a statement: a permission rule or a combination of them. */
export type ConditionExpression =
  | { rule: string; params?: Record<string, ConditionParam> }
  | { anyOf: ConditionExpression[] }
  | { allOf: ConditionExpression[] }
  | { not: ConditionExpression };

/**
 * One statement of a policy: it allows or denies the permissions it
 * matches. Each of `permissions`, `resourceTypes` and `actions` that is
 * given must match; at least one is given. A permission name ending in `*`
 * matches every permission it prefixes (`cloud.*`; `*` alone matches all).
 */
export interface PolicyStatement {
  effect: 'allow' | 'deny';
  permissions?: string[];
  resourceTypes?: string[];
  actions?: PermissionAction[];
  /**
   * Only for resources that meet it; the statement then applies to the
   * permissions of the conditions' resource type only.
   */
  conditions?: ConditionExpression;
  description?: string;
}

/** A named set of statements, managed (built in) or custom (from config). */
export interface AccessPolicyDocument {
  name: string;
  type: 'managed' | 'custom';
  description: string;
  statements: PolicyStatement[];
}

/**
 * Policies given to users and groups. A principal is a user or group
 * entity ref, or `*` for every signed-in user.
 */
export interface PolicyBinding {
  policy: string;
  principals: string[];
}
