import { InputError } from '@backstage/errors';
import { AlertCursor } from '../database/AlertStore';
import { NewestFirstCursor } from '../database/CloudStore';

/** The page size of a list when the request gives none. */
export const DEFAULT_LIMIT = 50;

function encode(parts: Array<string | number>): string {
  return Buffer.from(JSON.stringify(parts), 'utf8').toString('base64url');
}

function decode(encoded: string): unknown[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  if (!Array.isArray(parsed) || parsed.length !== 2) {
    throw malformed();
  }
  return parsed;
}

function malformed() {
  return new InputError('Malformed cursor: it is not one this API returned');
}

/** Encodes where the next page of a newest-first list starts. */
export function encodeNewestFirstCursor(cursor: NewestFirstCursor): string {
  return encode([cursor.createdAt, cursor.id]);
}

/** Decodes a cursor of a newest-first list, refusing any other. */
export function decodeNewestFirstCursor(encoded: string): NewestFirstCursor {
  const [createdAt, id] = decode(encoded);
  if (
    typeof createdAt !== 'string' ||
    typeof id !== 'string' ||
    Number.isNaN(Date.parse(createdAt))
  ) {
    throw malformed();
  }
  return { createdAt, id };
}

/** Encodes where the next page of a stack's alerts starts. */
export function encodeAlertCursor(cursor: AlertCursor): string {
  return encode([cursor.since, cursor.id]);
}

/** Decodes a cursor of a stack's alerts, refusing any other. */
export function decodeAlertCursor(encoded: string): AlertCursor {
  const [since, id] = decode(encoded);
  if (
    typeof since !== 'number' ||
    !Number.isSafeInteger(since) ||
    typeof id !== 'string' ||
    !/^\d{1,18}$/.test(id)
  ) {
    throw malformed();
  }
  return { since, id };
}
