import { ResponseError } from '@backstage/errors';

/** The message a person should read for a failed call. */
export function messageOf(error: unknown): string {
  if (error instanceof ResponseError) {
    return error.body?.error?.message ?? error.message;
  }
  return error instanceof Error ? error.message : String(error);
}

/** Short local date and time. */
export function formatTime(iso?: string) {
  return iso ? new Date(iso).toLocaleString() : '';
}
