import { PermissionCriteria } from '@backstage/plugin-permission-common';
import { Knex } from 'knex';

/**
 * Adds permission criteria to a query as nested WHERE clauses: `allOf`
 * becomes AND, `anyOf` OR and `not` NOT, and each leaf is written by
 * `applyLeaf`, the one part that differs between resource types.
 */
export function applyCriteria<TQuery extends object>(
  query: Knex.QueryBuilder,
  criteria: PermissionCriteria<TQuery>,
  applyLeaf: (query: Knex.QueryBuilder, leaf: TQuery) => void,
): void {
  if ('allOf' in criteria) {
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
