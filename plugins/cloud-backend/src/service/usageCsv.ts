import { UsageRecord } from '@internal/plugin-cloud-common';
import { Readable } from 'node:stream';
import { NewestFirstCursor, Page } from '../database/CloudStore';

/** How many usage records the export reads from the database at a time. */
export const EXPORT_BATCH = 1_000;

const COLUMNS: Array<keyof UsageRecord> = [
  'kind',
  'id',
  'stackId',
  'stackName',
  'role',
  'owner',
  'provider',
  'region',
  'providerResourceId',
  'createdBy',
  'createdAt',
  'deletedBy',
  'deletedAt',
];

/**
 * One CSV field (RFC 4180). Text that a spreadsheet would run as a formula
 * gets a leading apostrophe: names and ids come from users and providers.
 */
export function csvField(value: unknown): string {
  if (value === undefined || value === null) {
    return '';
  }
  let text = String(value);
  if (/^[=+\-@\t\r]/.test(text)) {
    text = `'${text}`;
  }
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function csvLine(record: UsageRecord): string {
  return `${COLUMNS.map(c => csvField(record[c])).join(',')}\n`;
}

/**
 * The usage records as CSV, read from the database a batch at a time as the
 * stream is read: piped into a response, a batch is read only once the
 * client has taken the ones before, so memory stays constant whatever the
 * number of records.
 */
export function usageCsvStream(
  readPage: (
    cursor: NewestFirstCursor | undefined,
    limit: number,
  ) => Promise<Page<UsageRecord, NewestFirstCursor>>,
): Readable {
  async function* lines() {
    yield `${COLUMNS.join(',')}\n`;
    let cursor: NewestFirstCursor | undefined;
    do {
      const page = await readPage(cursor, EXPORT_BATCH);
      yield page.items.map(csvLine).join('');
      cursor = page.nextCursor;
    } while (cursor);
  }
  // one batch at a time is buffered ahead of the client, not sixteen
  return Readable.from(lines(), { objectMode: false, highWaterMark: 1 });
}
