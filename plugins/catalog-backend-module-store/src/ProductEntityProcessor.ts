import {
  Entity,
  getCompoundEntityRef,
  parseEntityRef,
  RELATION_DEPENDENCY_OF,
  RELATION_DEPENDS_ON,
  RELATION_OWNED_BY,
  RELATION_OWNER_OF,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import {
  CatalogProcessor,
  CatalogProcessorCache,
  CatalogProcessorEmit,
  processingResult,
} from '@backstage/plugin-catalog-node';
import { EventsService } from '@backstage/plugin-events-node';
import { createHash } from 'node:crypto';
import { LocationSpec } from '@backstage/plugin-catalog-common';
import {
  PRODUCT_API_VERSION,
  PRODUCT_CHANGED_TOPIC,
  PRODUCT_KIND,
  ProductChangedEvent,
  ProductEntity,
} from '@internal/plugin-store-common';
import { productProblems } from './productProblems';

/**
 * Validates a Product entity, throwing an `InputError` that names the field
 * at fault. Returns false for entities of other kinds.
 *
 * @public
 */
export function validateProductEntity(entity: Entity): entity is ProductEntity {
  if (
    entity.kind !== PRODUCT_KIND ||
    entity.apiVersion !== PRODUCT_API_VERSION
  ) {
    return false;
  }
  const [problem] = productProblems(entity);
  if (problem?.source === 'schema') {
    throw new InputError(
      `Invalid Product entity: ${problem.field || '<root>'} ${problem.message}`,
    );
  }
  if (problem) {
    throw new InputError(`${problem.field} ${problem.message}`);
  }
  return true;
}

/**
 * Adds the Product kind to the catalog: validates product descriptors and
 * relates each product to its owner and to the template that fulfils it.
 *
 * @public
 */
export class ProductEntityProcessor implements CatalogProcessor {
  private readonly events?: EventsService;

  /**
   * @param options.events - where to announce products whose content changed,
   * so that the store refreshes them without waiting for its schedule
   */
  constructor(options: { events?: EventsService } = {}) {
    this.events = options.events;
  }

  getProcessorName(): string {
    return 'ProductEntityProcessor';
  }

  async validateEntityKind(entity: Entity): Promise<boolean> {
    return validateProductEntity(entity);
  }

  async postProcessEntity(
    entity: Entity,
    _location: LocationSpec,
    emit: CatalogProcessorEmit,
    cache?: CatalogProcessorCache,
  ): Promise<Entity> {
    if (
      entity.kind !== PRODUCT_KIND ||
      entity.apiVersion !== PRODUCT_API_VERSION
    ) {
      return entity;
    }
    await this.announceChange(entity, cache);
    const product = entity as ProductEntity;
    const self = getCompoundEntityRef(entity);
    const namespace = self.namespace;

    const owner = parseEntityRef(product.spec.owner, {
      defaultKind: 'group',
      defaultNamespace: namespace,
    });
    emit(
      processingResult.relation({
        source: self,
        type: RELATION_OWNED_BY,
        target: owner,
      }),
    );
    emit(
      processingResult.relation({
        source: owner,
        type: RELATION_OWNER_OF,
        target: self,
      }),
    );

    const template = parseEntityRef(product.spec.template, {
      defaultKind: 'template',
      defaultNamespace: namespace,
    });
    emit(
      processingResult.relation({
        source: self,
        type: RELATION_DEPENDS_ON,
        target: template,
      }),
    );
    emit(
      processingResult.relation({
        source: template,
        type: RELATION_DEPENDENCY_OF,
        target: self,
      }),
    );
    return entity;
  }

  /**
   * The catalog processes every entity over and over; the processing cache
   * keeps the hash of what was announced last, so that only new content
   * makes an event.
   */
  private async announceChange(entity: Entity, cache?: CatalogProcessorCache) {
    if (!this.events || !cache) {
      return;
    }
    const hash = createHash('sha256')
      .update(JSON.stringify(entity))
      .digest('hex');
    if ((await cache.get<string>('contentHash')) === hash) {
      return;
    }
    const eventPayload: ProductChangedEvent = {
      entityRef: stringifyEntityRef(entity),
    };
    await this.events.publish({ topic: PRODUCT_CHANGED_TOPIC, eventPayload });
    await cache.set('contentHash', hash);
  }
}
