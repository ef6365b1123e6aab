import { InputError } from '@backstage/errors';
import { ProductSort } from '@internal/plugin-store-common';
import { ProductCursor } from '../database/types';

/** Encodes where the next page starts as an opaque string. */
export function encodeCursor(cursor: ProductCursor): string {
  return Buffer.from(
    JSON.stringify([cursor.sort, cursor.value, cursor.id]),
    'utf8',
  ).toString('base64url');
}

/** Decodes a cursor, refusing anything this API did not hand out. */
export function decodeCursor(
  encoded: string,
  expectedSort: ProductSort,
): ProductCursor {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8'));
  } catch {
    throw new InputError('Malformed cursor: it is not one this API returned');
  }
  if (
    !Array.isArray(parsed) ||
    parsed.length !== 3 ||
    typeof parsed[0] !== 'string' ||
    !['string', 'number'].includes(typeof parsed[1]) ||
    typeof parsed[2] !== 'string'
  ) {
    throw new InputError('Malformed cursor: it is not one this API returned');
  }
  const [sort, value, id] = parsed as [string, string | number, string];
  if (sort !== expectedSort) {
    throw new InputError(
      `Malformed cursor: it continues a list sorted by "${sort}", not by "${expectedSort}"`,
    );
  }
  return { sort, value, id };
}
