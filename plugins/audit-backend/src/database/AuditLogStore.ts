import {
  DatabaseService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import {
  AuditChainVerification,
  AuditEventStatus,
  AuditLogFilter,
  AuditLogRecord,
} from '@internal/plugin-audit-common';
import { JsonObject } from '@backstage/types';
import { createHash } from 'node:crypto';
import { Knex } from 'knex';

/** An audit event to append to the log. */
export interface AuditLogEntry {
  occurredAt: string;
  plugin: string;
  eventId: string;
  action: string;
  severityLevel: AuditLogRecord['severityLevel'];
  actor?: string;
  target?: string;
  ip?: string;
  userAgent?: string;
  request?: { method: string; url: string };
  status: AuditEventStatus;
  error?: string;
  meta?: JsonObject;
}

type EventRow = {
  seq: number | string;
  occurred_at: string;
  plugin: string;
  event_id: string;
  action: string;
  severity_level: string;
  actor: string | null;
  target: string | null;
  ip: string | null;
  user_agent: string | null;
  request_method: string | null;
  request_url: string | null;
  status: string;
  error: string | null;
  meta: string | null;
  previous_hash: string;
  hash: string;
};

type HeadRow = {
  seq: number | string;
  hash: string;
  purged_seq: number | string;
  purged_hash: string;
};

const EVENTS = 'audit_events';
const HEAD = 'audit_chain_head';
const INSERT_CHUNK = 50;
const VERIFY_PAGE = 500;

const migrationsDir = resolvePackagePath(
  '@internal/plugin-audit-backend',
  'migrations',
);

/** `ORDER_CREATE` for `order-create`, as the audit log names actions. */
export function actionOf(eventId: string): string {
  return eventId.trim().replace(/-/g, '_').toUpperCase();
}

/**
 * The hash of a row: sha256 over its columns as stored, in a fixed order,
 * and the hash of the row before it.
 */
export function hashOf(row: Omit<EventRow, 'hash'>): string {
  const canonical = JSON.stringify([
    Number(row.seq),
    row.occurred_at,
    row.plugin,
    row.event_id,
    row.action,
    row.severity_level,
    row.actor ?? null,
    row.target ?? null,
    row.ip ?? null,
    row.user_agent ?? null,
    row.request_method ?? null,
    row.request_url ?? null,
    row.status,
    row.error ?? null,
    row.meta ?? null,
    row.previous_hash,
  ]);
  return createHash('sha256').update(canonical).digest('hex');
}

// Indexed columns are varchar(255) on PostgreSQL.
function short(value: string | undefined): string | null {
  return value === undefined ? null : value.slice(0, 255);
}

function toRecord(row: EventRow): AuditLogRecord {
  return {
    seq: Number(row.seq),
    occurredAt: row.occurred_at,
    plugin: row.plugin,
    eventId: row.event_id,
    action: row.action,
    severityLevel: row.severity_level as AuditLogRecord['severityLevel'],
    actor: row.actor ?? undefined,
    target: row.target ?? undefined,
    ip: row.ip ?? undefined,
    userAgent: row.user_agent ?? undefined,
    request:
      row.request_method && row.request_url
        ? { method: row.request_method, url: row.request_url }
        : undefined,
    status: row.status as AuditEventStatus,
    error: row.error ?? undefined,
    meta: row.meta ? JSON.parse(row.meta) : undefined,
    previousHash: row.previous_hash,
    hash: row.hash,
  };
}

/** Why `row` is not the record expected at its place, if it is not. */
function mismatchOf(
  row: EventRow,
  expected: { seq: number; previousHash: string; firstKept: number },
): string | undefined {
  const seq = Number(row.seq);
  if (seq !== expected.seq) {
    return `records ${expected.seq} to ${seq - 1} before it are missing`;
  }
  const { hash, ...content } = row;
  if (hashOf(content) !== hash) {
    return 'its content does not match its hash';
  }
  if (row.previous_hash !== expected.previousHash) {
    return seq === expected.firstKept
      ? 'its previous hash is not the hash of the last record removed by retention'
      : `its previous hash is not the hash of record ${seq - 1}`;
  }
  return undefined;
}

/**
 * The audit log in the database: appends chained by hashes, queries for
 * admins, verification of the chain and removal of old records.
 *
 * Appends lock the chain's head row, so that backend instances sharing one
 * PostgreSQL database extend one chain; SQLite serialises writes anyway.
 */
export class AuditLogStore {
  private constructor(private readonly db: Knex) {}

  static async create(database: DatabaseService): Promise<AuditLogStore> {
    const db = await database.getClient();
    if (!database.migrations?.skip) {
      await db.migrate.latest({ directory: migrationsDir });
    }
    return new AuditLogStore(db);
  }

  /** Only for tests that start from a migrated client. */
  static async forClient(db: Knex): Promise<AuditLogStore> {
    await db.migrate.latest({ directory: migrationsDir });
    return new AuditLogStore(db);
  }

  /** Appends the entries, in order, at the end of the chain. */
  async append(entries: AuditLogEntry[]): Promise<void> {
    if (entries.length === 0) {
      return;
    }
    await this.db.transaction(async tx => {
      const head = await this.lockHead(tx);
      let seq = Number(head.seq);
      let previousHash = head.hash;
      const rows: EventRow[] = entries.map(entry => {
        seq += 1;
        const row: Omit<EventRow, 'hash'> = {
          seq,
          occurred_at: new Date(entry.occurredAt).toISOString(),
          plugin: short(entry.plugin)!,
          event_id: short(entry.eventId)!,
          action: short(entry.action)!,
          severity_level: entry.severityLevel,
          actor: short(entry.actor),
          target: short(entry.target),
          ip: short(entry.ip),
          user_agent: entry.userAgent ?? null,
          request_method: short(entry.request?.method),
          request_url: entry.request?.url ?? null,
          status: entry.status,
          error: entry.error ?? null,
          meta: entry.meta ? JSON.stringify(entry.meta) : null,
          previous_hash: previousHash,
        };
        previousHash = hashOf(row);
        return { ...row, hash: previousHash };
      });
      for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
        await tx(EVENTS).insert(rows.slice(i, i + INSERT_CHUNK));
      }
      await tx(HEAD).where({ id: 1 }).update({ seq, hash: previousHash });
    });
  }

  /** Newest first; `cursor` is the `seq` below which the page starts. */
  async list(options: {
    filter: AuditLogFilter;
    limit: number;
    cursor?: number;
  }): Promise<{ items: AuditLogRecord[]; nextCursor?: number }> {
    const query = this.filtered(options.filter)
      .orderBy('seq', 'desc')
      .limit(options.limit + 1);
    if (options.cursor !== undefined) {
      query.where('seq', '<', options.cursor);
    }
    const rows: EventRow[] = await query;
    const items = rows.slice(0, options.limit).map(toRecord);
    return {
      items,
      nextCursor:
        rows.length > options.limit ? items[items.length - 1].seq : undefined,
    };
  }

  /**
   * Checks every kept record against its hash and its predecessor, from the
   * last record removed by retention to the head of the chain.
   */
  async verify(): Promise<AuditChainVerification> {
    // One snapshot: appends and purges of other instances do not show
    // half-way through.
    return this.db.transaction(
      async tx => {
        const head: HeadRow = await tx(HEAD).where({ id: 1 }).first();
        let expectedSeq = Number(head.purged_seq) + 1;
        let expectedPrevious = head.purged_hash;
        let checked = 0;
        for (;;) {
          const rows: EventRow[] = await tx(EVENTS)
            .where('seq', '>=', expectedSeq)
            .orderBy('seq', 'asc')
            .limit(VERIFY_PAGE);
          for (const row of rows) {
            const reason = mismatchOf(row, {
              seq: expectedSeq,
              previousHash: expectedPrevious,
              firstKept: Number(head.purged_seq) + 1,
            });
            if (reason) {
              return {
                ok: false,
                checked,
                firstMismatch: { seq: Number(row.seq), reason },
              };
            }
            checked += 1;
            expectedSeq += 1;
            expectedPrevious = row.hash;
          }
          if (rows.length < VERIFY_PAGE) {
            break;
          }
        }
        if (expectedSeq - 1 !== Number(head.seq)) {
          return {
            ok: false,
            checked,
            firstMismatch: {
              seq: expectedSeq,
              reason: `records ${expectedSeq} to ${head.seq} are missing`,
            },
          };
        }
        if (expectedPrevious !== head.hash) {
          return {
            ok: false,
            checked,
            firstMismatch: {
              seq: expectedSeq - 1,
              reason:
                'its hash is not the hash recorded at the head of the chain',
            },
          };
        }
        return { ok: true, checked };
      },
      this.db.client.config.client === 'pg'
        ? { isolationLevel: 'repeatable read' }
        : undefined,
    );
  }

  /**
   * Removes the records that occurred before `before`, oldest first, and
   * keeps the hash of the last one removed for verification. Returns how
   * many were removed.
   */
  async purgeBefore(before: Date): Promise<number> {
    return this.db.transaction(async tx => {
      await this.lockHead(tx);
      // The chain is cut at one point: clocks of several instances may
      // disagree a little, so a record is kept or removed by its position.
      const last = await tx(EVENTS)
        .where('occurred_at', '<', before.toISOString())
        .max({ seq: 'seq' })
        .first();
      if (last?.seq === null || last?.seq === undefined) {
        return 0;
      }
      const lastSeq = Number(last.seq);
      const { hash } = await tx(EVENTS).where({ seq: lastSeq }).first('hash');
      const removed = await tx(EVENTS).where('seq', '<=', lastSeq).delete();
      await tx(HEAD)
        .where({ id: 1 })
        .update({ purged_seq: lastSeq, purged_hash: hash });
      return removed;
    });
  }

  private async lockHead(tx: Knex.Transaction): Promise<HeadRow> {
    const query = tx(HEAD).where({ id: 1 });
    // SQLite has no row locks and needs none: it writes one at a time.
    if (this.db.client.config.client === 'pg') {
      query.forUpdate();
    }
    return (await query.first()) as HeadRow;
  }

  private filtered(filter: AuditLogFilter) {
    const query = this.db<EventRow>(EVENTS);
    if (filter.user) {
      query.where('actor', filter.user);
    }
    if (filter.action) {
      query.where('action', actionOf(filter.action));
    }
    if (filter.target) {
      query.where('target', filter.target);
    }
    if (filter.plugin) {
      query.where('plugin', filter.plugin);
    }
    if (filter.status) {
      query.where('status', filter.status);
    }
    if (filter.from) {
      query.where('occurred_at', '>=', filter.from);
    }
    if (filter.to) {
      query.where('occurred_at', '<', filter.to);
    }
    return query;
  }
}
