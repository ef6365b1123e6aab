import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { CloudClient } from '../CloudClient';
import { examples } from './stackDelete.examples';

/**
 * Deletes a stack with every node it has.
 *
 * @public
 */
export function createCloudStackDeleteAction(options: { client: CloudClient }) {
  const { client } = options;
  return createTemplateAction({
    id: 'cloud:stack:delete',
    description: 'Deletes a stack and every node it has',
    examples,
    schema: {
      input: {
        stackId: z => z.string().describe('Id of the stack to delete'),
      },
      output: {
        status: z => z.string().describe('Status of the stack afterwards'),
      },
    },
    async handler(ctx) {
      const credentials = await ctx.getInitiatorCredentials();
      const status = await ctx.checkpoint({
        key: `cloud.stack.delete.${ctx.input.stackId}`,
        fn: async () =>
          (
            await client.deleteStack(ctx.input.stackId, credentials)
          ).status,
      });
      ctx.logger.info(`Stack ${ctx.input.stackId} is ${status}`);
      ctx.output('status', status);
    },
  });
}
