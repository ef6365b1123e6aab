import { DiscoveryApi, FetchApi } from '@backstage/frontend-plugin-api';
import { ResponseError } from '@backstage/errors';
import { CloudApiClient } from '@internal/plugin-cloud-common';
import {
  CancellationQuote,
  CostReport,
  CreditNote,
  Invoice,
  InvoiceList,
  InvoiceRunResult,
  OrderDetails,
  PlanChangeQuote,
  ProductDetails,
  ProductQuery,
  ProductSort,
  RenewalQuote,
  Subscription,
  SubscriptionDetails,
} from '@internal/plugin-store-common';
import {
  CancellationTime,
  FacetsResult,
  OrderDecision,
  OrderList,
  OrderListFilters,
  OrderPreview,
  OrderRequest,
  OrderScope,
  ProductPage,
  StoreApi,
  SubscriptionList,
  SubscriptionListOptions,
} from './StoreApi';
import {
  CostQuery,
  CreditNoteRequest,
  InvoiceListOptions,
} from './billingTypes';

/** A fresh key for one intended mutation, so a resent request acts once. */
export function newIdempotencyKey(): string {
  if (typeof globalThis.crypto?.randomUUID === 'function') {
    return globalThis.crypto.randomUUID();
  }
  const bytes = new Uint8Array(16);
  globalThis.crypto.getRandomValues(bytes);
  return Array.from(bytes, b => b.toString(16).padStart(2, '0')).join('');
}

/** Encodes a product query the way the store API reads it. */
export function toSearchParams(query: ProductQuery): URLSearchParams {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (Array.isArray(value)) {
      value.forEach(v => params.append(key, v));
    } else if (value !== undefined && value !== '' && value !== false) {
      params.set(key, String(value));
    }
  }
  return params;
}

/**
 * The query string of `params` with spaces as `%20`: URLSearchParams writes
 * them as `+`, which the API's OpenAPI validation refuses as a reserved
 * character (a literal `+` is already written as `%2B`).
 */
export function toQueryString(params: URLSearchParams): string {
  return params.toString().replace(/\+/g, '%20');
}

/** A mutation's body with the version it expects, when it expects one. */
function withVersion(body: object, version: number | undefined): object {
  return version === undefined ? body : { ...body, version };
}

/**
 * Talks to the store backend over HTTP, and to the cloud backend for the
 * regions an order may choose. @public
 */
export class StoreClient implements StoreApi {
  constructor(
    private readonly options: {
      discoveryApi: DiscoveryApi;
      fetchApi: FetchApi;
    },
  ) {}

  async listProducts(options: {
    query: ProductQuery;
    sort?: ProductSort;
    cursor?: string;
    limit?: number;
  }): Promise<ProductPage> {
    const params = toSearchParams(options.query);
    if (options.sort) params.set('sort', options.sort);
    if (options.cursor) params.set('cursor', options.cursor);
    if (options.limit) params.set('limit', String(options.limit));
    return this.get(`/products?${toQueryString(params)}`);
  }

  async getFacets(options: { query: ProductQuery }): Promise<FacetsResult> {
    return this.get(
      `/products/facets?${toQueryString(toSearchParams(options.query))}`,
    );
  }

  async getProduct(options: {
    namespace: string;
    name: string;
  }): Promise<ProductDetails> {
    return this.get(
      `/products/${encodeURIComponent(options.namespace)}/${encodeURIComponent(
        options.name,
      )}`,
    );
  }

  async previewOrder(options: {
    product: string;
    plan: string;
  }): Promise<OrderPreview> {
    return this.send('/orders/preview', {
      method: 'POST',
      body: { product: options.product, plan: options.plan },
    });
  }

  async listProviderRegions(): Promise<Record<string, string[]>> {
    // The cloud backend's own list, through its client.
    const providers = await new CloudApiClient(this.options).listProviders();
    return Object.fromEntries(providers.map(p => [p.id, p.regions]));
  }

  async createOrder(
    request: OrderRequest,
    options?: { idempotencyKey?: string },
  ): Promise<OrderDetails> {
    return this.send('/orders', {
      method: 'POST',
      body: request,
      idempotencyKey: options?.idempotencyKey ?? newIdempotencyKey(),
    });
  }

  async listOrders(
    options: {
      scope: OrderScope;
      limit?: number;
      offset?: number;
      cursor?: string;
    } & OrderListFilters,
  ): Promise<OrderList> {
    const params = new URLSearchParams({ scope: options.scope });
    for (const key of ['status', 'product', 'requester', 'group'] as const) {
      options[key]?.forEach(value => params.append(key, value));
    }
    if (options.createdAfter) params.set('createdAfter', options.createdAfter);
    if (options.createdBefore) {
      params.set('createdBefore', options.createdBefore);
    }
    if (options.limit) params.set('limit', String(options.limit));
    if (options.offset) params.set('offset', String(options.offset));
    if (options.cursor) params.set('cursor', options.cursor);
    return this.get(`/orders?${toQueryString(params)}`);
  }

  async getOrder(options: { id: string }): Promise<OrderDetails> {
    return this.get(`/orders/${encodeURIComponent(options.id)}`);
  }

  async decideOrder(options: {
    id: string;
    action: OrderDecision;
    comment?: string;
    idempotencyKey?: string;
  }): Promise<OrderDetails> {
    return this.send(
      `/orders/${encodeURIComponent(options.id)}/${options.action}`,
      {
        method: 'POST',
        body: options.comment ? { comment: options.comment } : {},
        idempotencyKey: options.idempotencyKey ?? newIdempotencyKey(),
      },
    );
  }

  async listSubscriptions(
    options: SubscriptionListOptions = {},
  ): Promise<SubscriptionList> {
    const params = new URLSearchParams();
    options.owner?.forEach(owner => params.append('owner', owner));
    options.status?.forEach(status => params.append('status', status));
    if (options.limit) params.set('limit', String(options.limit));
    if (options.cursor) params.set('cursor', options.cursor);
    const query = toQueryString(params);
    return this.get(`/subscriptions${query ? `?${query}` : ''}`);
  }

  async getSubscription(options: { id: string }): Promise<SubscriptionDetails> {
    return this.get(`/subscriptions/${encodeURIComponent(options.id)}`);
  }

  async quoteRenewal(options: {
    id: string;
    periods: number;
  }): Promise<RenewalQuote> {
    return this.quote(options.id, {
      action: 'renew',
      periods: options.periods,
    });
  }

  async quotePlanChange(options: {
    id: string;
    planId: string;
  }): Promise<PlanChangeQuote> {
    return this.quote(options.id, {
      action: 'change-plan',
      planId: options.planId,
    });
  }

  async quoteCancellation(options: {
    id: string;
    when: CancellationTime;
  }): Promise<CancellationQuote> {
    return this.quote(options.id, { action: 'cancel', when: options.when });
  }

  async renewSubscription(options: {
    id: string;
    periods: number;
    version?: number;
    idempotencyKey?: string;
  }): Promise<SubscriptionDetails> {
    return this.mutateSubscription(options, 'renew', {
      periods: options.periods,
    });
  }

  async changeSubscriptionPlan(options: {
    id: string;
    planId: string;
    version?: number;
    idempotencyKey?: string;
  }): Promise<SubscriptionDetails> {
    return this.mutateSubscription(options, 'change-plan', {
      planId: options.planId,
    });
  }

  async cancelSubscription(options: {
    id: string;
    when: CancellationTime;
    version?: number;
    idempotencyKey?: string;
  }): Promise<SubscriptionDetails> {
    return this.mutateSubscription(options, 'cancel', { when: options.when });
  }

  async setSubscriptionAutoRenew(options: {
    id: string;
    autoRenew: boolean;
    version?: number;
    idempotencyKey?: string;
  }): Promise<Subscription> {
    return this.send(
      `/subscriptions/${encodeURIComponent(options.id)}/auto-renew`,
      {
        method: 'PUT',
        body: withVersion({ autoRenew: options.autoRenew }, options.version),
        idempotencyKey: options.idempotencyKey ?? newIdempotencyKey(),
      },
    );
  }

  async listInvoices(options: InvoiceListOptions = {}): Promise<InvoiceList> {
    const params = new URLSearchParams();
    for (const key of ['account', 'period', 'cursor'] as const) {
      const value = options[key];
      if (value) params.set(key, value);
    }
    if (options.limit) params.set('limit', String(options.limit));
    const query = toQueryString(params);
    return this.get(`/invoices${query ? `?${query}` : ''}`);
  }

  async getInvoice(options: { id: string }): Promise<Invoice> {
    return this.get(`/invoices/${encodeURIComponent(options.id)}`);
  }

  async getInvoiceCsv(options: { id: string }): Promise<Blob> {
    const response = await this.fetch(
      `/invoices/${encodeURIComponent(options.id)}/csv`,
      { method: 'GET' },
    );
    return response.blob();
  }

  async runInvoices(options: { period: string }): Promise<InvoiceRunResult> {
    return this.send('/invoices/run', {
      method: 'POST',
      body: { period: options.period },
    });
  }

  async createCreditNote(options: {
    id: string;
    request: CreditNoteRequest;
  }): Promise<CreditNote> {
    return this.send(
      `/invoices/${encodeURIComponent(options.id)}/credit-notes`,
      { method: 'POST', body: options.request },
    );
  }

  async getCosts(query: CostQuery): Promise<CostReport> {
    const params = new URLSearchParams({
      from: query.from,
      to: query.to,
      groupBy: query.groupBy,
    });
    if (query.account) params.set('account', query.account);
    return this.get(`/billing/costs?${toQueryString(params)}`);
  }

  private async quote<T>(id: string, body: object): Promise<T> {
    return this.send(`/subscriptions/${encodeURIComponent(id)}/quote`, {
      method: 'POST',
      body,
    });
  }

  private async mutateSubscription(
    options: { id: string; version?: number; idempotencyKey?: string },
    action: 'renew' | 'change-plan' | 'cancel',
    body: object,
  ): Promise<SubscriptionDetails> {
    return this.send(
      `/subscriptions/${encodeURIComponent(options.id)}/${action}`,
      {
        method: 'POST',
        body: withVersion(body, options.version),
        idempotencyKey: options.idempotencyKey ?? newIdempotencyKey(),
      },
    );
  }

  private async get<T>(path: string): Promise<T> {
    return this.send(path, { method: 'GET' });
  }

  private async send<T>(
    path: string,
    options: { method: string; body?: unknown; idempotencyKey?: string },
  ): Promise<T> {
    const response = await this.fetch(path, options);
    return response.json();
  }

  /** Sends a request; an error response is thrown as a ResponseError. */
  private async fetch(
    path: string,
    options: { method: string; body?: unknown; idempotencyKey?: string },
  ): Promise<Response> {
    const baseUrl = await this.options.discoveryApi.getBaseUrl('store');
    const headers: Record<string, string> = {};
    if (options.body !== undefined) {
      headers['Content-Type'] = 'application/json';
    }
    if (options.idempotencyKey) {
      headers['Idempotency-Key'] = options.idempotencyKey;
    }
    const response = await this.options.fetchApi.fetch(`${baseUrl}${path}`, {
      method: options.method,
      headers,
      body:
        options.body !== undefined ? JSON.stringify(options.body) : undefined,
    });
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    return response;
  }
}
