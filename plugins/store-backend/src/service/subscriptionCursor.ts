import { InputError } from '@backstage/errors';
import { SubscriptionCursor } from '../database/SubscriptionsStore';

/** Encodes where the next page of subscriptions starts as an opaque string. */
export function encodeSubscriptionCursor(cursor: SubscriptionCursor): string {
  return Buffer.from(
    JSON.stringify([cursor.createdAt, cursor.id]),
    'utf8',
  ).toString('base64url');
}

/** Decodes a cursor, refusing anything this API did not hand out. */
export function decodeSubscriptionCursor(encoded: string): SubscriptionCursor {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  if (
    !Array.isArray(parsed) ||
    parsed.length !== 2 ||
    typeof parsed[0] !== 'string' ||
    typeof parsed[1] !== 'string' ||
    Number.isNaN(Date.parse(parsed[0]))
  ) {
    throw new InputError('Malformed cursor: it is not one this API returned');
  }
  return { createdAt: parsed[0], id: parsed[1] };
}
