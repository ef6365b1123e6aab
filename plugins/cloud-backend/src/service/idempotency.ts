import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { ConflictError } from '@backstage/errors';
import { Request } from 'express';
import { createHash } from 'node:crypto';
import {
  IdempotencyStore,
  IdempotentResponse,
} from '../database/IdempotencyStore';

/** Who a request's Idempotency-Key belongs to. */
export function principalOf(credentials: BackstageCredentials): string {
  const principal = credentials.principal as {
    type?: string;
    userEntityRef?: string;
    subject?: string;
  };
  return principal.userEntityRef ?? principal.subject ?? 'unknown';
}

/** A value with the keys of its objects in order, at any depth. */
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

/** A stable hash of a request body, whatever the order of its keys. */
export function hashBody(value: unknown): string {
  return createHash('sha256')
    .update(JSON.stringify(canonical(value ?? {})))
    .digest('hex');
}

/**
 * Runs a mutating request under its `Idempotency-Key`, the store's way: the
 * key belongs to the caller and the route; the same key and body answer the
 * first response again, status and body; another body is a 409; a request
 * that failed may be sent again. Without the header the request just runs.
 *
 * `whenInProgress` answers a key whose first request never finished (its
 * backend instance died); without it that is a 409, as for a request that
 * still runs.
 */
export function createIdempotency(store: IdempotencyStore) {
  return async function idempotent(
    req: Request,
    credentials: BackstageCredentials,
    run: () => Promise<IdempotentResponse>,
    options?: { whenInProgress?: () => Promise<IdempotentResponse> },
  ): Promise<IdempotentResponse> {
    const key = req.header('idempotency-key');
    if (!key) {
      return run();
    }
    const claim = {
      principal: principalOf(credentials),
      route: `${req.method} ${req.path}`,
      key,
    };
    const claimed = await store.claim({
      ...claim,
      bodyHash: hashBody(req.body),
    });
    if ('inProgress' in claimed) {
      if (!options?.whenInProgress) {
        throw new ConflictError(
          `A request with Idempotency-Key '${key}' is still in progress`,
        );
      }
      const response = await options.whenInProgress();
      await store.complete({ ...claim, response });
      return response;
    }
    if ('response' in claimed) {
      return claimed.response;
    }
    try {
      const response = await run();
      await store.complete({ ...claim, response });
      return response;
    } catch (error) {
      await store.complete(claim);
      throw error;
    }
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
