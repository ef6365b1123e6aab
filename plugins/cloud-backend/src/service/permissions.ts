import {
  createPermissionResourceRef,
  createPermissionRule,
} from '@backstage/plugin-permission-node';
import {
  CLOUD_STACK_RESOURCE_TYPE,
  CLOUD_STACK_RULES,
  Stack,
} from '@internal/plugin-cloud-common';
import { z } from 'zod';
import { StackQuery } from '../database/CloudStore';

/** Stacks as the permission framework sees them. */
export const cloudStackResourceRef = createPermissionResourceRef<
  Stack,
  StackQuery
>().with({ pluginId: 'cloud', resourceType: CLOUD_STACK_RESOURCE_TYPE });

/** A stack owned by one of the given entities (usually the user's groups). */
export const isStackOwner = createPermissionRule({
  name: CLOUD_STACK_RULES.IS_STACK_OWNER,
  description: 'Allow stacks owned by one of the given entity refs',
  resourceRef: cloudStackResourceRef,
  paramsSchema: z.object({
    owners: z.array(z.string()).describe('Entity refs of owners'),
  }),
  apply: (stack, { owners }) => owners.includes(stack.owner),
  toQuery: ({ owners }) => ({ column: 'owner', values: owners }),
});

/** A stack created by one of the given users. */
export const isStackCreator = createPermissionRule({
  name: CLOUD_STACK_RULES.IS_STACK_CREATOR,
  description: 'Allow stacks created by one of the given user refs',
  resourceRef: cloudStackResourceRef,
  paramsSchema: z.object({
    users: z.array(z.string()).describe('Entity refs of users'),
  }),
  apply: (stack, { users }) => users.includes(stack.createdBy),
  toQuery: ({ users }) => ({ column: 'created_by', values: users }),
});

export const cloudStackRules = [isStackOwner, isStackCreator];
