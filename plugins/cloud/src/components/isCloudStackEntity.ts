import { Entity } from '@backstage/catalog-model';
import { ANNOTATION_CLOUD_STACK_ID } from '@internal/plugin-cloud-common';

/**
 * Whether an entity is a Resource that mirrors a cloud stack, as the catalog
 * module of the cloud plugin writes them.
 *
 * @public
 */
export function isCloudStackEntity(entity: Entity): boolean {
  return (
    entity.kind.toLocaleLowerCase('en-US') === 'resource' &&
    Boolean(entity.metadata.annotations?.[ANNOTATION_CLOUD_STACK_ID])
  );
}
