import { TestDatabaseId, TestDatabases } from '@backstage/backend-test-utils';
import knexFactory, { Knex } from 'knex';
import { mockServices } from '@backstage/backend-test-utils';
import { makeProduct } from '../__testUtils__/products';
import { toIndexedProduct } from '../service/toIndexedProduct';
import { OrdersStore } from './OrdersStore';
import { ProductsStore } from './ProductsStore';
import { selectPrepared, StatementsByDecision } from './selectPrepared';
import { ProductPermissionFilter } from './types';

jest.setTimeout(60_000);

const databases = TestDatabases.create();

async function withTable(db: Knex) {
  await db.schema.createTable('things', table => {
    table.string('id').primary();
    table.string('color').notNullable();
  });
  await db('things').insert([
    { id: 'a', color: 'red' },
    { id: 'b', color: 'blue' },
    { id: 'c', color: "'; drop table things; --" },
  ]);
}

const byColor = (db: Knex, colors: string[]) =>
  db('things').select('id').whereIn('color', colors).orderBy('id');

describe.each(databases.eachSupportedId())('selectPrepared on %s', id => {
  it('answers as the query would, with its values bound', async () => {
    const db = await databases.init(id);
    await withTable(db);
    for (const colors of [['red'], ['blue'], ['red', 'blue'], ['green']]) {
      expect(await selectPrepared(db, byColor(db, colors))).toEqual(
        await byColor(db, colors),
      );
    }
    expect(
      await selectPrepared(db, byColor(db, ["'; drop table things; --"])),
    ).toEqual([{ id: 'c' }]);
    // A query compiled once, as a caller keeps it.
    const compiled = byColor(db, ['red', 'blue']).toSQL();
    expect(await selectPrepared(db, compiled)).toEqual([
      { id: 'a' },
      { id: 'b' },
    ]);
    expect(await db('things').select('id').orderBy('id')).toEqual([
      { id: 'a' },
      { id: 'b' },
      { id: 'c' },
    ]);
  });

  it('runs within a transaction as part of it', async () => {
    const db = await databases.init(id);
    await withTable(db);
    await db.transaction(async trx => {
      await trx('things').insert({ id: 'd', color: 'green' });
      expect(await selectPrepared(trx, byColor(trx, ['green']))).toEqual([
        { id: 'd' },
      ]);
      expect(
        await selectPrepared(trx, byColor(trx, ['green', 'red']).toSQL()),
      ).toEqual([{ id: 'a' }, { id: 'd' }]);
      await trx.rollback();
    });
    expect(await selectPrepared(db, byColor(db, ['green']))).toEqual([]);
  });
});

const sqlite = databases
  .eachSupportedId()
  .filter(([id]) => id.startsWith('SQLITE'));
describe.each(sqlite)('selectPrepared on %s', sqliteId => {
  it('prepares one statement per SQL text on a connection, and reuses it', async () => {
    const db = await databases.init(sqliteId);
    await withTable(db);
    const connection = await db.client.acquireConnection();
    const prepare = jest.spyOn(connection, 'prepare');
    await db.client.releaseConnection(connection);

    expect(await selectPrepared(db, byColor(db, ['red']))).toEqual([
      { id: 'a' },
    ]);
    expect(await selectPrepared(db, byColor(db, ['blue']))).toEqual([
      { id: 'b' },
    ]);
    expect(prepare).toHaveBeenCalledTimes(1);
    await selectPrepared(db, byColor(db, ['red', 'blue']));
    expect(prepare).toHaveBeenCalledTimes(2);
    await selectPrepared(db, byColor(db, ['red', 'blue']).toSQL());
    expect(prepare).toHaveBeenCalledTimes(2);
  });

  it('binds the values of a statement kept per decision once', async () => {
    const db = await databases.init(sqliteId);
    await withTable(db);
    const connection = await db.client.acquireConnection();
    const prepared: Array<{ bind: jest.SpyInstance; all: jest.SpyInstance }> =
      [];
    const prepare = connection.prepare.bind(connection);
    jest.spyOn(connection, 'prepare').mockImplementation((sql: unknown) => {
      const statement = prepare(sql);
      prepared.push({
        bind: jest.spyOn(statement, 'bind'),
        all: jest.spyOn(statement, 'all'),
      });
      return statement;
    });
    await db.client.releaseConnection(connection);

    // Two decisions whose statements have one text and other values.
    const statements = new StatementsByDecision();
    const red = {};
    const blue = {};
    const kept = (decision: object, colors: string[]) =>
      statements.get(decision, 'by color', () => byColor(db, colors).toSQL())!;
    for (let i = 0; i < 3; i++) {
      expect(await selectPrepared(db, kept(red, ['red']))).toEqual([
        { id: 'a' },
      ]);
      expect(await selectPrepared(db, kept(blue, ['blue']))).toEqual([
        { id: 'b' },
      ]);
    }
    // One statement for each, bound once and run without values since:
    // binding again would make SQLite compile it again.
    expect(prepared).toHaveLength(2);
    for (const { bind, all } of prepared) {
      expect(bind).toHaveBeenCalledTimes(1);
      expect(all).toHaveBeenCalledTimes(3);
      expect(all.mock.calls.every(args => args.length === 0)).toBe(true);
    }
    // New statistics and a schema change make SQLite compile a statement
    // again; a bound one keeps its values. (knex prepares these two.)
    await db.raw('ANALYZE');
    await db.schema.alterTable('things', table => table.index(['color']));
    prepared.splice(2);
    expect(await selectPrepared(db, kept(red, ['red']))).toEqual([{ id: 'a' }]);
    expect(await selectPrepared(db, kept(blue, ['blue']))).toEqual([
      { id: 'b' },
    ]);
    expect(prepared).toHaveLength(2);
    // A form compiled for one run is not bound: its text's statement is.
    expect(await selectPrepared(db, byColor(db, ['red']).toSQL())).toEqual([
      { id: 'a' },
    ]);
    expect(prepared).toHaveLength(3);
    expect(prepared[2].bind).not.toHaveBeenCalled();
  });

  it('binds dates and booleans as knex does', async () => {
    const db = await databases.init(sqliteId);
    await db.schema.createTable('events', table => {
      table.string('id').primary();
      table.boolean('done').notNullable();
      table.timestamp('at').notNullable();
    });
    const at = new Date('2026-12-01T10:00:00Z');
    await db('events').insert([
      { id: 'a', done: true, at },
      { id: 'b', done: false, at: new Date('2026-12-02T10:00:00Z') },
    ]);
    const query = () =>
      db('events').select('id').where('done', true).andWhere('at', at);
    expect(await selectPrepared(db, query())).toEqual(await query());
    expect(await query()).toEqual([{ id: 'a' }]);
  });
});

// Prepared statements that the database lists are PostgreSQL's.
const postgres = databases
  .eachSupportedId()
  .filter(([id]) => id.startsWith('POSTGRES'));
if (postgres.length > 0) {
  describe.each(postgres)('selectPrepared on %s', pg => {
    it('prepares one statement per SQL text on a connection, and reuses it', async () => {
      const created = await databases.init(pg);
      await withTable(created);
      // One connection, so that its prepared statements can be listed.
      const db = knexFactory({
        client: 'pg',
        connection: created.client.config.connection,
        pool: { min: 1, max: 1 },
      });
      try {
        const prepared = async () =>
          (
            await db('pg_prepared_statements')
              .select('name', 'statement')
              .where('name', 'like', 'store_%')
          ).map(r => r.statement);

        await selectPrepared(db, byColor(db, ['red']));
        await selectPrepared(db, byColor(db, ['blue']));
        expect(await prepared()).toEqual([
          byColor(db, ['red']).toSQL().toNative().sql,
        ]);
        // Another shape is another statement.
        expect(await selectPrepared(db, byColor(db, ['red', 'blue']))).toEqual([
          { id: 'a' },
          { id: 'b' },
        ]);
        expect(await prepared()).toHaveLength(2);

        // Unprepared when asked, as behind a pooler in transaction mode.
        const colors = ['red', 'blue', 'green'];
        expect(
          await selectPrepared(db, byColor(db, colors), { prepare: false }),
        ).toEqual([{ id: 'a' }, { id: 'b' }]);
        expect(
          await selectPrepared(db, byColor(db, colors).toSQL(), {
            prepare: false,
          }),
        ).toEqual([{ id: 'a' }, { id: 'b' }]);
        expect(await prepared()).toHaveLength(2);

        // A statement that a caller keeps is put in PostgreSQL's form once,
        // whether it runs prepared or not.
        const kept = byColor(db, ['blue', 'red']).toSQL();
        const positionBindings = jest.spyOn(db.client, 'positionBindings');
        for (const prepare of [false, true, true]) {
          expect(await selectPrepared(db, kept, { prepare })).toEqual([
            { id: 'a' },
            { id: 'b' },
          ]);
        }
        expect(positionBindings).toHaveBeenCalledTimes(1);
        // A builder is compiled on each call.
        await selectPrepared(db, byColor(db, ['blue', 'red']));
        expect(positionBindings).toHaveBeenCalledTimes(2);
        positionBindings.mockRestore();
        expect(await prepared()).toHaveLength(2);
      } finally {
        await db.destroy();
      }
    });
  });
}

/**
 * A test database of one connection, whose prepared statements
 * `pg_prepared_statements` then shows.
 */
async function oneConnection(pg: TestDatabaseId): Promise<Knex> {
  const created = await databases.init(pg);
  return knexFactory({
    client: 'pg',
    connection: created.client.config.connection,
    pool: { min: 1, max: 1 },
  });
}

if (postgres.length > 0) {
  describe.each(postgres)('the stores on %s', pg => {
    it.each([true, false])(
      'prepares its hot reads only when preparedStatements is %p',
      async preparedStatements => {
        const db = await oneConnection(pg);
        try {
          const store = await ProductsStore.create({
            database: mockServices.database({ knex: db }),
            preparedStatements,
          });
          await store.replaceAll([toIndexedProduct(makeProduct('a'))]);
          const permissionFilter = {
            key: 'lifecycle' as const,
            values: ['published'],
          };
          await store.listProducts({
            filters: {},
            permissionFilter,
            sort: 'name',
            limit: 5,
          });
          await store.getFacets({ filters: {}, permissionFilter });
          expect(
            await store.getProduct({
              id: 'product:default/a',
              permissionFilter,
            }),
          ).toBeDefined();
          const orders = await OrdersStore.create({
            database: mockServices.database({ knex: db }),
            preparedStatements,
          });
          const requester = ['user:default/developer'];
          await orders.listOrders({
            filter: { requester },
            prepared: true,
            limit: 20,
          });
          // a list filtered as its caller typed runs unprepared
          await orders.listOrders({
            filter: { requester, productRef: ['product:default/a'] },
            limit: 20,
          });
          const { n } = (await db('pg_prepared_statements')
            .where('name', 'like', 'store_%')
            .count({ n: '*' })
            .first())!;
          expect(Number(n)).toBe(preparedStatements ? 4 : 0);
        } finally {
          await db.destroy();
        }
      },
    );

    // A count of plans, not a timing: a prepared page that PostgreSQL plans
    // anew on each request costs about twice one whose plan it keeps.
    it('lets PostgreSQL keep the plan of a prepared first page', async () => {
      const single = await oneConnection(pg);
      try {
        const store = await ProductsStore.create({
          database: mockServices.database({ knex: single }),
        });
        // Mostly published, as catalogs are, with the statistics that
        // PostgreSQL's planner reads.
        await store.replaceAll(
          Array.from({ length: 300 }, (_, i) =>
            toIndexedProduct(
              makeProduct(`p${i}`, {
                lifecycle: i % 10 === 0 ? 'deprecated' : 'published',
                audience: i % 7 === 0 ? ['group:default/team-data'] : undefined,
              }),
            ),
          ),
        );
        await single.raw('ANALYZE');
        // The demo policy's decision for a developer.
        const permissionFilter: ProductPermissionFilter = {
          anyOf: [
            {
              allOf: [
                { key: 'lifecycle', values: ['published'] },
                { key: 'audience', values: ['group:default/team-data'] },
              ],
            },
            {
              allOf: [
                { key: 'lifecycle', values: ['deprecated'] },
                { key: 'subscriber', values: ['user:default/developer'] },
              ],
            },
            { key: 'owner', values: ['group:default/team-data'] },
          ],
        };
        for (const sort of ['name', 'orders'] as const) {
          for (let i = 0; i < 10; i++) {
            await store.listProducts({
              filters: {},
              sort,
              limit: 10,
              permissionFilter,
            });
          }
        }
        const { rows } = await single.raw(
          'SELECT generic_plans, custom_plans FROM pg_prepared_statements',
        );
        // PostgreSQL plans a statement for its values five times, then keeps
        // a plan for all values if that one looks no dearer.
        expect(
          rows.map((r: Record<string, string>) => Number(r.generic_plans)),
        ).toEqual([5, 5]);
      } finally {
        await single.destroy();
      }
    });
  });
}

describe('StatementsByDecision', () => {
  it('builds a statement once per decision and key', () => {
    const statements = new StatementsByDecision();
    const db = knexFactory({ client: 'pg' });
    const build = jest.fn((colors: string[]) => byColor(db, colors).toSQL());
    const decision = { anyOf: [] };
    const other = { anyOf: [] };

    const first = statements.get(decision, 'red', () => build(['red']));
    expect(statements.get(decision, 'red', () => build(['red']))).toBe(first);
    expect(build).toHaveBeenCalledTimes(1);
    // Another key, another decision (even an equal one), or allow-all.
    expect(
      statements.get(decision, 'blue', () => build(['blue']))!.bindings,
    ).toEqual(['blue']);
    expect(statements.get(other, 'red', () => build(['red']))).not.toBe(first);
    const all = statements.get(undefined, 'red', () => build(['red']));
    expect(statements.get(undefined, 'red', () => build(['red']))).toBe(all);
    expect(build).toHaveBeenCalledTimes(4);
    // Nothing to build is kept too.
    const none = jest.fn(() => undefined);
    statements.get(decision, 'none', none);
    expect(statements.get(decision, 'none', none)).toBeUndefined();
    expect(none).toHaveBeenCalledTimes(1);
  });
});
