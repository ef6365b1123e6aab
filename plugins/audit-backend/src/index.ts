/**
 * The Cloud Store audit log: an auditor service that also stores every
 * finished event in a hash-chained table, and the admin API over it.
 *
 * @packageDocumentation
 */

export { auditPlugin as default } from './plugin';
export { auditorServiceFactory } from './service/auditorServiceFactory';
export {
  AuditEventQueue,
  auditEventQueueServiceRef,
} from './service/AuditEventQueue';
export type { AuditLogWriter } from './service/AuditEventQueue';
export type { AuditLogEntry } from './database/AuditLogStore';
