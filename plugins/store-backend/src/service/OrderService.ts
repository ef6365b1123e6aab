import {
  AuthService,
  BackstageCredentials,
  LoggerService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { HumanDuration, durationToMilliseconds } from '@backstage/types';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  createConditionTransformer,
  PermissionRuleset,
} from '@backstage/plugin-permission-node';
import { Order, OrderDetails } from '@internal/plugin-store-common';
import { OrdersStore } from '../database/OrdersStore';
import { ProductsStore } from '../database/ProductsStore';
import { OrderPermissionQuery } from '../permissions/rules';
import { GroupMembership } from './GroupMembership';
import { OrderDecisions } from './OrderDecisions';
import { OrderNotifier } from './OrderNotifier';
import { OrderInput, OrderPlacement, OrderPreview } from './OrderPlacement';
import { OrderListFilter, OrderQueries, OrderScope } from './OrderQueries';
import { OrderSecrets } from './OrderSecrets';
import { ProductService } from './ProductService';
import { memoizeConditionTransformer } from '../permissions/memoizeConditionTransformer';

export type { OrderInput, OrderPreview } from './OrderPlacement';
export type { OrderListFilter, OrderScope } from './OrderQueries';

/** Starts provisioning of approved orders; see OrderFulfiller. */
export interface OrderProvisioner {
  provision(
    order: Order,
    options: { secrets?: Record<string, string> },
  ): Promise<void>;
}

/**
 * Orders of store products, as the API offers them: placing them
 * (OrderPlacement), listing them (OrderQueries), and deciding on them
 * (OrderDecisions); approved orders go to the provisioner.
 */
export class OrderService {
  private provisioner?: OrderProvisioner;
  private readonly placement: OrderPlacement;
  private readonly queries: OrderQueries;
  private readonly decisions: OrderDecisions;

  private constructor(
    options: Parameters<typeof OrderService.create>[0],
    private readonly logger: LoggerService,
  ) {
    const approvalTimeoutMs = durationToMilliseconds(
      options.approvalTimeout ?? { days: 7 },
    );
    const startProvisioning = (
      order: Order,
      secrets?: Record<string, string>,
    ) => this.startProvisioning(order, secrets);
    this.placement = new OrderPlacement(
      options.orders,
      options.productsStore,
      options.products,
      options.permissions,
      options.secrets,
      options.notifier,
      approvalTimeoutMs,
      startProvisioning,
    );
    this.queries = new OrderQueries(
      options.orders,
      options.permissions,
      options.membership,
      memoizeConditionTransformer(createConditionTransformer(options.ruleset)),
    );
    this.decisions = new OrderDecisions(
      options.orders,
      options.permissions,
      options.membership,
      options.secrets,
      options.notifier,
      options.logger,
      approvalTimeoutMs,
      startProvisioning,
    );
  }

  static create(options: {
    orders: OrdersStore;
    productsStore: ProductsStore;
    products: ProductService;
    catalog: CatalogService;
    auth: AuthService;
    permissions: PermissionsService;
    membership: GroupMembership;
    /** Keeps the secrets of orders that wait for approval. */
    secrets: OrderSecrets;
    notifier: OrderNotifier;
    logger: LoggerService;
    /** The order permission rules, to turn decisions into filters. */
    ruleset: PermissionRuleset<Order, OrderPermissionQuery>;
    /** How long an order waits for approval before it is rejected. */
    approvalTimeout?: HumanDuration;
  }): OrderService {
    return new OrderService(options, options.logger);
  }

  /** Set once at start-up; the fulfiller depends on the store too. */
  setProvisioner(provisioner: OrderProvisioner) {
    if (this.provisioner) {
      throw new Error('The order provisioner is already set');
    }
    this.provisioner = provisioner;
  }

  /** Price, approval and form of an order, before it is placed. */
  preview(options: {
    credentials: BackstageCredentials;
    product: string;
    plan: string;
  }): Promise<OrderPreview> {
    return this.placement.preview(options);
  }

  /**
   * Places an order. Orders that need no approval are provisioned right
   * away; the others wait for approvers, who are notified.
   */
  createOrder(options: {
    credentials: BackstageCredentials;
    input: OrderInput;
    secrets?: Record<string, string>;
  }): Promise<OrderDetails> {
    return this.placement.createOrder(options);
  }

  /** A page of the orders the caller may see. */
  listOrders(options: {
    credentials: BackstageCredentials;
    scope: OrderScope;
    filter: OrderListFilter;
    limit?: number;
    offset?: number;
    cursor?: string;
  }): Promise<{ items: Order[]; totalItems: number; nextCursor?: string }> {
    return this.queries.listOrders(options);
  }

  /** One order, for its requester, its approvers and admins. */
  getOrder(options: {
    credentials: BackstageCredentials;
    id: string;
  }): Promise<OrderDetails> {
    return this.decisions.getOrder(options);
  }

  /** Approves or rejects an order as one of its approvers. */
  decide(options: {
    credentials: BackstageCredentials;
    id: string;
    action: 'approve' | 'reject';
    comment?: string;
  }): Promise<OrderDetails> {
    return this.decisions.decide(options);
  }

  /** Cancel (requester, before provisioning), retry, close or reopen. */
  operate(options: {
    credentials: BackstageCredentials;
    id: string;
    action: 'cancel' | 'retry' | 'close' | 'reopen';
    comment?: string;
  }): Promise<OrderDetails> {
    return this.decisions.operate(options);
  }

  /** Rejects orders that waited for approval too long. */
  expireOrders(now: Date = new Date()): Promise<number> {
    return this.decisions.expireOrders(now);
  }

  /**
   * Provisioning runs after the response: the caller learns that the order
   * is approved, and follows it to fulfilled or failed.
   */
  private startProvisioning(order: Order, secrets?: Record<string, string>) {
    this.provisioner
      ?.provision(order, { secrets })
      .catch(error =>
        this.logger.error(`Could not provision order ${order.id}: ${error}`),
      );
  }
}
