import { CompoundEntityRef } from '@backstage/catalog-model';
import { RESOURCE_TYPE_CATALOG_ENTITY } from '@backstage/plugin-catalog-common/alpha';
import {
  AuthorizeResult,
  PermissionCondition,
  PermissionCriteria,
  PolicyDecision,
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
 * A catalog read decision that hides the given templates and shows
 * everything else. The conditions are plain data, evaluated by the catalog.
 */
export function governedTemplateVisibility(
  templates: CompoundEntityRef[],
): PolicyDecision {
  if (templates.length === 0) {
    return { result: AuthorizeResult.ALLOW };
  }
  const [first, ...rest] = templates.map(
    (ref): PermissionCriteria<PermissionCondition> => ({
      allOf: [
        condition('IS_ENTITY_KIND', { kinds: ['Template'] }),
        condition('HAS_METADATA', { key: 'name', value: ref.name }),
        condition('HAS_METADATA', { key: 'namespace', value: ref.namespace }),
      ],
    }),
  );
  return {
    result: AuthorizeResult.CONDITIONAL,
    pluginId: 'catalog',
    resourceType: RESOURCE_TYPE_CATALOG_ENTITY,
    conditions: { not: { anyOf: [first, ...rest] } },
  };
}
