import { PermissionCriteria } from '@backstage/plugin-permission-common';
import { ConditionTransformer } from '@backstage/plugin-permission-node';

/**
 * A condition transformer that turns each conditional decision into a
 * database filter once. The decision cache hands the same conditions object
 * to every request of a user while it keeps the decision, and checking the
 * rules' parameters and mapping them costs about as much as the query of a
 * small page. Kept by the identity of the conditions, so that a filter goes
 * with its decision; the filters are shared and must not be changed.
 */
export function memoizeConditionTransformer<TQuery>(
  transform: ConditionTransformer<TQuery>,
): ConditionTransformer<TQuery> {
  const filters = new WeakMap<object, PermissionCriteria<TQuery>>();
  return conditions => {
    let filter = filters.get(conditions);
    if (!filter) {
      filter = transform(conditions);
      filters.set(conditions, filter);
    }
    return filter;
  };
}
