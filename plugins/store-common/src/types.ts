import { Entity } from '@backstage/catalog-model';

/** The `apiVersion` of Product entities. @public */
export const PRODUCT_API_VERSION = 'cloudstore.io/v1alpha1';

/** The `kind` of Product entities. @public */
export const PRODUCT_KIND = 'Product';

/**
 * The events topic on which the catalog announces that a Product entity has
 * new content; the payload is a {@link ProductChangedEvent}.
 * @public
 */
export const PRODUCT_CHANGED_TOPIC = 'store.product.changed';

/** The payload of an event on {@link PRODUCT_CHANGED_TOPIC}. @public */
export type ProductChangedEvent = {
  /** The entity ref of the product. */
  entityRef: string;
};

/** What a product delivers. @public */
export type ProductType = 'application' | 'service' | 'resource';

/** Where a product is in its publication life. @public */
export type ProductLifecycle = 'draft' | 'published' | 'deprecated';

/** How often a plan's price is charged. @public */
export type PriceInterval = 'month' | 'year' | 'one-time';

/**
 * A price; `amount` is a decimal string such as `"999.00"` so that money is
 * never a floating point number.
 * @public
 */
export type Price = {
  amount: string;
  currency: string;
  interval: PriceInterval;
};

/** A price per unit of a usage dimension, such as node-hours. @public */
export type MeteredPrice = {
  dimension: string;
  unit: string;
  /** The price of one unit (any number of decimals, e.g. `"0.0035"`). */
  amount: string;
  currency: string;
  /**
   * Graduated tiers: each tier prices the units above the previous tier's
   * `upTo` and up to its own; the last tier has no `upTo`. When present,
   * they replace `amount`.
   */
  tiers?: MeteredPriceTier[];
};

/** A tier of a graduated {@link MeteredPrice}. @public */
export type MeteredPriceTier = {
  /** The last unit of the tier (inclusive); absent on the last tier. */
  upTo?: number;
  /** The price of one unit in this tier. */
  amount: string;
};

/** Resource limits of a plan. @public */
export type PlanLimits = {
  instances?: number;
  cpu?: string;
  memory?: string;
  storage?: string;
};

/**
 * How long, as Backstage config writes durations: `'10m'`, `'PT10M'` or
 * `{ minutes: 10 }`.
 * @public
 */
export type PlanAlertDuration = string | { [unit: string]: number };

/**
 * A threshold alert of a plan: `percent` of one core for CPU, of the node's
 * memory limit for memory, held `for` a while; `false` turns it off.
 * @public
 */
export type PlanThresholdAlert =
  | false
  | { percent?: number; for?: PlanAlertDuration };

/**
 * The alert rules of a plan's stacks, in the shape of the cloud's
 * `cloud.monitoring.alerts`: each rule given replaces the cloud's default
 * key by key.
 * @public
 */
export type PlanAlerts = {
  cpu?: PlanThresholdAlert;
  memory?: PlanThresholdAlert;
  notReporting?: false | { for: PlanAlertDuration };
};

/** One plan of a product. @public */
export type ProductPlan = {
  id: string;
  title: string;
  description?: string;
  price: Price;
  trialDays?: number;
  limits?: PlanLimits;
  /**
   * The nodes the plan provides, by role of its stacks, e.g. `{ app: 4 }`:
   * a change to the plan scales each named role of the subscription's
   * stacks to its count. Roles it does not name keep their nodes.
   */
  nodes?: PlanNodes;
  /** Alert rules of the stacks ordered on this plan. */
  alerts?: PlanAlerts;
  meteredPrices?: MeteredPrice[];
};

/** Nodes by role name, e.g. `{ app: 4 }`. @public */
export type PlanNodes = Record<string, number>;

/** Who must approve an order of a product, and when. @public */
export type ProductApproval = {
  policy: 'none' | 'required' | 'above-threshold';
  /** For `above-threshold`: plans whose price exceeds this need approval. */
  threshold?: { amount: string; currency: string };
  approverGroups?: string[];
  count?: number;
  reason?: string;
};

/** A documentation link of a product. @public */
export type ProductLink = {
  title: string;
  url: string;
};

/** The `spec` of a Product entity. @public */
export type ProductSpec = {
  type: ProductType;
  category: string;
  owner: string;
  template: string;
  summary?: string;
  providers: string[];
  plans: ProductPlan[];
  approval?: ProductApproval;
  audience?: string[];
  lifecycle: ProductLifecycle;
  docs?: ProductLink[];
  icon?: string;
  sla?: string;
  /**
   * Which template parameter each plan limit governs, e.g.
   * `{ instances: 'appNodes' }`: an order whose `appNodes` exceeds its plan's
   * `instances` is refused.
   */
  limitParameters?: LimitParameters;
};

/**
 * The plan limits that can govern a template parameter: those whose value is
 * a plain number.
 * @public
 */
export type NumericPlanLimit = 'instances';

/** Which template parameter each plan limit governs. @public */
export type LimitParameters = Partial<Record<NumericPlanLimit, string>>;

/** A Product catalog entity. @public */
export type ProductEntity = Entity & {
  apiVersion: typeof PRODUCT_API_VERSION;
  kind: typeof PRODUCT_KIND;
  spec: ProductSpec;
};

/** A product as the store API lists it. @public */
export type ProductSummary = {
  /** The entity ref of the product, e.g. `product:default/postgresql`. */
  ref: string;
  namespace: string;
  name: string;
  title: string;
  summary: string;
  type: ProductType;
  category: string;
  owner: string;
  /**
   * The providers the product can be ordered on: those of its descriptor
   * that the cloud backend has, in the descriptor's order.
   */
  providers: string[];
  /** Providers of its descriptor that the cloud backend does not have. */
  unavailableProviders: string[];
  tags: string[];
  icon?: string;
  lifecycle: ProductLifecycle;
  /** The cheapest recurring price, per month, or the cheapest one-time one. */
  fromPrice?: Price;
  hasFreePlan: boolean;
  needsApproval: boolean;
  /** Published, and on at least one available provider. */
  orderable: boolean;
  orderCount: number;
  createdAt: string;
};

/** A product with everything a datasheet shows. @public */
export type ProductDetails = ProductSummary & {
  description: string;
  template: string;
  plans: Array<ProductPlan & { needsApproval: boolean }>;
  approval: ProductApproval;
  audience?: string[];
  docs: ProductLink[];
  sla?: string;
  /** Which template parameter each plan limit governs. */
  limitParameters?: LimitParameters;
  /** The parameter schema of the template, to render an order form. */
  templateParameters?: unknown;
  /** Whether the caller has a fulfilled order of the product. */
  subscribed: boolean;
  /**
   * The errors of the catalog's last processing of the product's
   * descriptor, while the store offers the version that was last accepted.
   * Only for the product's owners and for those who see every product.
   */
  processingErrors?: ProductProcessingError[];
};

/** An error of the catalog's processing of a product descriptor. @public */
export type ProductProcessingError = {
  /** The error's name, e.g. `InputError`. */
  name?: string;
  /** What is wrong, naming the field at fault. */
  message: string;
};

/** The sort orders of a product list. @public */
export type ProductSort = 'name' | 'price' | 'orders' | 'newest';

/** A value of a facet and how many products have it. @public */
export type FacetCount = {
  value: string;
  count: number;
};

/** Facet counts of a product query. @public */
export type ProductFacets = {
  category: FacetCount[];
  type: FacetCount[];
  provider: FacetCount[];
  tag: FacetCount[];
  owner: FacetCount[];
  freePlan: FacetCount[];
};

/** Filters of a product query. @public */
export type ProductQuery = {
  q?: string;
  category?: string[];
  type?: string[];
  provider?: string[];
  tag?: string[];
  owner?: string[];
  lifecycle?: string[];
  minPrice?: string;
  maxPrice?: string;
  freePlan?: boolean;
};
