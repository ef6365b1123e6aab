import { mockCredentials, TestDatabases } from '@backstage/backend-test-utils';
import { ConflictError } from '@backstage/errors';
import { Knex } from 'knex';
import { hashBody } from './hashing';
import { IdempotencyStore } from './IdempotencyStore';

jest.setTimeout(60_000);

const TABLE = 'test_idempotency_keys';

/** The table shape that the plugins' migrations create. */
async function createTable(knex: Knex) {
  await knex.schema.createTable(TABLE, table => {
    table.string('principal').notNullable();
    table.string('route').notNullable();
    table.string('key').notNullable();
    table.string('body_hash').notNullable();
    table.integer('response_status').nullable();
    table.text('response_json').nullable();
    table.timestamp('created_at', { useTz: true }).notNullable().index();
    table.primary(['principal', 'route', 'key']);
  });
}

const ALICE = mockCredentials.user('user:default/alice');
const BOB = mockCredentials.user('user:default/bob');

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

describe.each(databases.eachSupportedId())('IdempotencyStore on %s', id => {
  let store: IdempotencyStore;
  let knex: Knex;

  beforeAll(async () => {
    knex = await databases.init(id);
    await createTable(knex);
    store = IdempotencyStore.create({ knex, table: TABLE });
  });

  afterEach(async () => {
    await knex(TABLE).delete();
  });

  /** A request run under a key, counting how often it really ran. */
  function counter() {
    let runs = 0;
    const run = async () => {
      runs += 1;
      return { status: 201, body: { run: runs } };
    };
    return { run, runs: () => runs };
  }

  it('claims a key once per principal and route', async () => {
    const key = { principal: 'user:default/dev', route: 'POST /x', key: 'k1' };
    await expect(store.claim({ ...key, bodyHash: 'h1' })).resolves.toEqual({
      claimed: true,
    });
    await expect(store.claim({ ...key, bodyHash: 'h1' })).resolves.toEqual({
      inProgress: true,
    });
    await store.complete({ ...key, response: { status: 201, body: { a: 1 } } });
    await expect(store.claim({ ...key, bodyHash: 'h1' })).resolves.toEqual({
      response: { status: 201, body: { a: 1 } },
    });
    await expect(store.claim({ ...key, bodyHash: 'h2' })).rejects.toThrow(
      ConflictError,
    );
    await expect(
      store.claim({ ...key, route: 'POST /y', bodyHash: 'h2' }),
    ).resolves.toEqual({ claimed: true });
    await expect(
      store.claim({ ...key, principal: 'user:default/other', bodyHash: 'h2' }),
    ).resolves.toEqual({ claimed: true });
  });

  it('answers the first response again for the same key and body', async () => {
    const { run, runs } = counter();
    const request = {
      key: 'k1',
      credentials: ALICE,
      route: 'POST /x',
      body: { a: 1, b: { c: 2, d: 3 } },
    };
    const first = await store.run(request, run);
    const again = await store.run(
      { ...request, body: { b: { d: 3, c: 2 }, a: 1 } },
      run,
    );
    expect(first).toEqual({ status: 201, body: { run: 1 } });
    expect(again).toEqual(first);
    expect(runs()).toBe(1);
  });

  it('refuses the same key with another body', async () => {
    const { run, runs } = counter();
    const request = { key: 'k1', credentials: ALICE, route: 'POST /x' };
    await store.run({ ...request, body: { a: 1 } }, run);
    await expect(
      store.run({ ...request, body: { a: 2 } }, run),
    ).rejects.toMatchObject({
      name: 'ConflictError',
      message: expect.stringMatching(/different request/),
    });
    expect(runs()).toBe(1);
  });

  it('keeps the keys of each caller and route apart', async () => {
    const { run, runs } = counter();
    const request = { key: 'k1', route: 'POST /x', body: { a: 1 } };
    await store.run({ ...request, credentials: ALICE }, run);
    await store.run({ ...request, credentials: BOB }, run);
    await store.run({ ...request, credentials: BOB, route: 'POST /y' }, run);
    expect(runs()).toBe(3);
  });

  it('runs every request without a key', async () => {
    const { run, runs } = counter();
    const request = { key: undefined, credentials: ALICE, route: 'POST /x' };
    await store.run({ ...request, body: { a: 1 } }, run);
    await store.run({ ...request, body: { a: 1 } }, run);
    expect(runs()).toBe(2);
    expect(await knex(TABLE).select()).toEqual([]);
  });

  it('lets a failed request be sent again with the same key', async () => {
    const request = {
      key: 'k1',
      credentials: ALICE,
      route: 'POST /x',
      body: { a: 1 },
    };
    await expect(
      store.run(request, async () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    await expect(
      store.run(request, async () => ({ status: 200, body: 'ok' })),
    ).resolves.toEqual({ status: 200, body: 'ok' });
  });

  it('refuses a key whose first request is still running, or answers it with whenInProgress', async () => {
    const request = {
      key: 'k1',
      credentials: ALICE,
      route: 'POST /x',
      body: { a: 1 },
    };
    await store.claim({
      principal: 'user:default/alice',
      route: 'POST /x',
      key: 'k1',
      bodyHash: hashBody({ a: 1 }),
    });
    const { run, runs } = counter();
    await expect(store.run(request, run)).rejects.toThrow(/still in progress/);
    const recovered = { status: 201, body: 'recovered' };
    await expect(
      store.run(request, run, { whenInProgress: async () => recovered }),
    ).resolves.toEqual(recovered);
    await expect(store.run(request, run)).resolves.toEqual(recovered);
    expect(runs()).toBe(0);
  });

  it('gives a key whose request was abandoned to the next request with the same body, once', async () => {
    const key = { principal: 'user:default/dev', route: 'POST /x', key: 'k1' };
    const abandonedAt = new Date('2026-01-01T00:00:00Z');
    await store.claim({ ...key, bodyHash: 'h1', now: abandonedAt });
    const soon = new Date(abandonedAt.getTime() + 9 * 60 * 1000);
    await expect(
      store.claim({ ...key, bodyHash: 'h1', now: soon }),
    ).resolves.toEqual({ inProgress: true });
    const later = new Date(abandonedAt.getTime() + 11 * 60 * 1000);
    await expect(
      store.claim({ ...key, bodyHash: 'h2', now: later }),
    ).rejects.toThrow(ConflictError);
    const attempts = await Promise.all([
      store.claim({ ...key, bodyHash: 'h1', now: later }),
      store.claim({ ...key, bodyHash: 'h1', now: later }),
    ]);
    expect(attempts).toContainEqual({ claimed: true });
    expect(attempts).toContainEqual({ inProgress: true });
    await store.complete({ ...key, response: { status: 201, body: 'done' } });
    await expect(
      store.claim({ ...key, bodyHash: 'h1', now: later }),
    ).resolves.toEqual({ response: { status: 201, body: 'done' } });
  });

  it('forgets keys older than a given time', async () => {
    const key = { principal: 'user:default/dev', route: 'POST /x' };
    await store.claim({
      ...key,
      key: 'old',
      bodyHash: 'h',
      now: new Date('2026-01-01T00:00:00Z'),
    });
    await store.claim({
      ...key,
      key: 'new',
      bodyHash: 'h',
      now: new Date('2026-01-03T00:00:00Z'),
    });
    await expect(
      store.deleteOlderThan(new Date('2026-01-02T00:00:00Z')),
    ).resolves.toBe(1);
    await expect(
      store.claim({ ...key, key: 'old', bodyHash: 'x' }),
    ).resolves.toEqual({ claimed: true });
    await expect(
      store.claim({ ...key, key: 'new', bodyHash: 'x' }),
    ).rejects.toThrow(ConflictError);
  });
});
