import { BackstageUserPrincipal } from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import {
  AuthorizeResult,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import { createConditionFactory } from '@backstage/plugin-permission-node';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  CLOUD_STACK_RESOURCE_TYPE,
  cloudStackReadPermission,
} from '@internal/plugin-cloud-common';
import { Knex } from 'knex';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { FakeProvider, ORG, providerModule } from './__testUtils__/providers';
import { cloudPlugin } from './plugin';
import { isStackCreator, isStackOwner } from './service/permissions';

jest.setTimeout(120_000);

const ADMIN = 'user:default/admin';
/** Reads the stacks of team-a and those they created, nothing else. */
const MEMBER = 'user:default/member';
/** May read no stack. */
const STRANGER = 'user:default/stranger';
const TEAM_A = 'group:default/team-a';
const TEAM_B = 'group:default/team-b';

const ownedBy = createConditionFactory(isStackOwner);
const createdBy = createConditionFactory(isStackCreator);

function decide(user: string, permission: string): PolicyDecision {
  if (user === ADMIN) {
    return { result: AuthorizeResult.ALLOW };
  }
  if (user === MEMBER && permission === cloudStackReadPermission.name) {
    return {
      result: AuthorizeResult.CONDITIONAL,
      pluginId: 'cloud',
      resourceType: CLOUD_STACK_RESOURCE_TYPE,
      conditions: {
        anyOf: [ownedBy({ owners: [TEAM_A] }), createdBy({ users: [MEMBER] })],
      },
    };
  }
  return { result: AuthorizeResult.DENY };
}

const permissions = mockServices.permissions.mock({
  async authorize(requests, { credentials }) {
    const user = (credentials.principal as BackstageUserPrincipal)
      .userEntityRef;
    return requests.map(r => {
      const decision = decide(user, r.permission.name);
      if (decision.result === AuthorizeResult.CONDITIONAL) {
        throw new Error(`${r.permission.name} is conditional, not basic`);
      }
      return decision;
    });
  },
  async authorizeConditional(requests, { credentials }) {
    const user = (credentials.principal as BackstageUserPrincipal)
      .userEntityRef;
    return requests.map(r => decide(user, r.permission.name));
  },
});

/** A stack of the fixture, as the inventory holds it. */
type Fixture = {
  id: string;
  owner: string;
  status: string;
  region: string;
  createdBy: string;
  createdAt: string;
  deletedAt?: string;
  nodes: Array<{ id: string; createdAt: string }>;
};

/**
 * 30 stacks a minute apart, but every third one created at the same moment
 * as the one before (ids decide between them); owned in turn by team-a and
 * team-b, some created by the member, some deleted; each with two nodes
 * created when their stack was.
 */
function fixtures(): Fixture[] {
  const base = Date.parse('2026-11-01T00:00:00.000Z');
  let minute = 0;
  return Array.from({ length: 30 }, (_, i) => {
    if (i % 3 !== 2) {
      minute += 1;
    }
    const createdAt = new Date(base + minute * 60_000).toISOString();
    return {
      id: randomUUID(),
      owner: i % 2 === 0 ? TEAM_A : TEAM_B,
      status: i % 4 === 0 ? 'stopped' : 'running',
      region: i % 5 === 0 ? 'r2' : 'r1',
      createdBy: i % 7 === 0 ? MEMBER : ADMIN,
      createdAt,
      deletedAt:
        i % 6 === 5
          ? new Date(base + (minute + 30) * 60_000).toISOString()
          : undefined,
      nodes: [0, 1].map(() => ({ id: randomUUID(), createdAt })),
    };
  });
}

/** Newest first, then by id, as the API pages. */
function newestFirst<T extends { createdAt: string; id: string }>(
  items: T[],
): T[] {
  const key = (item: T) => `${item.createdAt} ${item.id}`;
  return [...items].sort((a, b) => (key(a) < key(b) ? 1 : -1));
}

async function insertFixtures(knex: Knex, stacks: Fixture[]) {
  await knex('stacks').insert(
    stacks.map((s, i) => ({
      id: s.id,
      name: `stack-${i}`,
      owner: s.owner,
      provider: 'archive',
      region: s.region,
      status: s.deletedAt ? 'deleted' : s.status,
      spec: JSON.stringify({ roles: [{ name: 'app', count: 2 }] }),
      created_by: s.createdBy,
      created_at: s.createdAt,
      updated_at: s.createdAt,
      deleted_by: s.deletedAt ? ADMIN : null,
      deleted_at: s.deletedAt ?? null,
    })),
  );
  await knex('nodes').insert(
    stacks.flatMap(s =>
      s.nodes.map((n, j) => ({
        id: n.id,
        stack_id: s.id,
        name: `app-${j + 1}`,
        role: 'app',
        provider: 'archive',
        region: s.region,
        status: s.deletedAt ? 'deleted' : 'running',
        created_by: s.createdBy,
        created_at: n.createdAt,
        deleted_by: s.deletedAt ? ADMIN : null,
        deleted_at: s.deletedAt ?? null,
      })),
    ),
  );
}

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

describe.each(databases.eachSupportedId())('cloud lists on %s', databaseId => {
  let backend: Awaited<ReturnType<typeof startTestBackend>>;
  let knex: Knex;
  const stacks = fixtures();
  const as = (user: string) => mockCredentials.user.header(user);

  /**
   * Every page of a list, following nextCursor; checks that no page holds
   * more than `limit` items and that only the last one is short.
   */
  async function readAll(
    path: string,
    user: string,
    limit: number,
  ): Promise<Array<{ id: string; [key: string]: unknown }>> {
    const items = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const separator = path.includes('?') ? '&' : '?';
      const res = await request(backend.server)
        .get(
          `${path}${separator}limit=${limit}${
            cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''
          }`,
        )
        .set('authorization', as(user));
      expect(res.status).toBe(200);
      cursor = res.body.nextCursor;
      if (cursor) {
        expect(res.body.items).toHaveLength(limit);
      } else {
        expect(res.body.items.length).toBeLessThanOrEqual(limit);
      }
      items.push(...res.body.items);
      pages += 1;
      expect(pages).toBeLessThan(200);
    } while (cursor);
    return items;
  }

  beforeAll(async () => {
    knex = await databases.init(databaseId);
    backend = await startTestBackend({
      features: [
        cloudPlugin,
        providerModule(new FakeProvider()),
        catalogServiceMock.factory({ entities: ORG }),
        mockServices.database.factory({ knex }),
        mockServices.scheduler.factory(),
        permissions.factory,
      ],
    });
    await insertFixtures(knex, stacks);
  });

  afterAll(async () => {
    await backend?.stop();
  });

  it('honours limit, and its cursors read every stack once, newest first', async () => {
    const first = await request(backend.server)
      .get('/api/cloud/stacks?limit=1&includeDeleted=true')
      .set('authorization', as(ADMIN));
    expect(first.status).toBe(200);
    expect(first.body.items).toHaveLength(1);
    expect(first.body.nextCursor).toEqual(expect.any(String));

    const all = await readAll(
      '/api/cloud/stacks?includeDeleted=true',
      ADMIN,
      4,
    );
    expect(all.map(s => s.id)).toEqual(newestFirst(stacks).map(s => s.id));

    // without a limit, a page of 50: all 30 at once, and no next page
    const whole = await request(backend.server)
      .get('/api/cloud/stacks?includeDeleted=true')
      .set('authorization', as(ADMIN));
    expect(whole.body.items).toHaveLength(30);
    expect(whole.body.nextCursor).toBeUndefined();
  });

  it('filters in the database, so that pages of a filtered list are full', async () => {
    const expected = newestFirst(
      stacks.filter(
        s => !s.deletedAt && s.owner === TEAM_B && s.status === 'running',
      ),
    );
    expect(expected.length).toBeGreaterThan(4);
    const all = await readAll(
      `/api/cloud/stacks?owner=${encodeURIComponent(TEAM_B)}&status=running`,
      ADMIN,
      2,
    );
    expect(all.map(s => s.id)).toEqual(expected.map(s => s.id));
  });

  it('pages only the stacks a conditional decision lets the caller see, skipping none', async () => {
    const visible = (s: Fixture) =>
      s.owner === TEAM_A || s.createdBy === MEMBER;
    const expected = newestFirst(stacks.filter(s => visible(s)));
    // the member's stacks of team-b make the condition an OR of two columns
    expect(expected.some(s => s.owner === TEAM_B)).toBe(true);
    const all = await readAll(
      '/api/cloud/stacks?includeDeleted=true',
      MEMBER,
      3,
    );
    expect(all.map(s => s.id)).toEqual(expected.map(s => s.id));

    // the condition binds together with a filter, never instead of it
    const inRegion = await readAll(
      '/api/cloud/stacks?includeDeleted=true&region=r1',
      MEMBER,
      2,
    );
    expect(inRegion.map(s => s.id)).toEqual(
      expected.filter(s => s.region === 'r1').map(s => s.id),
    );

    const refused = await request(backend.server)
      .get('/api/cloud/stacks')
      .set('authorization', as(STRANGER));
    expect(refused.status).toBe(403);
  });

  it.each([
    ['limit=0', /limit/],
    ['limit=501', /limit/],
    ['limit=ten', /limit/],
    ['cursor=not-a-cursor', /Malformed cursor/],
    [
      `cursor=${Buffer.from('["yesterday","x"]').toString('base64url')}`,
      /Malformed cursor/,
    ],
  ])('answers 400 to %s', async (query, message) => {
    for (const path of [
      '/api/cloud/stacks',
      '/api/cloud/usage',
      `/api/cloud/stacks/${stacks[0].id}/alerts`,
    ]) {
      const res = await request(backend.server)
        .get(`${path}?${query}`)
        .set('authorization', as(ADMIN));
      expect(res.status).toBe(400);
      expect(res.body.error.message).toMatch(message);
    }
  });

  it('pages the usage records of stacks and nodes together, newest first, each once', async () => {
    const records = stacks.flatMap(s => [
      { kind: 'stack', id: s.id, createdAt: s.createdAt },
      ...s.nodes.map(n => ({ kind: 'node', id: n.id, createdAt: n.createdAt })),
    ]);
    const all = await readAll('/api/cloud/usage', ADMIN, 7);
    expect(all.map(r => `${r.kind}:${r.id}`)).toEqual(
      newestFirst(records).map(r => `${r.kind}:${r.id}`),
    );

    const first = await request(backend.server)
      .get('/api/cloud/usage?limit=1')
      .set('authorization', as(ADMIN));
    expect(first.body.items).toHaveLength(1);
  });

  it('filters the usage records in the database while paging', async () => {
    const from = '2026-11-01T00:10:00.000Z';
    const to = '2026-11-01T00:18:00.000Z';
    const expected = newestFirst(
      stacks
        .filter(
          s =>
            s.owner === TEAM_A &&
            s.createdAt < to &&
            (!s.deletedAt || s.deletedAt >= from),
        )
        .flatMap(s => s.nodes),
    );
    expect(expected.length).toBeGreaterThan(3);
    const all = await readAll(
      `/api/cloud/usage?kind=node&owner=${encodeURIComponent(
        TEAM_A,
      )}&from=${from}&to=${to}`,
      ADMIN,
      3,
    );
    expect(all.map(r => r.id)).toEqual(expected.map(n => n.id));
    expect(new Set(all.map(r => r.kind))).toEqual(new Set(['node']));

    const refused = await request(backend.server)
      .get('/api/cloud/usage')
      .set('authorization', as(MEMBER));
    expect(refused.status).toBe(403);
  });

  it("pages a stack's alerts newest first, for its readers only", async () => {
    const [stack] = stacks.filter(s => s.owner === TEAM_A);
    const since = Date.parse('2026-11-02T00:00:00.000Z');
    await knex('metric_alerts').insert(
      Array.from({ length: 9 }, (_, i) => ({
        stack_id: stack.id,
        // one open alert per node and rule
        node_name: `app-${i}`,
        rule: 'cpu',
        state: i % 2 ? 'resolved' : 'firing',
        message: `alert ${i}`,
        // pairs of alerts that began at the same moment
        since: since + Math.floor(i / 2) * 60_000,
        fired_at: since + Math.floor(i / 2) * 60_000,
        resolved_at: i % 2 ? since + 3_600_000 : null,
      })),
    );
    // pending alerts are not shown
    await knex('metric_alerts').insert({
      stack_id: stack.id,
      node_name: 'app-1',
      rule: 'memory',
      state: 'pending',
      message: 'pending',
      since: since + 3_600_000,
    });
    const all = await readAll(
      `/api/cloud/stacks/${stack.id}/alerts`,
      MEMBER,
      2,
    );
    expect(all.map(a => a.message)).toEqual([
      'alert 8',
      'alert 7',
      'alert 6',
      'alert 5',
      'alert 4',
      'alert 3',
      'alert 2',
      'alert 1',
      'alert 0',
    ]);

    const hidden = stacks.find(
      s => s.owner !== TEAM_A && s.createdBy !== MEMBER,
    )!;
    const res = await request(backend.server)
      .get(`/api/cloud/stacks/${hidden.id}/alerts`)
      .set('authorization', as(MEMBER));
    expect(res.status).toBe(404);
  });
});
