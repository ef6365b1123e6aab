import { createPermission } from '@backstage/plugin-permission-common';

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

/** Read and export usage records. @public */
export const cloudUsageReadPermission = createPermission({
  name: 'cloud.usage.read',
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
];
