import { OrderOutput } from '@internal/plugin-store-common';

const STACK_PATH = /\/cloud\/stacks\/([^/?#\s]+)/;

/**
 * The ids of the cloud stacks a fulfilled order's task created: the
 * `stackIds` output of the deploying templates (a comma-separated string,
 * as template outputs are strings; a list is taken too), or else the stack
 * links (`/cloud/stacks/<id>`) of outputs from before that field.
 */
export function stackIdsOf(output: OrderOutput | undefined): string[] {
  const declared = output?.stackIds;
  let ids: unknown[];
  if (typeof declared === 'string' || typeof declared === 'number') {
    // The scaffolder turns an output that looks like a number into one.
    ids = String(declared)
      .split(',')
      .map(id => id.trim());
  } else if (Array.isArray(declared)) {
    ids = declared;
  } else {
    ids = (output?.links ?? []).map(
      link => STACK_PATH.exec(link.url ?? '')?.[1],
    );
  }
  return [
    ...new Set(
      ids.filter((id): id is string => typeof id === 'string' && id !== ''),
    ),
  ];
}
