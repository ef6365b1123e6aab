import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { CloudActionOptions, onBehalfOf } from './cloudRequest';
import { examples } from './stackScale.examples';

/**
 * Scales one role of a stack to a number of nodes.
 *
 * @public
 */
export function createCloudStackScaleAction(options: CloudActionOptions) {
  const { api, auth } = options;
  return createTemplateAction({
    id: 'cloud:stack:scale',
    description: 'Adds or removes nodes of a role until it has the given count',
    examples,
    schema: {
      input: {
        stackId: z => z.string().describe('Id of the stack'),
        role: z => z.string().describe('Role to scale, e.g. app'),
        count: z =>
          z
            .number()
            .int()
            .min(0)
            .describe('Number of nodes the role should have'),
      },
      output: {
        nodes: z =>
          z
            .array(z.string())
            .describe('Names of the nodes of the role afterwards'),
      },
    },
    async handler(ctx) {
      const { stackId, role, count } = ctx.input;
      const credentials = await ctx.getInitiatorCredentials();
      const key = `cloud.stack.scale.${stackId}.${role}.${count}`;
      const nodes = await ctx.checkpoint({
        key,
        fn: async () => {
          const stack = await api.scale(
            stackId,
            role,
            count,
            await onBehalfOf(auth, credentials, `${ctx.task.id}:${key}`),
          );
          return stack.nodes.filter(n => n.role === role).map(n => n.name);
        },
      });
      ctx.logger.info(
        `Role ${role} of stack ${stackId} has ${nodes.length} nodes`,
      );
      ctx.output('nodes', nodes);
    },
  });
}
