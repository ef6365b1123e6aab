import {
  AuditorService,
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { InputError, NotAllowedError } from '@backstage/errors';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  auditLogReadPermission,
  AuditLogFilter,
} from '@internal/plugin-audit-common';
import express from 'express';
import Router from 'express-promise-router';
import { once } from 'node:events';
import { AuditLogStore } from '../database/AuditLogStore';
import { csvHeader, csvLine } from './csv';

const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 500;
const EXPORT_PAGE = 1_000;

/**
 * Resolves once a response that buffered too much takes more; rejects when
 * the client goes away first.
 */
async function drained(res: express.Response): Promise<void> {
  const listening = new AbortController();
  const { signal } = listening;
  try {
    await Promise.race([
      once(res, 'drain', { signal }),
      once(res, 'close', { signal }).then(() => {
        throw new Error('The client closed the connection during the export');
      }),
    ]);
  } finally {
    // stop listening for the event that did not come
    listening.abort();
  }
}

/** Options of {@link createRouter}. */
export interface RouterOptions {
  store: AuditLogStore;
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  auditor: AuditorService;
}

function optionalString(query: express.Request['query'], key: string) {
  const value = query[key];
  if (value === undefined || value === '') {
    return undefined;
  }
  if (typeof value !== 'string') {
    throw new InputError(`Query parameter '${key}' must be given once`);
  }
  return value;
}

function optionalTime(query: express.Request['query'], key: string) {
  const value = optionalString(query, key);
  if (value === undefined) {
    return undefined;
  }
  const time = new Date(value);
  if (Number.isNaN(time.getTime())) {
    throw new InputError(
      `Query parameter '${key}' must be an ISO date or time, got '${value}'`,
    );
  }
  return time.toISOString();
}

function optionalPositiveInteger(
  query: express.Request['query'],
  key: string,
  max = Number.MAX_SAFE_INTEGER,
) {
  const value = optionalString(query, key);
  if (value === undefined) {
    return undefined;
  }
  const number = Number(value);
  if (!/^\d+$/.test(value) || number < 1 || number > max) {
    throw new InputError(
      `Query parameter '${key}' must be an integer from 1 to ${max}, got '${value}'`,
    );
  }
  return number;
}

function readFilter(query: express.Request['query']): AuditLogFilter {
  const status = optionalString(query, 'status');
  if (status !== undefined && status !== 'succeeded' && status !== 'failed') {
    throw new InputError(
      `Query parameter 'status' must be 'succeeded' or 'failed', got '${status}'`,
    );
  }
  const filter: AuditLogFilter = {
    user: optionalString(query, 'user'),
    action: optionalString(query, 'action'),
    target: optionalString(query, 'target'),
    plugin: optionalString(query, 'plugin'),
    status,
    from: optionalTime(query, 'from'),
    to: optionalTime(query, 'to'),
  };
  if (filter.from && filter.to && filter.from > filter.to) {
    throw new InputError(`'from' must not be after 'to'`);
  }
  return filter;
}

/**
 * The audit API under /api/audit, for administrators only: the log with
 * filters and cursor pages, its CSV export and the verification of its hash
 * chain.
 */
export async function createRouter(
  options: RouterOptions,
): Promise<express.Router> {
  const { store, httpAuth, permissions, auditor } = options;
  const router = Router();
  router.use(express.json());

  async function authorize(req: express.Request) {
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    const [decision] = await permissions.authorize(
      [{ permission: auditLogReadPermission }],
      { credentials },
    );
    if (decision.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError('Only administrators read the audit log');
    }
  }

  router.get('/events', async (req, res) => {
    await authorize(req);
    const filter = readFilter(req.query);
    const limit =
      optionalPositiveInteger(req.query, 'limit', MAX_LIMIT) ?? DEFAULT_LIMIT;
    const cursor = optionalPositiveInteger(req.query, 'cursor');
    const page = await store.list({ filter, limit, cursor });
    res.json({
      items: page.items,
      ...(page.nextCursor !== undefined && {
        nextCursor: String(page.nextCursor),
      }),
    });
  });

  // The whole filtered log, newest first, read page by page as it is sent.
  router.get('/events/export', async (req, res) => {
    await authorize(req);
    const filter = readFilter(req.query);
    const event = await auditor.createEvent({
      eventId: 'log-export',
      severityLevel: 'medium',
      request: req,
      meta: { filter: JSON.parse(JSON.stringify(filter)) },
    });
    res.status(200);
    res.setHeader('content-type', 'text/csv; charset=utf-8');
    res.setHeader(
      'content-disposition',
      'attachment; filename="audit-log.csv"',
    );
    res.write(csvHeader());
    let cursor: number | undefined;
    let rows = 0;
    try {
      do {
        const page = await store.list({ filter, limit: EXPORT_PAGE, cursor });
        // the next page is read once the client has taken this one
        if (!res.write(page.items.map(csvLine).join(''))) {
          await drained(res);
        }
        rows += page.items.length;
        cursor = page.nextCursor;
      } while (cursor !== undefined);
    } catch (error) {
      await event.fail({ error: error as Error });
      // The status is sent already: cut the response short.
      res.destroy(error as Error);
      return;
    }
    await event.success({ meta: { rows } });
    res.end();
  });

  router.post('/verify', async (req, res) => {
    await authorize(req);
    const event = await auditor.createEvent({
      eventId: 'chain-verify',
      severityLevel: 'medium',
      request: req,
    });
    try {
      const result = await store.verify();
      await event.success({
        meta: {
          ok: result.ok,
          checked: result.checked,
          ...(result.firstMismatch && {
            firstMismatchSeq: result.firstMismatch.seq,
          }),
        },
      });
      res.json(result);
    } catch (error) {
      await event.fail({ error: error as Error });
      throw error;
    }
  });

  return router;
}
