import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { CloudActionOptions, onBehalfOf } from './cloudRequest';
import { examples } from './stackDelete.examples';

/**
 * Deletes a stack with every node it has.
 *
 * @public
 */
export function createCloudStackDeleteAction(options: CloudActionOptions) {
  const { api, auth } = options;
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
      const { stackId } = ctx.input;
      const credentials = await ctx.getInitiatorCredentials();
      const key = `cloud.stack.delete.${stackId}`;
      const status = await ctx.checkpoint({
        key,
        fn: async () => {
          const stack = await api.deleteStack(
            stackId,
            await onBehalfOf(auth, credentials, `${ctx.task.id}:${key}`),
          );
          return stack.status;
        },
      });
      ctx.logger.info(`Stack ${stackId} is ${status}`);
      ctx.output('status', status);
    },
  });
}
