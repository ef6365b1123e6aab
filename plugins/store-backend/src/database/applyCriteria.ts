import { PermissionCriteria } from '@backstage/plugin-permission-common';
import { Knex } from 'knex';

/**
 * Adds permission criteria to a query as nested WHERE clauses: `allOf`
 * becomes AND, `anyOf` OR and `not` NOT, and each leaf is written by
 * `applyLeaf`, the one part that differs between resource types. An empty
 * `allOf` holds for every row and an empty `anyOf` for none, as in
 * `criteriaSql`: knex leaves an empty group out, which lets an empty
 * `anyOf` pass every row, and the `not` of an empty `allOf` too.
 */
export function applyCriteria<TQuery extends object>(
  query: Knex.QueryBuilder,
  criteria: PermissionCriteria<TQuery>,
  applyLeaf: (query: Knex.QueryBuilder, leaf: TQuery) => void,
): void {
  if ('allOf' in criteria && criteria.allOf.length === 0) {
    query.whereRaw('1 = 1');
  } else if ('anyOf' in criteria && criteria.anyOf.length === 0) {
    query.whereRaw('1 = 0');
  } else if ('allOf' in criteria) {
    for (const part of criteria.allOf) {
      query.andWhere(inner => applyCriteria(inner, part, applyLeaf));
    }
  } else if ('anyOf' in criteria) {
    for (const part of criteria.anyOf) {
      query.orWhere(inner => applyCriteria(inner, part, applyLeaf));
    }
  } else if ('not' in criteria) {
    query.whereNot(inner => applyCriteria(inner, criteria.not, applyLeaf));
  } else {
    applyLeaf(query, criteria);
  }
}

/** A condition in SQL text, with the values of its placeholders. */
export type SqlCondition = { sql: string; bindings: Knex.Value[] };

/**
 * Permission criteria as one SQL condition, for a caller that keeps it:
 * `allOf` becomes AND, `anyOf` OR and `not` NOT, and each leaf is written
 * by `leafSql`. An empty `allOf` holds for every row and an empty `anyOf`
 * for none.
 */
export function criteriaSql<TQuery extends object>(
  criteria: PermissionCriteria<TQuery>,
  leafSql: (leaf: TQuery) => SqlCondition,
): SqlCondition {
  const join = (
    parts: PermissionCriteria<TQuery>[],
    operator: 'AND' | 'OR',
  ): SqlCondition => {
    if (parts.length === 0) {
      return { sql: operator === 'AND' ? '1 = 1' : '1 = 0', bindings: [] };
    }
    const written = parts.map(part => criteriaSql(part, leafSql));
    return {
      sql: `(${written.map(w => `(${w.sql})`).join(` ${operator} `)})`,
      bindings: written.flatMap(w => w.bindings),
    };
  };
  if ('allOf' in criteria) {
    return join(criteria.allOf, 'AND');
  }
  if ('anyOf' in criteria) {
    return join(criteria.anyOf, 'OR');
  }
  if ('not' in criteria) {
    const inner = criteriaSql(criteria.not, leafSql);
    return { sql: `NOT (${inner.sql})`, bindings: inner.bindings };
  }
  return leafSql(criteria);
}
