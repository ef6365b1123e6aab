import { useMemo } from 'react';
import { newIdempotencyKey } from '../../api/StoreClient';

/**
 * One Idempotency-Key per request a dialog would send: confirming again
 * after a failure resends the same key, so a request that did go through
 * acts once, while a changed request gets a key of its own (the backend
 * refuses a key reused with another body).
 */
export function useIdempotencyKey(request: string): string {
  // The key depends on nothing but the identity of the request.
  // eslint-disable-next-line react-hooks/exhaustive-deps
  return useMemo(() => newIdempotencyKey(), [request]);
}
