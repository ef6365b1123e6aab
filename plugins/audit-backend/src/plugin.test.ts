import {
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
// A real plugin whose mutations are audited, as in the backend.
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import cloudPlugin from '@internal/plugin-cloud-backend';
import { mockCatalogWithOwnerGroup } from '@internal/plugin-cloud-node/testUtils';
import { auditLogReadPermission } from '@internal/plugin-audit-common';
import { Knex } from 'knex';
import request from 'supertest';
import { auditPlugin } from './plugin';
import { auditorServiceFactory } from './service/auditorServiceFactory';

jest.setTimeout(120_000);

const ADMIN = 'user:default/platform-admin';
const DEVELOPER = 'user:default/developer';
const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

/** Polls `fn` until it returns something, for up to 30 seconds. */
async function eventually<T>(fn: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const value = await fn();
    if (value !== undefined) {
      return value;
    }
    if (Date.now() > deadline) {
      throw new Error('Timed out waiting for the audit log');
    }
    await new Promise(resolve => setTimeout(resolve, 50));
  }
}

describe.each(databases.eachSupportedId())('audit plugin on %s', id => {
  let backend: Awaited<ReturnType<typeof startTestBackend>>;
  let auditKnex: Knex;
  const scheduler = mockServices.scheduler.mock();
  const permissions = mockServices.permissions.mock({
    authorize: async (requests, options) =>
      requests.map(({ permission }) => ({
        result:
          permission.name !== auditLogReadPermission.name ||
          (options.credentials.principal as { userEntityRef?: string })
            .userEntityRef === ADMIN
            ? AuthorizeResult.ALLOW
            : AuthorizeResult.DENY,
      })),
    authorizeConditional: async requests =>
      requests.map(() => ({ result: AuthorizeResult.ALLOW })),
  });

  beforeAll(async () => {
    backend = await startTestBackend({
      features: [
        auditPlugin,
        auditorServiceFactory,
        cloudPlugin,
        mockCatalogWithOwnerGroup(),
        permissions.factory,
        scheduler.factory,
        mockServices.rootConfig.factory({
          data: { audit: { retentionDays: 30 } },
        }),
        // Each plugin its own database, as in a real backend.
        createServiceFactory({
          service: coreServices.database,
          deps: { plugin: coreServices.pluginMetadata },
          async factory({ plugin }) {
            const knex = await databases.init(id);
            if (plugin.getId() === 'audit') {
              auditKnex = knex;
            }
            return { getClient: async () => knex };
          },
        }),
      ],
    });
  });

  afterAll(async () => {
    await backend?.stop();
  });

  const as = (user: string) => mockCredentials.user.header(user);
  const events = (query: string, user = ADMIN) =>
    request(backend.server)
      .get(`/api/audit/events${query}`)
      .set('authorization', as(user));
  const verify = async () => {
    const res = await request(backend.server)
      .post('/api/audit/verify')
      .set('authorization', as(ADMIN));
    expect(res.status).toBe(200);
    return res.body;
  };
  async function deleteMissingStack(stackId: string) {
    const res = await request(backend.server)
      .delete(`/api/cloud/stacks/${stackId}`)
      .set('authorization', as(DEVELOPER));
    expect(res.status).toBe(404);
    return eventually(async () => {
      const page = await events(`?target=stack:${stackId}`);
      return page.body.items?.[0];
    });
  }

  it('stores the events of a cloud mutation: who, what, target, address, outcome', async () => {
    const record = await deleteMissingStack('no-such-stack');
    expect(record).toMatchObject({
      plugin: 'cloud',
      eventId: 'stack-delete',
      action: 'STACK_DELETE',
      severityLevel: 'medium',
      actor: DEVELOPER,
      target: 'stack:no-such-stack',
      ip: expect.stringMatching(/127\.0\.0\.1/),
      request: { method: 'DELETE', url: '/api/cloud/stacks/no-such-stack' },
      status: 'failed',
      error: expect.stringMatching(/^NotFoundError: .*no-such-stack/),
      meta: { stackId: 'no-such-stack' },
      hash: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(Date.parse(record.occurredAt)).toBeGreaterThan(Date.now() - 60_000);
    // One record per operation: its end, not its start.
    const all = await events('?target=stack:no-such-stack');
    expect(all.body.items).toHaveLength(1);
  });

  it('filters by user, action and date range', async () => {
    const mine = await events(`?user=${DEVELOPER}&action=STACK_DELETE`);
    expect(mine.status).toBe(200);
    expect(mine.body.items.length).toBeGreaterThanOrEqual(1);
    expect(await events(`?user=${ADMIN}&action=stack-delete`)).toMatchObject({
      status: 200,
      body: { items: [] },
    });
    const future = new Date(Date.now() + 60_000).toISOString();
    expect((await events(`?from=${future}`)).body.items).toEqual([]);
    expect((await events(`?to=${future}`)).body.items.length).toBeGreaterThan(
      0,
    );
    const bad = await events('?from=yesterday');
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/'from' must be an ISO date/);
  });

  it('serves the log to admins only', async () => {
    expect((await events('', DEVELOPER)).status).toBe(403);
    expect(
      (
        await request(backend.server)
          .post('/api/audit/verify')
          .set('authorization', as(DEVELOPER))
      ).status,
    ).toBe(403);
    expect(
      (
        await request(backend.server)
          .get('/api/audit/events/export')
          .set('authorization', as(DEVELOPER))
      ).status,
    ).toBe(403);
    const anonymous = await request(backend.server)
      .get('/api/audit/events')
      .set('authorization', mockCredentials.none.header());
    expect(anonymous.status).toBe(401);
  });

  it('exports the filtered log as CSV', async () => {
    const res = await request(backend.server)
      .get('/api/audit/events/export?action=STACK_DELETE')
      .set('authorization', as(ADMIN));
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    const lines = res.text.trim().split('\r\n');
    expect(lines[0]).toMatch(/^seq,occurredAt,plugin,action,eventId,/);
    expect(lines.length).toBeGreaterThanOrEqual(2);
    expect(lines[1]).toContain(
      `cloud,STACK_DELETE,stack-delete,medium,${DEVELOPER},stack:no-such-stack`,
    );
  });

  it('removes records past the retention on schedule, and the rest still verifies', async () => {
    expect(await verify()).toMatchObject({ ok: true });
    const task = scheduler.scheduleTask.mock.calls
      .map(([t]) => t)
      .find(t => t.id === 'audit-log-retention');
    expect(task).toMatchObject({ frequency: { hours: 1 } });
    const now = Date.now();
    const clock = jest
      .spyOn(Date, 'now')
      .mockReturnValue(now + 31 * 24 * 60 * 60 * 1000);
    try {
      await task!.fn(new AbortController().signal);
    } finally {
      clock.mockRestore();
    }
    expect((await events('?target=stack:no-such-stack')).body.items).toEqual(
      [],
    );
    const head = await auditKnex('audit_chain_head').first();
    expect(Number(head.purged_seq)).toBeGreaterThan(0);

    await deleteMissingStack('after-purge');
    expect(await verify()).toMatchObject({ ok: true });
  });

  it('names the record that was changed in the database', async () => {
    const record = await deleteMissingStack('to-be-tampered');
    await auditKnex('audit_events')
      .where({ seq: record.seq })
      .update({ actor: ADMIN });
    expect(await verify()).toMatchObject({
      ok: false,
      firstMismatch: {
        seq: record.seq,
        reason: 'its content does not match its hash',
      },
    });
  });
});
