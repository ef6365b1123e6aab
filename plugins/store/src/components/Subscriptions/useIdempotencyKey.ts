import { useState } from 'react';
import { newIdempotencyKey } from '../../api/StoreClient';

/**
 * One Idempotency-Key per request a dialog would send, named by `request`:
 * confirming again after a failure resends the same key, so a request that
 * did go through acts once, while another request gets a key of its own
 * (the backend refuses a key reused with another body).
 */
export function useIdempotencyKey(request: string): string {
  const [keys] = useState(() => new Map<string, string>());
  let key = keys.get(request);
  if (!key) {
    key = newIdempotencyKey();
    keys.set(request, key);
  }
  return key;
}
