import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { createHash } from 'node:crypto';

/**
 * Who a request's Idempotency-Key belongs to: a caller's key is theirs alone.
 *
 * @public
 */
export function principalOf(credentials: BackstageCredentials): string {
  const principal = credentials.principal as {
    userEntityRef?: string;
    subject?: string;
  };
  return principal.userEntityRef ?? principal.subject ?? 'unknown';
}

/**
 * A value with the keys of its objects in order, at any depth.
 *
 * @public
 */
export function canonical<T>(value: T): T {
  if (Array.isArray(value)) {
    return value.map(canonical) as T;
  }
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map(k => [k, canonical((value as Record<string, unknown>)[k])]),
    ) as T;
  }
  return value;
}

/**
 * A stable hash of a request body, whatever the order of its keys.
 *
 * @public
 */
export function hashBody(value: unknown): string {
  return createHash('sha256')
    .update(JSON.stringify(canonical(value ?? {})))
    .digest('hex');
}
