import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { RoleSpec } from '@internal/plugin-cloud-common';
import { CloudClient } from '../CloudClient';
import { examples } from './stackDeploy.examples';
import { readWorkspaceFiles } from './workspaceFiles';

/**
 * Deploys a stack through the cloud backend and outputs its id and URL.
 *
 * @public
 */
export function createCloudStackDeployAction(options: { client: CloudClient }) {
  const { client } = options;
  return createTemplateAction({
    id: 'cloud:stack:deploy',
    description:
      'Deploys a stack of nodes grouped by role on a cloud provider and waits until it answers',
    examples,
    schema: {
      input: {
        name: z =>
          z
            .string()
            .regex(/^[a-z][a-z0-9-]{1,38}[a-z0-9]$/)
            .describe(
              'Name of the stack, a DNS label: it answers at <name>.localhost',
            ),
        owner: z =>
          z.string().describe('Entity ref of the group that owns the stack'),
        provider: z =>
          z.string().default('local').describe('Id of the cloud provider'),
        region: z =>
          z.string().default('local').describe('Region of the provider'),
        requestedBy: z =>
          z
            .string()
            .optional()
            .describe(
              'User entity ref that the stack is deployed for, when a service runs the task (the store passes the secret storeRequester); empty when a user runs it',
            ),
        roles: z =>
          z
            .array(
              z.object({
                name: z.string().describe('Role name, e.g. app'),
                runtime: z
                  .string()
                  .optional()
                  .describe(
                    'A runtime the provider offers, e.g. node or load-balancer',
                  ),
                entry: z
                  .string()
                  .optional()
                  .describe('The file the runtime starts, e.g. server.js'),
                count: z.number().int().describe('Number of nodes'),
                command: z
                  .array(z.string())
                  .optional()
                  .describe(
                    'A raw command instead of a runtime; only templates may use it',
                  ),
                env: z
                  .record(z.string(), z.string())
                  .optional()
                  .describe('Environment of the nodes'),
                filesFrom: z
                  .string()
                  .optional()
                  .describe('Workspace folder whose files go into each node'),
                healthPath: z
                  .string()
                  .optional()
                  .describe(
                    'HTTP path that answers 2xx when a node is healthy',
                  ),
                balances: z
                  .string()
                  .optional()
                  .describe('For a load balancer: the role it balances'),
              }),
            )
            .min(1)
            .describe('Roles of the stack, started in this order'),
        entryRole: z =>
          z
            .string()
            .optional()
            .describe(
              'Role whose node answers the stack URL; defaults to the load balancer or last role',
            ),
      },
      output: {
        stackId: z => z.string().describe('Id of the stack in the inventory'),
        url: z => z.string().describe('URL where the stack answers'),
        stackPath: z =>
          z.string().describe('Path of the stack page in Cloud Store'),
      },
    },
    async handler(ctx) {
      const { name, owner, entryRole } = ctx.input;
      const provider = ctx.input.provider ?? 'local';
      const region = ctx.input.region ?? 'local';
      const roles: RoleSpec[] = [];
      for (const { filesFrom, ...role } of ctx.input.roles) {
        roles.push({
          ...role,
          files: filesFrom
            ? await readWorkspaceFiles(ctx.workspacePath, filesFrom)
            : undefined,
        });
      }
      const credentials = await ctx.getInitiatorCredentials();
      const stack = await ctx.checkpoint({
        key: `cloud.stack.deploy.${name}`,
        fn: async () => {
          // the idempotency key covers a crash before the checkpoint is saved
          const created = await client.createStack(
            {
              name,
              owner,
              provider,
              region,
              template: ctx.templateInfo?.entityRef,
              spec: { roles, entryRole },
              requestedBy: ctx.input.requestedBy || undefined,
            },
            {
              credentials,
              idempotencyKey: `scaffolder:${ctx.task.id}:${name}`,
            },
          );
          return { id: created.id, url: created.url ?? '' };
        },
      });
      ctx.logger.info(`Stack ${name} (${stack.id}) answers at ${stack.url}`);
      ctx.output('stackId', stack.id);
      ctx.output('url', stack.url);
      ctx.output('stackPath', `/cloud/stacks/${stack.id}`);
    },
  });
}
