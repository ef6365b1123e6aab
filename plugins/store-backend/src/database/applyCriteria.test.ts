import { TestDatabases } from '@backstage/backend-test-utils';
import { PermissionCriteria } from '@backstage/plugin-permission-common';
import { Knex } from 'knex';
import { applyCriteria, criteriaSql, SqlCondition } from './applyCriteria';

jest.setTimeout(60_000);

const databases = TestDatabases.create();

type Leaf = { color: string[] };

const things = [
  { id: 'a', color: 'red' },
  { id: 'b', color: 'blue' },
  { id: 'c', color: 'green' },
];

const leafSql = (leaf: Leaf): SqlCondition =>
  leaf.color.length === 0
    ? { sql: '1 = 0', bindings: [] }
    : {
        sql: `color IN (${leaf.color.map(() => '?').join(', ')})`,
        bindings: leaf.color,
      };

const red = { color: ['red'] };
const blue = { color: ['blue'] };
const redOrGreen = { color: ['red', 'green'] };

/** Criteria and the ids they let through. */
const cases: Array<[PermissionCriteria<Leaf>, string[]]> = [
  [red, ['a']],
  [{ anyOf: [red, blue] }, ['a', 'b']],
  [{ allOf: [redOrGreen, { not: red }] }, ['c']],
  [{ not: { anyOf: [red, blue] } }, ['c']],
  [{ anyOf: [{ allOf: [redOrGreen, { not: red }] }, blue] }, ['b', 'c']],
  [{ not: { allOf: [redOrGreen, { not: red }] } }, ['a', 'b']],
  // no rows for an empty list of colors, and for any of nothing; every
  // row for all of nothing
  [{ color: [] }, []],
  [{ anyOf: [] } as unknown as PermissionCriteria<Leaf>, []],
  [{ allOf: [] } as unknown as PermissionCriteria<Leaf>, ['a', 'b', 'c']],
  [{ not: { allOf: [] } } as unknown as PermissionCriteria<Leaf>, []],
  [
    { not: { anyOf: [] } } as unknown as PermissionCriteria<Leaf>,
    ['a', 'b', 'c'],
  ],
  // text that looks like SQL stays a bound value
  [{ color: ["red') OR ('1' = '1"] }, []],
];

describe.each(databases.eachSupportedId())('permission criteria on %s', id => {
  let db: Knex;

  beforeAll(async () => {
    db = await databases.init(id);
    await db.schema.createTable('things', table => {
      table.string('id').primary();
      table.string('color').notNullable();
    });
    await db('things').insert(things);
  });

  it.each(cases)('writes %j as one condition', async (criteria, expected) => {
    const { sql, bindings } = criteriaSql(criteria, leafSql);
    const rows = await db('things')
      .select('id')
      .whereRaw(sql, bindings)
      .orderBy('id');
    expect(rows.map(r => r.id)).toEqual(expected);
  });

  it.each(cases)(
    'builds %j through the query builder',
    async (criteria, expected) => {
      const built = await db('things')
        .select('id')
        .where(inner =>
          applyCriteria(inner, criteria, (q, leaf) =>
            q.whereIn('color', leaf.color),
          ),
        )
        .orderBy('id');
      expect(built.map(r => r.id)).toEqual(expected);
    },
  );
});
