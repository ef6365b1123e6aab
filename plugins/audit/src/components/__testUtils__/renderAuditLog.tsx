import { mockApis, renderInTestApp } from '@backstage/frontend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import { AuditApi, AuditLogRecord } from '@internal/plugin-audit-common';
import { auditApiRef } from '../../api';
import { rootRouteRef } from '../../routes';
import { AuditLogPage } from '../AuditLogPage';
import { AuditSidebarItem } from '../AuditSidebarItem';
import { catalogApis, catalogMountedRoutes } from './catalog';

/** Waits long enough for the first render of a page with tables. */
export const FIRST_RENDER = { timeout: 30_000 };

function record(
  seq: number,
  fields: Partial<AuditLogRecord> = {},
): AuditLogRecord {
  return {
    seq,
    occurredAt: new Date(Date.UTC(2026, 11, 1, 9, seq)).toISOString(),
    plugin: 'store',
    eventId: 'order-create',
    action: 'ORDER_CREATE',
    severityLevel: 'medium',
    actor: 'user:default/developer',
    target: `order:${seq}`,
    ip: '10.0.0.7',
    status: 'succeeded',
    previousHash: '0'.repeat(64),
    hash: String(seq).padStart(64, '0'),
    ...fields,
  };
}

/** A sign-in, a refused approval and an order, newest first, on 2 pages. */
export const RECORDS = [
  record(3, {
    plugin: 'auth',
    eventId: 'login',
    action: 'LOGIN',
    target: undefined,
  }),
  record(2, {
    eventId: 'order-approve',
    action: 'ORDER_APPROVE',
    status: 'failed',
    error: 'You may not approve your own order',
  }),
  record(1, { actor: 'plugin:scaffolder', target: 'order:1' }),
];

/**
 * Renders the audit log page and its sidebar entry with an audit API that
 * pages {@link RECORDS} two at a time, for a user who may or may not read
 * the log.
 */
export function renderAuditLog(options: { allowed: boolean }) {
  const listEvents = jest.fn<
    ReturnType<AuditApi['listEvents']>,
    Parameters<AuditApi['listEvents']>
  >(async (_filter, page) =>
    page?.cursor
      ? { items: RECORDS.slice(2) }
      : { items: RECORDS.slice(0, 2), nextCursor: '2' },
  );
  const verify = jest.fn(async () => ({
    ok: false,
    checked: 3,
    firstMismatch: { seq: 2, reason: 'its hash does not match its content' },
  }));
  const exportCsv = jest.fn(async () => 'seq\n');
  const api: AuditApi = { listEvents, verify, exportCsv };
  const authorize = jest.fn(() =>
    options.allowed ? AuthorizeResult.ALLOW : AuthorizeResult.DENY,
  );
  renderInTestApp(
    <>
      <AuditSidebarItem />
      <AuditLogPage />
    </>,
    {
      apis: [
        [auditApiRef, api],
        [permissionApiRef, mockApis.permission({ authorize })],
        ...catalogApis(),
      ],
      mountedRoutes: {
        '/audit': rootRouteRef,
        ...catalogMountedRoutes,
      },
    },
  );
  return { listEvents, verify, exportCsv, authorize };
}
