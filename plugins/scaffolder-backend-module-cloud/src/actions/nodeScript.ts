import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { createHash } from 'node:crypto';
import { CloudActionOptions, onBehalfOf } from './cloudRequest';
import { examples } from './nodeScript.examples';

/**
 * Runs a shell script on one node of a stack and outputs what it printed.
 *
 * @public
 */
export function createCloudNodeScriptAction(options: CloudActionOptions) {
  const { api, auth } = options;
  return createTemplateAction({
    id: 'cloud:node:script',
    description:
      'Runs a shell script on a running node, with a timeout; the output is captured and the run audited',
    examples,
    schema: {
      input: {
        stackId: z => z.string().describe('Id of the stack'),
        node: z => z.string().describe('Name of the node, e.g. app-1'),
        script: z => z.string().min(1).describe('Shell script to run'),
        timeoutSeconds: z =>
          z
            .number()
            .int()
            .min(1)
            .default(60)
            .describe('The script is ended after this many seconds'),
        failOnError: z =>
          z
            .boolean()
            .default(true)
            .describe(
              'Fail the step when the script exits non-zero or times out',
            ),
      },
      output: {
        exitCode: z =>
          z.number().nullable().describe('Exit code; null when it timed out'),
        output: z => z.string().describe('What the script printed'),
      },
    },
    async handler(ctx) {
      const { stackId, node, script } = ctx.input;
      const timeoutSeconds = ctx.input.timeoutSeconds ?? 60;
      const failOnError = ctx.input.failOnError ?? true;
      const credentials = await ctx.getInitiatorCredentials();
      const digest = createHash('sha256')
        .update(script)
        .digest('hex')
        .slice(0, 16);
      const key = `cloud.node.script.${stackId}.${node}.${digest}`;
      const result = await ctx.checkpoint({
        key,
        fn: async () => {
          const ran = await api.runScript(
            stackId,
            node,
            script,
            timeoutSeconds,
            await onBehalfOf(auth, credentials, `${ctx.task.id}:${key}`),
          );
          return {
            exitCode: ran.exitCode,
            timedOut: ran.timedOut,
            output: ran.output,
          };
        },
      });
      ctx.logger.info(result.output);
      ctx.output('exitCode', result.exitCode);
      ctx.output('output', result.output);
      if (failOnError && (result.timedOut || result.exitCode !== 0)) {
        throw new Error(
          result.timedOut
            ? `The script timed out after ${timeoutSeconds} seconds`
            : `The script exited with code ${result.exitCode}`,
        );
      }
    },
  });
}
