import { BackstageCredentials } from '@backstage/backend-plugin-api';
import {
  IdempotencyStore,
  IdempotentResponse,
  principalOf,
} from '@internal/backend-idempotency-node';
import { Request } from 'express';
import { createHash } from 'node:crypto';

/**
 * Runs a mutating request of the cloud API under its `Idempotency-Key`, the
 * store's way (see `IdempotencyStore.run`); the key belongs to the caller
 * and the request's method and path.
 */
export function createIdempotency(store: IdempotencyStore) {
  return function idempotent(
    req: Request,
    credentials: BackstageCredentials,
    run: () => Promise<IdempotentResponse>,
    options?: { whenInProgress?: () => Promise<IdempotentResponse> },
  ): Promise<IdempotentResponse> {
    return store.run(
      {
        key: req.header('idempotency-key'),
        credentials,
        route: `${req.method} ${req.path}`,
        body: req.body,
      },
      run,
      options,
    );
  };
}

/**
 * The caller's Idempotency-Key as the inventory keeps it with a stack, so
 * that a deploy cut off by a crash is found again by the same caller only.
 */
export function inventoryKeyOf(
  credentials: BackstageCredentials,
  key: string | undefined,
): string | undefined {
  return key
    ? createHash('sha256')
        .update(`${principalOf(credentials)}\n${key}`)
        .digest('hex')
    : undefined;
}
