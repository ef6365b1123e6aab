import { CustomErrorBase } from '@backstage/errors';

/** What is known of a node that did not come up. @public */
export interface NodeFailure {
  stackId: string;
  node: string;
  role: string;
  /** The exit code of its last run, null when it was killed or still runs. */
  exitCode: number | null;
  /** The last lines of its log. */
  logTail: string;
}

/**
 * A node of a deploy, start, restart or scale did not become healthy. The
 * cloud API answers it as 422 with the details, never as a 500.
 *
 * @public
 */
export class NodeFailedError extends CustomErrorBase {
  name = 'NodeFailedError' as const;
  readonly statusCode = 422;

  constructor(message: string, readonly failure: NodeFailure) {
    super(message);
  }
}
