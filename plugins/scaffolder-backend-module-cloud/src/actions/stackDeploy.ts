import { resolveSafeChildPath } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import {
  createStackRequestSchema,
  RoleSpec,
  roleSpecSchema,
  StackLimits,
  stackLimitsSchema,
  StackSpec,
  stackSpecSchema,
  stackTemplateSchema,
  validateStackSpec,
} from '@internal/plugin-cloud-common';
import fs from 'node:fs/promises';
import { CloudActionOptions, onBehalfOf } from './cloudRequest';
import { examples } from './stackDeploy.examples';
import { readWorkspaceFiles } from './workspaceFiles';

// The input is the cloud API's CreateStack, from cloud-common: only what a
// template adds is written here (workspace folders instead of file contents,
// and defaults).
const request = createStackRequestSchema.shape;

/**
 * The limits as given: an object, or its JSON, as a secret gives it (the
 * store passes the plan's limits as the secret storePlanLimits, and template
 * expressions render secrets as strings).
 */
function readLimits(
  limits: StackLimits | string | undefined,
): StackLimits | undefined {
  if (limits === undefined || limits === '') {
    return undefined;
  }
  let value: unknown = limits;
  if (typeof limits === 'string') {
    try {
      value = JSON.parse(limits);
    } catch {
      throw new InputError('limits is not the JSON of an object');
    }
  }
  const parsed = stackLimitsSchema.safeParse(value);
  if (!parsed.success) {
    throw new InputError(
      `Invalid limits: ${parsed.error.issues
        .map(
          issue => `${['limits', ...issue.path].join('.')}: ${issue.message}`,
        )
        .join('; ')}`,
    );
  }
  return parsed.data;
}

/** The provider's own template of a stack, read from the workspace. */
async function readStackTemplate(
  workspacePath: string,
  provider: string,
  template: { file: string; parameters?: Record<string, unknown> },
): Promise<NonNullable<StackSpec['template']>> {
  const field = `stackTemplates.${provider}.file`;
  let path: string;
  try {
    path = resolveSafeChildPath(workspacePath, template.file);
  } catch {
    throw new InputError(
      `${field}: '${template.file}' is outside the workspace`,
    );
  }
  let body: string;
  try {
    body = await fs.readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new InputError(
        `${field}: no file '${template.file}' in the workspace`,
      );
    }
    throw error;
  }
  return stackTemplateSchema.parse({
    format: 'hot',
    body,
    parameters: template.parameters,
  });
}

/**
 * Deploys a stack through the cloud backend and outputs its id and URL.
 *
 * @public
 */
export function createCloudStackDeployAction(options: CloudActionOptions) {
  const { api, auth } = options;
  return createTemplateAction({
    id: 'cloud:stack:deploy',
    description:
      'Deploys a stack of nodes grouped by role on a cloud provider and waits until it answers',
    examples,
    schema: {
      input: {
        name: () => request.name,
        owner: () => request.owner,
        provider: () => request.provider.default('local'),
        region: () => request.region.default('local'),
        requestedBy: () =>
          request.requestedBy.describe(
            'User entity ref that the stack is deployed for, when a service runs the task (the store passes the secret storeRequester); empty when a user runs it',
          ),
        roles: z =>
          z
            .array(
              roleSpecSchema.omit({ files: true }).extend({
                filesFrom: z
                  .string()
                  .optional()
                  .describe('Workspace folder whose files go into each node'),
              }),
            )
            .min(1)
            .describe(stackSpecSchema.shape.roles.description ?? ''),
        entryRole: () => stackSpecSchema.shape.entryRole,
        stackTemplates: z =>
          z
            .record(
              z.object({
                file: z
                  .string()
                  .min(1)
                  .describe(
                    'Workspace path of the HOT template, e.g. heat/openstack.yaml',
                  ),
                parameters: stackTemplateSchema.shape.parameters,
              }),
            )
            .optional()
            .describe(
              "HOT templates by provider id, for providers that make stacks from their own templates (openstack). When the chosen provider has one, the stack is made from it and the roles keep only their names, counts (which the template's <role>_count parameters receive) and balances",
            ),
        limits: z =>
          z
            .union([stackLimitsSchema, z.string()])
            .optional()
            .describe(
              `${stackLimitsSchema.description}; an object, or its JSON (when a service runs the task for a store order, pass the secret storePlanLimits)`,
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
      const own = ctx.input.stackTemplates?.[provider];
      const spec: StackSpec = own
        ? {
            // the template says what runs; the roles only size it (and
            // say which one a plan's instances count, behind the balancer)
            roles: roles.map(({ name: role, count, balances }) => ({
              name: role,
              count,
              ...(balances ? { balances } : {}),
            })),
            template: await readStackTemplate(ctx.workspacePath, provider, own),
          }
        : { roles, entryRole };
      const limits = readLimits(ctx.input.limits);
      const problems = validateStackSpec(spec);
      if (problems.length) {
        throw new InputError(`Invalid stack spec: ${problems.join('; ')}`);
      }
      const credentials = await ctx.getInitiatorCredentials();
      const stack = await ctx.checkpoint({
        key: `cloud.stack.deploy.${name}`,
        fn: async () => {
          // the idempotency key covers a crash before the checkpoint is saved
          const created = await api.createStack(
            {
              name,
              owner,
              provider,
              region,
              template: ctx.templateInfo?.entityRef,
              spec,
              requestedBy: ctx.input.requestedBy || undefined,
              limits,
            },
            await onBehalfOf(
              auth,
              credentials,
              `scaffolder:${ctx.task.id}:${name}`,
            ),
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
