import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { CloudClient } from '../CloudClient';
import { examples } from './stackScale.examples';

/**
 * Scales one role of a stack to a number of nodes.
 *
 * @public
 */
export function createCloudStackScaleAction(options: { client: CloudClient }) {
  const { client } = options;
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
      const nodes = await ctx.checkpoint({
        key: `cloud.stack.scale.${stackId}.${role}.${count}`,
        fn: async () => {
          const stack = await client.scaleRole(
            stackId,
            role,
            count,
            credentials,
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
