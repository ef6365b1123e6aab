import {
  Entity,
  entityKindSchemaValidator,
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
  isCurrencyCode,
  isNumericPlanLimit,
  NUMERIC_PLAN_LIMITS,
  meteredPriceProblem,
  PRODUCT_API_VERSION,
  PRODUCT_CHANGED_TOPIC,
  PRODUCT_KIND,
  ProductChangedEvent,
  ProductEntity,
} from '@internal/plugin-store-common';
import productSchema from './schema/Product.v1alpha1.schema.json';

const schemaValidator = entityKindSchemaValidator<ProductEntity>(productSchema);

/**
 * Checks what the JSON schema cannot express, and names the field at fault.
 */
function checkProductSemantics(entity: ProductEntity) {
  const { spec } = entity;
  const seenPlanIds = new Map<string, number>();
  spec.plans.forEach((plan, index) => {
    const field = `spec.plans[${index}]`;
    const first = seenPlanIds.get(plan.id);
    if (first !== undefined) {
      throw new InputError(
        `${field}.id "${plan.id}" duplicates the id of spec.plans[${first}]`,
      );
    }
    seenPlanIds.set(plan.id, index);
    if (!isCurrencyCode(plan.price.currency)) {
      throw new InputError(
        `${field}.price.currency "${plan.price.currency}" is not an ISO 4217 currency code`,
      );
    }
    // A plan cannot provide more nodes of a role than its own limit allows.
    const instances = plan.limits?.instances;
    for (const [role, count] of Object.entries(plan.nodes ?? {})) {
      if (instances !== undefined && count > instances) {
        throw new InputError(
          `${field}.nodes.${role} ${count} is above the plan's limits.instances ${instances}`,
        );
      }
    }
    plan.meteredPrices?.forEach((metered, meteredIndex) => {
      if (!isCurrencyCode(metered.currency)) {
        throw new InputError(
          `${field}.meteredPrices[${meteredIndex}].currency "${metered.currency}" is not an ISO 4217 currency code`,
        );
      }
      const problem = meteredPriceProblem(metered);
      if (problem) {
        throw new InputError(
          `${field}.meteredPrices[${meteredIndex}] is invalid: ${problem}`,
        );
      }
    });
  });
  const threshold = spec.approval?.threshold;
  if (threshold && !isCurrencyCode(threshold.currency)) {
    throw new InputError(
      `spec.approval.threshold.currency "${threshold.currency}" is not an ISO 4217 currency code`,
    );
  }
  if (spec.approval?.policy === 'above-threshold' && !threshold) {
    throw new InputError(
      'spec.approval.threshold is required when spec.approval.policy is "above-threshold"',
    );
  }
  // The schema lets any name through so that a typo gets a message that
  // lists the limits a parameter can be governed by.
  for (const limit of Object.keys(spec.limitParameters ?? {})) {
    if (!isNumericPlanLimit(limit)) {
      throw new InputError(
        `spec.limitParameters.${limit} is not a plan limit that can govern a parameter; use one of: ${NUMERIC_PLAN_LIMITS.join(
          ', ',
        )}`,
      );
    }
  }
  const refs: Array<[string, string, string]> = [
    ['spec.template', spec.template, 'template'],
    ['spec.owner', spec.owner, 'group'],
    ...(spec.audience ?? []).map(
      (ref, i) =>
        [`spec.audience[${i}]`, ref, 'group'] as [string, string, string],
    ),
  ];
  for (const [field, ref, defaultKind] of refs) {
    try {
      parseEntityRef(ref, {
        defaultKind,
        defaultNamespace: entity.metadata.namespace,
      });
    } catch (error) {
      throw new InputError(`${field} "${ref}" is not a valid entity ref`);
    }
  }
}

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
  try {
    schemaValidator(entity);
  } catch (error) {
    // The schema validator reports paths such as /spec/plans/0/price/amount;
    // people read fields as spec.plans[0].price.amount.
    const message = String((error as Error).message).replace(
      /\/([\w/-]+)/g,
      (_, path: string) =>
        path
          .split('/')
          .map((part, i) =>
            /^\d+$/.test(part) ? `[${part}]` : `${i ? '.' : ''}${part}`,
          )
          .join(''),
    );
    throw new InputError(`Invalid Product entity: ${message}`);
  }
  checkProductSemantics(entity as ProductEntity);
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
