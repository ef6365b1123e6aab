import { JsonObject } from '@backstage/types';

/** How an audited operation ended. @public */
export type AuditEventStatus = 'succeeded' | 'failed';

/** One record of the audit log, as the audit API returns it. @public */
export interface AuditLogRecord {
  /** Position in the hash chain, from 1; never reused. */
  seq: number;
  /** ISO time at which the event was emitted. */
  occurredAt: string;
  /** The plugin that emitted the event, e.g. `store`. */
  plugin: string;
  /** The auditor's kebab-case event id, e.g. `order-create`. */
  eventId: string;
  /** The event id as an action name, e.g. `ORDER_CREATE`, `LOGIN`. */
  action: string;
  severityLevel: 'low' | 'medium' | 'high' | 'critical';
  /** Who: a user entity ref or the subject of a service principal. */
  actor?: string;
  /** What was acted upon, e.g. `order:5f0c…` or `stack:…`. */
  target?: string;
  /** The address the request came from. */
  ip?: string;
  userAgent?: string;
  request?: { method: string; url: string };
  status: AuditEventStatus;
  /** Why a failed operation failed. */
  error?: string;
  meta?: JsonObject;
  /** The hash of the previous record of the chain. */
  previousHash: string;
  /** sha256 of this record's canonical content and `previousHash`. */
  hash: string;
}

/** The result of verifying the hash chain. @public */
export interface AuditChainVerification {
  /** True when every kept record matches. */
  ok: boolean;
  /** How many records were checked. */
  checked: number;
  /** The first record that does not match, and why. */
  firstMismatch?: { seq: number; reason: string };
}
