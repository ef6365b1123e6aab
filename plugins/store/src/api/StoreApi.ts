import { createApiRef } from '@backstage/frontend-plugin-api';
import {
  Order,
  OrderApprovalRequirement,
  OrderDetails,
  OrderStatus,
  PlanChangeQuote,
  Price,
  ProductDetails,
  ProductFacets,
  ProductQuery,
  ProductSort,
  ProductSummary,
  RenewalQuote,
  CancellationQuote,
  CostReport,
  CreditNote,
  Invoice,
  InvoiceList,
  InvoiceRunResult,
  Subscription,
  SubscriptionDetails,
  SubscriptionStatus,
} from '@internal/plugin-store-common';
import {
  CostQuery,
  CreditNoteRequest,
  InvoiceListOptions,
} from './billingTypes';

/** A page of products. @public */
export type ProductPage = {
  items: ProductSummary[];
  nextCursor?: string;
};

/** Facet counts, and how many products match in all. @public */
export type FacetsResult = {
  facets: ProductFacets;
  totalItems: number;
};

/** Price, approval and form of an order before it is placed. @public */
export type OrderPreview = {
  product: string;
  plan: string;
  oneTimePrice?: Price;
  recurringPrice?: Price;
  approval: OrderApprovalRequirement;
  /** The template's `spec.parameters`: one JSON schema or a list of steps. */
  templateParameters?: unknown;
  /** The template's `spec.secrets`, `{ schema }`. */
  templateSecrets?: unknown;
};

/** What an order is placed with. Secrets go to the task, never stored. @public */
export type OrderRequest = {
  product: string;
  plan: string;
  provider: string;
  region?: string;
  parameters?: Record<string, unknown>;
  secrets?: Record<string, string>;
  comment?: string;
};

/** Which orders to list: mine, those I may decide, or all (admins). @public */
export type OrderScope = 'mine' | 'inbox' | 'all';

/** A decision on an order after it was placed. @public */
export type OrderDecision =
  | 'approve'
  | 'reject'
  | 'cancel'
  | 'retry'
  | 'close'
  | 'reopen';

/** Filters of an order list; the admin page keeps them in its URL. @public */
export type OrderListFilters = {
  status?: OrderStatus[];
  /** Product entity refs. */
  product?: string[];
  /** User entity refs. */
  requester?: string[];
  /** Group entity refs: orders for the group or by its members. */
  group?: string[];
  /** ISO 8601 date or date-time, inclusive. */
  createdAfter?: string;
  /** ISO 8601 date or date-time, exclusive. */
  createdBefore?: string;
};

/** A page of orders. @public */
export type OrderList = {
  items: Order[];
  totalItems: number;
  /** Where the next page starts; absent on the last page. */
  nextCursor?: string;
};

/** Which subscriptions to list; the caller sees only those it may read. @public */
export type SubscriptionListOptions = {
  /** Owning groups' entity refs. */
  owner?: string[];
  status?: SubscriptionStatus[];
  limit?: number;
  cursor?: string;
};

/** A page of subscriptions. @public */
export type SubscriptionList = {
  items: Subscription[];
  /** Where the next page starts; absent on the last page. */
  nextCursor?: string;
};

/** When a cancellation takes effect. @public */
export type CancellationTime = CancellationQuote['when'];

/** The store backend, as the frontend sees it. @public */
export interface StoreApi {
  listProducts(options: {
    query: ProductQuery;
    sort?: ProductSort;
    cursor?: string;
    limit?: number;
  }): Promise<ProductPage>;
  getFacets(options: { query: ProductQuery }): Promise<FacetsResult>;
  getProduct(options: {
    namespace: string;
    name: string;
  }): Promise<ProductDetails>;
  previewOrder(options: {
    product: string;
    plan: string;
  }): Promise<OrderPreview>;
  /**
   * The regions of each provider of the cloud backend, by provider id, its
   * default region first: where an order may place its stack.
   */
  listProviderRegions(): Promise<Record<string, string[]>>;
  /**
   * Places an order. The same `idempotencyKey` places it once however often
   * it is sent; one is generated when none is given.
   */
  createOrder(
    request: OrderRequest,
    options?: { idempotencyKey?: string },
  ): Promise<OrderDetails>;
  listOrders(
    options: {
      scope: OrderScope;
      limit?: number;
      offset?: number;
      cursor?: string;
    } & OrderListFilters,
  ): Promise<OrderList>;
  getOrder(options: { id: string }): Promise<OrderDetails>;
  decideOrder(options: {
    id: string;
    action: OrderDecision;
    comment?: string;
    idempotencyKey?: string;
  }): Promise<OrderDetails>;
  listSubscriptions(
    options?: SubscriptionListOptions,
  ): Promise<SubscriptionList>;
  getSubscription(options: { id: string }): Promise<SubscriptionDetails>;
  /** Prices a renewal by whole periods; nothing is charged. */
  quoteRenewal(options: { id: string; periods: number }): Promise<RenewalQuote>;
  /** Prices a change to another plan of the product; nothing is charged. */
  quotePlanChange(options: {
    id: string;
    planId: string;
  }): Promise<PlanChangeQuote>;
  /** Prices a cancellation; nothing is charged or credited. */
  quoteCancellation(options: {
    id: string;
    when: CancellationTime;
  }): Promise<CancellationQuote>;
  /**
   * Renews a subscription by whole periods. Like every subscription
   * mutation, the same `idempotencyKey` acts once however often it is sent
   * (one is generated when none is given), and a `version` other than the
   * subscription's is refused with a 409, so that what was quoted is what is
   * changed.
   */
  renewSubscription(options: {
    id: string;
    periods: number;
    version?: number;
    idempotencyKey?: string;
  }): Promise<SubscriptionDetails>;
  changeSubscriptionPlan(options: {
    id: string;
    planId: string;
    version?: number;
    idempotencyKey?: string;
  }): Promise<SubscriptionDetails>;
  cancelSubscription(options: {
    id: string;
    when: CancellationTime;
    version?: number;
    idempotencyKey?: string;
  }): Promise<SubscriptionDetails>;
  setSubscriptionAutoRenew(options: {
    id: string;
    autoRenew: boolean;
    version?: number;
    idempotencyKey?: string;
  }): Promise<Subscription>;
  /** The invoices the caller may see, newest first. */
  listInvoices(options?: InvoiceListOptions): Promise<InvoiceList>;
  getInvoice(options: { id: string }): Promise<Invoice>;
  /** An invoice as CSV, to download. */
  getInvoiceCsv(options: { id: string }): Promise<Blob>;
  /**
   * Issues the invoices of an ended month, as the scheduled run does
   * (administrators); a month invoiced already issues nothing.
   */
  runInvoices(options: { period: string }): Promise<InvoiceRunResult>;
  /** Issues a credit note against an invoice (finance and administrators). */
  createCreditNote(options: {
    id: string;
    request: CreditNoteRequest;
  }): Promise<CreditNote>;
  /** Costs of a range of months, summed per group. */
  getCosts(query: CostQuery): Promise<CostReport>;
}

/** @public */
export const storeApiRef = createApiRef<StoreApi>({ id: 'plugin.store.api' });
