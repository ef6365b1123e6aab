import {
  DEFAULT_NAMESPACE,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import {
  fromMinorUnits,
  monthlyMinorUnits,
  planNeedsApproval,
  Price,
  ProductEntity,
  toMinorUnits,
} from '@internal/plugin-store-common';
import { createHash } from 'node:crypto';
import { IndexedProduct } from '../database/types';

function lowerRef(ref: string, defaultKind: string, namespace: string) {
  return stringifyEntityRef(
    parseEntityRef(ref, { defaultKind, defaultNamespace: namespace }),
  ).toLocaleLowerCase('en-US');
}

/**
 * The cheapest way into a product: the lowest monthly price of its recurring
 * plans, or when it has none, its lowest one-time price.
 */
function cheapestPrice(
  entity: ProductEntity,
): { price: Price; minor: number } | undefined {
  let best: { price: Price; minor: number } | undefined;
  for (const { price } of entity.spec.plans) {
    const monthly = monthlyMinorUnits(price);
    if (monthly === undefined) {
      continue;
    }
    if (!best || monthly < best.minor) {
      best = {
        price: {
          amount: fromMinorUnits(monthly, price.currency),
          currency: price.currency,
          interval: 'month',
        },
        minor: monthly,
      };
    }
  }
  if (best) {
    return best;
  }
  for (const { price } of entity.spec.plans) {
    const minor = toMinorUnits(price.amount, price.currency);
    if (!best || minor < best.minor) {
      best = { price, minor };
    }
  }
  return best;
}

/** Turns a Product entity from the catalog into a row of the store's index. */
export function toIndexedProduct(entity: ProductEntity): IndexedProduct {
  const namespace = entity.metadata.namespace ?? DEFAULT_NAMESPACE;
  const { spec } = entity;
  const title = entity.metadata.title ?? entity.metadata.name;
  const summary = spec.summary ?? entity.metadata.description ?? '';
  const tags = entity.metadata.tags ?? [];
  const cheapest = cheapestPrice(entity);
  const searchText = [
    entity.metadata.name,
    title,
    summary,
    entity.metadata.description ?? '',
    spec.category,
    spec.type,
    ...tags,
    ...spec.providers,
    ...spec.plans.map(p => p.title),
  ]
    .join(' ')
    .toLocaleLowerCase('en-US');
  return {
    id: stringifyEntityRef(entity).toLocaleLowerCase('en-US'),
    namespace,
    name: entity.metadata.name,
    title,
    summary,
    type: spec.type,
    category: spec.category,
    owner: lowerRef(spec.owner, 'group', namespace),
    lifecycle: spec.lifecycle,
    audience: (spec.audience ?? []).map(ref =>
      lowerRef(ref, 'group', namespace),
    ),
    providers: spec.providers,
    tags,
    fromPrice: cheapest?.price,
    fromPriceMinor: cheapest?.minor,
    hasFreePlan: spec.plans.some(
      p => toMinorUnits(p.price.amount, p.price.currency) === 0,
    ),
    needsApproval: spec.plans.some(p =>
      planNeedsApproval(p.price, spec.approval),
    ),
    searchText,
    entity,
    // The catalog changes the etag whenever the entity changes.
    contentHash:
      entity.metadata.etag ??
      createHash('sha256').update(JSON.stringify(entity)).digest('hex'),
  };
}
