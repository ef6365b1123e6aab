import { CompoundEntityRef } from '@backstage/catalog-model';
import { RESOURCE_TYPE_CATALOG_ENTITY } from '@backstage/plugin-catalog-common/alpha';
import {
  PermissionCondition,
  PermissionCriteria,
} from '@backstage/plugin-permission-common';

function condition(
  rule: string,
  params: Record<string, unknown>,
): PermissionCondition<typeof RESOURCE_TYPE_CATALOG_ENTITY> {
  return {
    rule,
    resourceType: RESOURCE_TYPE_CATALOG_ENTITY,
    params: params as PermissionCondition['params'],
  };
}

/**
 * The catalog conditions that match the given templates, or false when
 * there are none. They are plain data, evaluated by the catalog.
 */
export function governedTemplateCriteria(
  templates: CompoundEntityRef[],
): false | PermissionCriteria<PermissionCondition> {
  const [first, ...rest] = templates.map(
    (ref): PermissionCriteria<PermissionCondition> => ({
      allOf: [
        condition('IS_ENTITY_KIND', { kinds: ['Template'] }),
        condition('HAS_METADATA', { key: 'name', value: ref.name }),
        condition('HAS_METADATA', { key: 'namespace', value: ref.namespace }),
      ],
    }),
  );
  if (!first) {
    return false;
  }
  return rest.length === 0 ? first : { anyOf: [first, ...rest] };
}
