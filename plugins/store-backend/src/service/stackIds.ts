import { OrderOutput } from '@internal/plugin-store-common';

const STACK_PATH = /\/cloud\/stacks\/([^/?#\s]+)/;

/**
 * The ids of the cloud stacks a fulfilled order's task created: the
 * `stackIds` output of the deploying templates, or else the stack links
 * (`/cloud/stacks/<id>`) of outputs from before that field.
 */
export function stackIdsOf(output: OrderOutput | undefined): string[] {
  const declared = output?.stackIds;
  const ids = Array.isArray(declared)
    ? declared
    : (output?.links ?? []).map(link => STACK_PATH.exec(link.url ?? '')?.[1]);
  return [
    ...new Set(
      ids.filter((id): id is string => typeof id === 'string' && id !== ''),
    ),
  ];
}
