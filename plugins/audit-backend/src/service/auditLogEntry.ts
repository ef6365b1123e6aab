import type { AuditorEvent } from '@backstage/backend-defaults/auditor';
import { AuditorServiceEventSeverityLevel } from '@backstage/backend-plugin-api';
import { JsonObject } from '@backstage/types';
import { actionOf, AuditLogEntry } from '../database/AuditLogStore';

const SEVERITIES: AuditorServiceEventSeverityLevel[] = [
  'low',
  'medium',
  'high',
  'critical',
];

/** Whether `level` is `minimum` or above it. */
export function isAtLeast(
  level: AuditorServiceEventSeverityLevel,
  minimum: AuditorServiceEventSeverityLevel,
): boolean {
  return SEVERITIES.indexOf(level) >= SEVERITIES.indexOf(minimum);
}

/** Reads a severity level, refusing what is not one. */
export function toSeverityLevel(
  value: string,
  key: string,
): AuditorServiceEventSeverityLevel {
  if (!SEVERITIES.includes(value as AuditorServiceEventSeverityLevel)) {
    throw new Error(
      `Invalid ${key} '${value}', expected one of ${SEVERITIES.join(', ')}`,
    );
  }
  return value as AuditorServiceEventSeverityLevel;
}

/**
 * Meta keys that name what an event acted upon, most specific first, with
 * the kind that prefixes their value in the target.
 */
const TARGET_KEYS: Array<[key: string, kind?: string]> = [
  ['entityRef'],
  ['templateRef'],
  ['subscriptionId', 'subscription'],
  ['stackId', 'stack'],
  ['nodeId', 'node'],
  ['invoiceId', 'invoice'],
  ['orderId', 'order'],
  ['taskId', 'task'],
  ['product', 'product'],
  ['location', 'location'],
  ['userEntityRef'],
  // a sign-in refused before it found a user: the e-mail it claimed
  ['email'],
];

/** What an event acted upon, from its meta: `meta.target` or a known key. */
export function targetOf(meta: JsonObject | undefined): string | undefined {
  if (!meta) {
    return undefined;
  }
  if (typeof meta.target === 'string') {
    return meta.target;
  }
  for (const [key, kind] of TARGET_KEYS) {
    const value = meta[key];
    if (typeof value === 'string' && value) {
      return kind ? `${kind}:${value}` : value;
    }
  }
  return undefined;
}

/**
 * The audit log entry of a finished auditor event. Events without an actor
 * of their own, sign-ins, name the user in `meta.userEntityRef`.
 */
export function toAuditLogEntry(
  event: AuditorEvent,
  occurredAt: Date,
): AuditLogEntry | undefined {
  if (event.status === 'initiated') {
    return undefined;
  }
  const userEntityRef = event.meta?.userEntityRef;
  let error: string | undefined;
  if (event.status === 'failed') {
    const { name, message } = event.error ?? {};
    error = name && name !== 'Error' ? `${name}: ${message}` : String(message);
  }
  return {
    occurredAt: occurredAt.toISOString(),
    plugin: event.plugin,
    eventId: event.eventId,
    action: actionOf(event.eventId),
    severityLevel: event.severityLevel,
    actor:
      event.actor.actorId ??
      (typeof userEntityRef === 'string' ? userEntityRef : undefined),
    target: targetOf(event.meta),
    ip: event.actor.ip,
    userAgent: event.actor.userAgent,
    request: event.request,
    status: event.status,
    error,
    meta: event.meta,
  };
}
