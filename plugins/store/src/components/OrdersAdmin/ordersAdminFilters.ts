import { ORDER_STATUSES, OrderStatus } from '@internal/plugin-store-common';
import { OrderListFilters } from '../../api/StoreApi';

/** The filters of the orders admin page, as its URL keeps them. */
export type OrdersAdminFilters = {
  status: OrderStatus[];
  product: string;
  requester: string;
  group: string;
  /** First day, `YYYY-MM-DD`, inclusive. */
  from: string;
  /** Last day, `YYYY-MM-DD`, inclusive. */
  to: string;
};

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** Reads the filters from the page's search params, ignoring junk. */
export function filtersFromParams(params: URLSearchParams): OrdersAdminFilters {
  const day = (key: string) => {
    const value = params.get(key) ?? '';
    return DAY.test(value) ? value : '';
  };
  return {
    status: params
      .getAll('status')
      .filter((s): s is OrderStatus =>
        (ORDER_STATUSES as string[]).includes(s),
      ),
    product: params.get('product') ?? '',
    requester: params.get('requester') ?? '',
    group: params.get('group') ?? '',
    from: day('from'),
    to: day('to'),
  };
}

/** Writes the filters to search params; empty filters are left out. */
export function filtersToParams(filters: OrdersAdminFilters): URLSearchParams {
  const params = new URLSearchParams();
  filters.status.forEach(s => params.append('status', s));
  for (const key of ['product', 'requester', 'group', 'from', 'to'] as const) {
    const value = filters[key].trim();
    if (value) {
      params.set(key, value);
    }
  }
  return params;
}

/** Why the filters cannot be applied, if they cannot. */
export function filtersProblem(
  filters: OrdersAdminFilters,
): string | undefined {
  if (filters.from && filters.to && filters.from > filters.to) {
    return `The start date ${filters.from} is after the end date ${filters.to}`;
  }
  return undefined;
}

function nextDay(day: string): string {
  const date = new Date(`${day}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + 1);
  return date.toISOString().slice(0, 10);
}

/**
 * The list request of the filters. Days are whole UTC days, the last one
 * included.
 */
export function toListFilters(filters: OrdersAdminFilters): OrderListFilters {
  const list = (value: string) => (value.trim() ? [value.trim()] : undefined);
  return {
    status: filters.status.length > 0 ? filters.status : undefined,
    product: list(filters.product),
    requester: list(filters.requester),
    group: list(filters.group),
    createdAfter: filters.from ? `${filters.from}T00:00:00Z` : undefined,
    createdBefore: filters.to ? `${nextDay(filters.to)}T00:00:00Z` : undefined,
  };
}
