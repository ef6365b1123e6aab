import { AuditLogRecord } from '@internal/plugin-audit-common';

/** The columns of the CSV export, in order. */
export const CSV_COLUMNS: Array<[string, (r: AuditLogRecord) => unknown]> = [
  ['seq', r => r.seq],
  ['occurredAt', r => r.occurredAt],
  ['plugin', r => r.plugin],
  ['action', r => r.action],
  ['eventId', r => r.eventId],
  ['severityLevel', r => r.severityLevel],
  ['actor', r => r.actor],
  ['target', r => r.target],
  ['ip', r => r.ip],
  ['status', r => r.status],
  ['error', r => r.error],
  ['method', r => r.request?.method],
  ['url', r => r.request?.url],
  ['userAgent', r => r.userAgent],
  ['meta', r => (r.meta ? JSON.stringify(r.meta) : undefined)],
  ['hash', r => r.hash],
];

/**
 * One CSV field (RFC 4180). Text that a spreadsheet would run as a formula
 * gets a leading apostrophe: the log holds what users typed.
 */
export function csvField(value: unknown): string {
  if (value === undefined || value === null) {
    return '';
  }
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) {
    text = `'${text}`;
  }
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The header line of the export. */
export function csvHeader(): string {
  return `${CSV_COLUMNS.map(([name]) => name).join(',')}\r\n`;
}

/** One record as a CSV line. */
export function csvLine(record: AuditLogRecord): string {
  return `${CSV_COLUMNS.map(([, get]) => csvField(get(record))).join(',')}\r\n`;
}
