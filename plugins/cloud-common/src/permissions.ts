import {
  createPermission,
  PermissionCondition,
  PermissionCriteria,
} from '@backstage/plugin-permission-common';

/** The resource type of stacks, for conditional decisions. @public */
export const CLOUD_STACK_RESOURCE_TYPE = 'cloud-stack';

/** Read stacks, their nodes and logs. @public */
export const cloudStackReadPermission = createPermission({
  name: 'cloud.stack.read',
  attributes: { action: 'read' },
  resourceType: CLOUD_STACK_RESOURCE_TYPE,
});

/** Deploy a new stack. @public */
export const cloudStackCreatePermission = createPermission({
  name: 'cloud.stack.create',
  attributes: { action: 'create' },
});

/** Delete a stack. @public */
export const cloudStackDeletePermission = createPermission({
  name: 'cloud.stack.delete',
  attributes: { action: 'delete' },
  resourceType: CLOUD_STACK_RESOURCE_TYPE,
});

/** Start, stop, restart nodes and scale roles. @public */
export const cloudNodeOperatePermission = createPermission({
  name: 'cloud.node.operate',
  attributes: { action: 'update' },
  resourceType: CLOUD_STACK_RESOURCE_TYPE,
});

/** Run a script on a node: powerful, so a permission of its own. @public */
export const cloudNodeScriptRunPermission = createPermission({
  name: 'cloud.node.script.run',
  attributes: { action: 'update' },
  resourceType: CLOUD_STACK_RESOURCE_TYPE,
});

/**
 * Deploy roles with a raw host command instead of a configured runtime:
 * for admins; service principals (templates) need no permission.
 *
 * @public
 */
export const cloudCommandUsePermission = createPermission({
  name: 'cloud.command.use',
  attributes: { action: 'create' },
});

/**
 * Name any existing group as the owner of a new stack, not only one's own:
 * for admins; a service acting for a requester needs no permission.
 *
 * @public
 */
export const cloudStackOwnerAssignPermission = createPermission({
  name: 'cloud.stack.owner.assign',
  attributes: { action: 'create' },
});

/**
 * Replace the limits a stack carries from its plan: for the store when a
 * subscription changes plans, and for admins; never for the stack's users,
 * who could otherwise raise their own plan's limits.
 *
 * @public
 */
export const cloudStackLimitsManagePermission = createPermission({
  name: 'cloud.stack.limits.manage',
  attributes: { action: 'update' },
});

/** Read and export usage records. @public */
export const cloudUsageReadPermission = createPermission({
  name: 'cloud.usage.read',
  attributes: { action: 'read' },
});

/**
 * Read the metrics of every node at once: the monitoring overview and the
 * Prometheus endpoint. The metrics of one stack need only
 * `cloud.stack.read`.
 *
 * @public
 */
export const cloudMetricsReadPermission = createPermission({
  name: 'cloud.metrics.read',
  attributes: { action: 'read' },
});

/** Every permission of the cloud plugin. @public */
export const cloudPermissions = [
  cloudStackReadPermission,
  cloudStackCreatePermission,
  cloudStackDeletePermission,
  cloudNodeOperatePermission,
  cloudNodeScriptRunPermission,
  cloudUsageReadPermission,
  cloudMetricsReadPermission,
  cloudCommandUsePermission,
  cloudStackOwnerAssignPermission,
  cloudStackLimitsManagePermission,
];

/** The names of the stack permission rules. @public */
export const CLOUD_STACK_RULES = {
  IS_STACK_OWNER: 'IS_STACK_OWNER',
  IS_STACK_CREATOR: 'IS_STACK_CREATOR',
} as const;

type StackCondition = PermissionCondition<typeof CLOUD_STACK_RESOURCE_TYPE>;

/**
 * Conditions on stacks for permission policies. They are plain data, so a
 * policy builds them without depending on the cloud backend.
 * @public
 */
export const cloudStackConditions = {
  /** The stack is owned by one of `owners` (usually the user's groups). */
  isStackOwner(params: { owners: string[] }): StackCondition {
    return {
      rule: CLOUD_STACK_RULES.IS_STACK_OWNER,
      resourceType: CLOUD_STACK_RESOURCE_TYPE,
      params,
    };
  },
  /** The stack was created by one of `users`. */
  isStackCreator(params: { users: string[] }): StackCondition {
    return {
      rule: CLOUD_STACK_RULES.IS_STACK_CREATOR,
      resourceType: CLOUD_STACK_RESOURCE_TYPE,
      params,
    };
  },
};

/**
 * The stacks a user may see and operate: those of their groups (`claims`
 * include the user and every group they belong to) and those they created.
 * @public
 */
export function stackOwnerOrCreator(
  userEntityRef: string,
  claims: string[],
): PermissionCriteria<StackCondition> {
  return {
    anyOf: [
      cloudStackConditions.isStackOwner({ owners: claims }),
      cloudStackConditions.isStackCreator({ users: [userEntityRef] }),
    ],
  };
}
