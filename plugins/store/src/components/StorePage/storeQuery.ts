import { ProductQuery, ProductSort } from '@internal/plugin-store-common';

const LIST_KEYS = ['category', 'type', 'provider', 'tag', 'owner'] as const;
const SORTS: ProductSort[] = ['name', 'price', 'orders', 'newest'];

/** The state of the store page, as kept in the URL so it can be shared. */
export type StoreView = {
  query: ProductQuery;
  sort: ProductSort;
};

/** Reads the store view from the URL's query parameters. */
export function parseStoreView(params: URLSearchParams): StoreView {
  const query: ProductQuery = {};
  const q = params.get('q');
  if (q) query.q = q;
  for (const key of LIST_KEYS) {
    const values = params.getAll(key).filter(Boolean);
    if (values.length) query[key] = values;
  }
  const minPrice = params.get('minPrice');
  if (minPrice) query.minPrice = minPrice;
  const maxPrice = params.get('maxPrice');
  if (maxPrice) query.maxPrice = maxPrice;
  if (params.get('freePlan') === 'true') query.freePlan = true;
  const sort = params.get('sort') as ProductSort | null;
  return { query, sort: sort && SORTS.includes(sort) ? sort : 'name' };
}

/** Writes the store view as query parameters, leaving out defaults. */
export function formatStoreView(view: StoreView): URLSearchParams {
  const params = new URLSearchParams();
  const { query } = view;
  if (query.q) params.set('q', query.q);
  for (const key of LIST_KEYS) {
    query[key]?.forEach(value => params.append(key, value));
  }
  if (query.minPrice) params.set('minPrice', query.minPrice);
  if (query.maxPrice) params.set('maxPrice', query.maxPrice);
  if (query.freePlan) params.set('freePlan', 'true');
  if (view.sort !== 'name') params.set('sort', view.sort);
  return params;
}

/** Adds or removes one value of a many-valued filter. */
export function toggleValue(
  view: StoreView,
  key: (typeof LIST_KEYS)[number],
  value: string,
): StoreView {
  const current = view.query[key] ?? [];
  const next = current.includes(value)
    ? current.filter(v => v !== value)
    : [...current, value];
  return {
    ...view,
    query: { ...view.query, [key]: next.length ? next : undefined },
  };
}
