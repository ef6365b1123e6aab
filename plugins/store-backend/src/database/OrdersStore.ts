import {
  DatabaseService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import { ConflictError, NotFoundError } from '@backstage/errors';
import {
  Order,
  OrderAction,
  OrderDetails,
  OrderEvent,
  OrderStatus,
  PriceInterval,
} from '@internal/plugin-store-common';
import { PermissionCriteria } from '@backstage/plugin-permission-common';
import { Knex } from 'knex';
import { applyCriteria } from './applyCriteria';
import { OrderPermissionQuery } from '../permissions/rules';

const migrationsDir = resolvePackagePath(
  '@internal/plugin-store-backend',
  'migrations',
);

const ORDERS = 'store_orders';
const GROUPS = 'store_order_approver_groups';
const DECISIONS = 'store_order_decisions';
const EVENTS = 'store_order_events';
const KEYS = 'store_idempotency_keys';
/** The product index; its order counts serve the "most ordered" sort. */
const PRODUCTS = 'store_products';

type OrderRow = {
  id: string;
  product_ref: string;
  product_title: string;
  template_ref: string;
  plan_id: string;
  provider: string;
  region: string | null;
  parameters_json: string;
  price_amount: string;
  price_currency: string;
  price_interval: string;
  requester: string;
  owner_group: string | null;
  status: string;
  version: number;
  approvals_required: number;
  approvals: number;
  approval_reason: string | null;
  expires_at: Date | string | null;
  task_id: string | null;
  output_json: string | null;
  error: string | null;
  created_at: Date | string;
  updated_at: Date | string;
};

type EventRow = {
  id: number;
  order_id: string;
  action: string;
  from_status: string | null;
  to_status: string;
  actor: string;
  comment: string | null;
  data_json: string | null;
  created_at: Date | string;
};

/** A new order as the store writes it. */
export type NewOrder = Omit<
  Order,
  'version' | 'approvals' | 'createdAt' | 'updatedAt' | 'status'
> & { status: OrderStatus };

/** What a transition changes besides the status. */
export type OrderPatch = Partial<
  Pick<Order, 'taskId' | 'output' | 'error' | 'approvals' | 'expiresAt'>
>;

/** Filters of an order list. */
export type OrderFilter = {
  requester?: string[];
  status?: OrderStatus[];
  productRef?: string[];
  /** Orders whose approver groups include one of these. */
  approverGroup?: string[];
  /**
   * Orders placed for one of these groups, or by one of these users: a
   * group's orders are those of its owner refs and of its members.
   */
  group?: { groups: string[]; members: string[] };
  createdAfter?: Date;
  createdBefore?: Date;
};

/** A permission decision on orders as a database filter; undefined allows all. */
export type OrderPermissionFilter =
  | PermissionCriteria<OrderPermissionQuery>
  | undefined;

/** Where a page of orders starts: after this creation time and id. */
export type OrderCursor = { createdAt: string; id: string };

/** An order in provisioning, as the fulfiller follows it. */
export type ProvisioningOrder = {
  id: string;
  version: number;
  taskId?: string;
  /** When the order moved to provisioning, or got its task. */
  updatedAt: Date;
};

/** A stored response of an idempotent request. */
export type IdempotentResponse = { status: number; body: unknown };

function toDate(value: Date | string | number): Date {
  return value instanceof Date ? value : new Date(value);
}

function toIso(value: Date | string | number | null | undefined) {
  return value === null || value === undefined
    ? undefined
    : toDate(value).toISOString();
}

function isUniqueViolation(error: unknown) {
  const e = error as { code?: string; message?: string };
  return (
    e?.code === '23505' ||
    e?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY' ||
    e?.code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    /UNIQUE constraint failed/.test(e?.message ?? '')
  );
}

/** Orders, their timeline and idempotency keys; the only SQL about them. */
export class OrdersStore {
  private constructor(private readonly db: Knex) {}

  static async create(options: {
    database: DatabaseService;
    skipMigrations?: boolean;
  }): Promise<OrdersStore> {
    const db = await options.database.getClient();
    if (!options.database.migrations?.skip && !options.skipMigrations) {
      await db.migrate.latest({ directory: migrationsDir });
    }
    return new OrdersStore(db);
  }

  /** Writes a new order with the first row of its timeline. */
  async createOrder(
    order: NewOrder,
    event: { actor: string; comment?: string },
    now: Date = new Date(),
  ): Promise<OrderDetails> {
    await this.db.transaction(async trx => {
      await trx<OrderRow>(ORDERS).insert({
        id: order.id,
        product_ref: order.productRef,
        product_title: order.productTitle,
        template_ref: order.templateRef,
        plan_id: order.planId,
        provider: order.provider,
        region: order.region ?? null,
        parameters_json: JSON.stringify(order.parameters),
        price_amount: order.price.amount,
        price_currency: order.price.currency,
        price_interval: order.price.interval,
        requester: order.requester,
        owner_group: order.ownerGroup ?? null,
        status: order.status,
        version: 1,
        approvals_required: order.approvalsRequired,
        approvals: 0,
        approval_reason: order.approvalReason ?? null,
        expires_at: order.expiresAt ? new Date(order.expiresAt) : null,
        task_id: null,
        output_json: null,
        error: null,
        created_at: now,
        updated_at: now,
      });
      if (order.approverGroups.length > 0) {
        await trx(GROUPS).insert(
          order.approverGroups.map(group_ref => ({
            order_id: order.id,
            group_ref,
          })),
        );
      }
      // Counted in the same transaction, so that the count of a product is
      // the number of its orders, and listing by it needs no aggregation.
      await trx(PRODUCTS)
        .where('id', order.productRef.toLocaleLowerCase('en-US'))
        .increment('order_count', 1);
      await trx<EventRow>(EVENTS).insert({
        order_id: order.id,
        action: 'create',
        from_status: null,
        to_status: order.status,
        actor: event.actor,
        comment: event.comment ?? null,
        data_json: null,
        created_at: now,
      });
    });
    return (await this.getOrder(order.id))!;
  }

  async getOrder(id: string): Promise<OrderDetails | undefined> {
    const row = await this.db<OrderRow>(ORDERS).where({ id }).first();
    if (!row) {
      return undefined;
    }
    const [order] = await this.toOrders([row]);
    const events = await this.db<EventRow>(EVENTS)
      .where({ order_id: id })
      .orderBy('id', 'asc');
    return { ...order, events: events.map(e => this.toEvent(e)) };
  }

  /**
   * A page of orders, newest first. Pages follow each other through a
   * cursor (creation time and id of the last order of the previous page),
   * so that orders placed meanwhile neither repeat nor vanish from a list.
   */
  async listOrders(options: {
    filter: OrderFilter;
    permissionFilter?: OrderPermissionFilter;
    limit: number;
    offset?: number;
    cursor?: OrderCursor;
  }): Promise<{
    items: Order[];
    totalItems: number;
    nextCursor?: OrderCursor;
  }> {
    const { filter, permissionFilter, cursor } = options;
    const query = this.db<OrderRow>(ORDERS);
    if (filter.requester) {
      query.whereIn('requester', filter.requester);
    }
    if (filter.status) {
      query.whereIn('status', filter.status);
    }
    if (filter.productRef) {
      query.whereIn('product_ref', filter.productRef);
    }
    if (filter.approverGroup) {
      query.whereIn('id', this.ordersApprovedBy(filter.approverGroup));
    }
    if (filter.group) {
      const { groups, members } = filter.group;
      query.where(inner =>
        inner.whereIn('owner_group', groups).orWhereIn('requester', members),
      );
    }
    if (filter.createdAfter) {
      query.where('created_at', '>=', filter.createdAfter);
    }
    if (filter.createdBefore) {
      query.where('created_at', '<', filter.createdBefore);
    }
    if (permissionFilter) {
      query.where(inner =>
        applyCriteria(inner, permissionFilter, (q, condition) =>
          this.applyOrderCondition(q, condition),
        ),
      );
    }
    const [{ count }] = await query.clone().count({ count: '*' });
    if (cursor) {
      const after = new Date(cursor.createdAt);
      query.where(inner =>
        inner
          .where('created_at', '<', after)
          .orWhere(same =>
            same.where('created_at', '=', after).andWhere('id', '<', cursor.id),
          ),
      );
    }
    const rows = await query
      .select('*')
      .orderBy([
        { column: 'created_at', order: 'desc' },
        { column: 'id', order: 'desc' },
      ])
      .limit(options.limit + 1)
      .offset(options.offset ?? 0);
    const items = await this.toOrders(rows.slice(0, options.limit));
    const last = items.at(-1);
    return {
      items,
      totalItems: Number(count),
      nextCursor:
        rows.length > options.limit && last
          ? { createdAt: last.createdAt, id: last.id }
          : undefined,
    };
  }

  private ordersApprovedBy(groups: string[]) {
    return this.db(GROUPS).select('order_id').whereIn('group_ref', groups);
  }

  private applyOrderCondition(
    query: Knex.QueryBuilder,
    condition: OrderPermissionQuery,
  ): void {
    if (condition.key === 'requester') {
      query.whereIn('requester', condition.values);
    } else {
      query.whereIn('id', this.ordersApprovedBy(condition.values));
    }
  }

  /** Ids of orders in a status, oldest first; for the background jobs. */
  async listOrderIds(options: {
    status: OrderStatus;
    expiresBefore?: Date;
    updatedBefore?: Date;
    limit?: number;
  }): Promise<string[]> {
    const query = this.db<OrderRow>(ORDERS)
      .where('status', options.status)
      .select('id')
      .orderBy('created_at', 'asc')
      .limit(options.limit ?? 500);
    if (options.expiresBefore) {
      query.where('expires_at', '<', options.expiresBefore);
    }
    if (options.updatedBefore) {
      query.where('updated_at', '<', options.updatedBefore);
    }
    return (await query).map(r => r.id);
  }

  /** Orders in provisioning, oldest first, or those of `ids` still in it. */
  async listProvisioningOrders(
    options: { ids?: string[]; limit?: number } = {},
  ): Promise<ProvisioningOrder[]> {
    const query = this.db<OrderRow>(ORDERS)
      .where('status', 'provisioning')
      .select('id', 'version', 'task_id', 'updated_at')
      .orderBy('updated_at', 'asc')
      .limit(options.limit ?? 1000);
    if (options.ids) {
      query.whereIn('id', options.ids);
    }
    return (await query).map(row => ({
      id: row.id,
      version: Number(row.version),
      taskId: row.task_id ?? undefined,
      updatedAt: toDate(row.updated_at),
    }));
  }

  /**
   * Moves an order from the status and version the caller read to a new
   * status, with a row in its timeline. When someone else changed the order
   * in between, nothing is written and a ConflictError is thrown: of two
   * concurrent decisions exactly one wins.
   */
  async transition(options: {
    id: string;
    expected: { status: OrderStatus; version: number };
    to: OrderStatus;
    action: Exclude<OrderAction, 'create'>;
    actor: string;
    comment?: string;
    data?: Record<string, unknown>;
    patch?: OrderPatch;
    /** For approvals: the approver, who may decide once per order. */
    approver?: string;
    now?: Date;
  }): Promise<OrderDetails> {
    const now = options.now ?? new Date();
    const { patch = {} } = options;
    await this.db.transaction(async trx => {
      const update: Partial<OrderRow> = {
        status: options.to,
        version: options.expected.version + 1,
        updated_at: now,
      };
      if ('taskId' in patch) {
        update.task_id = patch.taskId ?? null;
      }
      if ('output' in patch) {
        update.output_json = patch.output ? JSON.stringify(patch.output) : null;
      }
      if ('error' in patch) {
        update.error = patch.error ?? null;
      }
      if ('approvals' in patch) {
        update.approvals = patch.approvals ?? 0;
      }
      if ('expiresAt' in patch) {
        update.expires_at = patch.expiresAt ? new Date(patch.expiresAt) : null;
      }
      const updated = await trx<OrderRow>(ORDERS)
        .where({
          id: options.id,
          status: options.expected.status,
          version: options.expected.version,
        })
        .update(update);
      if (updated !== 1) {
        const exists = await trx<OrderRow>(ORDERS)
          .where({ id: options.id })
          .first('id');
        if (!exists) {
          throw new NotFoundError(`No order ${options.id}`);
        }
        throw new ConflictError(
          `Order ${options.id} was changed by someone else; reload it and try again`,
        );
      }
      if (options.approver) {
        try {
          await trx(DECISIONS).insert({
            order_id: options.id,
            approver: options.approver,
          });
        } catch (error) {
          if (isUniqueViolation(error)) {
            throw new ConflictError(
              `${options.approver} has already approved order ${options.id}`,
            );
          }
          throw error;
        }
      }
      if (options.action === 'reopen') {
        await trx(DECISIONS).where({ order_id: options.id }).delete();
      }
      await trx<EventRow>(EVENTS).insert({
        order_id: options.id,
        action: options.action,
        from_status: options.expected.status,
        to_status: options.to,
        actor: options.actor,
        comment: options.comment ?? null,
        data_json: options.data ? JSON.stringify(options.data) : null,
        created_at: now,
      });
    });
    return (await this.getOrder(options.id))!;
  }

  /**
   * Records the scaffolder task of a provisioning order; only once, so that
   * two instances never both start a task for one order.
   */
  async setTaskId(options: {
    id: string;
    version: number;
    taskId: string;
  }): Promise<void> {
    const updated = await this.db<OrderRow>(ORDERS)
      .where({
        id: options.id,
        status: 'provisioning',
        version: options.version,
      })
      .whereNull('task_id')
      .update({ task_id: options.taskId, updated_at: new Date() });
    if (updated !== 1) {
      throw new ConflictError(`Order ${options.id} already has a task`);
    }
  }

  /** Who has approved an order so far. */
  async listApprovers(id: string): Promise<string[]> {
    return (
      await this.db(DECISIONS).where({ order_id: id }).select('approver')
    ).map((r: { approver: string }) => r.approver);
  }

  /**
   * Claims an idempotency key for a request. Returns the stored response
   * when the same request was already answered; throws ConflictError when the
   * key was used with another body, or the first request is still running.
   */
  async claimIdempotencyKey(options: {
    principal: string;
    route: string;
    key: string;
    bodyHash: string;
    now?: Date;
  }): Promise<{ claimed: true } | { response: IdempotentResponse }> {
    const { principal, route, key, bodyHash } = options;
    try {
      await this.db(KEYS).insert({
        principal,
        route,
        key,
        body_hash: bodyHash,
        response_status: null,
        response_json: null,
        created_at: options.now ?? new Date(),
      });
      return { claimed: true };
    } catch (error) {
      if (!isUniqueViolation(error)) {
        throw error;
      }
    }
    const row = await this.db(KEYS).where({ principal, route, key }).first();
    if (!row || row.body_hash !== bodyHash) {
      throw new ConflictError(
        `Idempotency-Key "${key}" was already used with a different request`,
      );
    }
    if (row.response_status === null || row.response_status === undefined) {
      throw new ConflictError(
        `A request with Idempotency-Key "${key}" is still in progress`,
      );
    }
    return {
      response: {
        status: Number(row.response_status),
        body: JSON.parse(row.response_json),
      },
    };
  }

  /** Stores the response of a claimed key, or releases it on failure. */
  async completeIdempotencyKey(options: {
    principal: string;
    route: string;
    key: string;
    response?: IdempotentResponse;
  }): Promise<void> {
    const { principal, route, key, response } = options;
    const query = this.db(KEYS).where({ principal, route, key });
    if (response) {
      await query.update({
        response_status: response.status,
        response_json: JSON.stringify(response.body),
      });
    } else {
      await query.delete();
    }
  }

  /** Forgets idempotency keys older than `before`. */
  async deleteIdempotencyKeys(before: Date): Promise<number> {
    return this.db(KEYS).where('created_at', '<', before).delete();
  }

  private async toOrders(rows: OrderRow[]): Promise<Order[]> {
    const groups = new Map<string, string[]>();
    for (let i = 0; i < rows.length; i += 500) {
      const ids = rows.slice(i, i + 500).map(r => r.id);
      for (const g of await this.db(GROUPS)
        .whereIn('order_id', ids)
        .orderBy('group_ref')) {
        groups.set(g.order_id, [
          ...(groups.get(g.order_id) ?? []),
          g.group_ref,
        ]);
      }
    }
    return rows.map(row => ({
      id: row.id,
      productRef: row.product_ref,
      productTitle: row.product_title,
      templateRef: row.template_ref,
      planId: row.plan_id,
      provider: row.provider,
      region: row.region ?? undefined,
      parameters: JSON.parse(row.parameters_json),
      price: {
        amount: row.price_amount,
        currency: row.price_currency,
        interval: row.price_interval as PriceInterval,
      },
      requester: row.requester,
      ownerGroup: row.owner_group ?? undefined,
      status: row.status as OrderStatus,
      version: Number(row.version),
      approvalsRequired: Number(row.approvals_required),
      approvals: Number(row.approvals),
      approverGroups: groups.get(row.id) ?? [],
      approvalReason: row.approval_reason ?? undefined,
      expiresAt: toIso(row.expires_at),
      taskId: row.task_id ?? undefined,
      output: row.output_json ? JSON.parse(row.output_json) : undefined,
      error: row.error ?? undefined,
      createdAt: toDate(row.created_at).toISOString(),
      updatedAt: toDate(row.updated_at).toISOString(),
    }));
  }

  private toEvent(row: EventRow): OrderEvent {
    return {
      id: Number(row.id),
      orderId: row.order_id,
      action: row.action as OrderAction,
      fromStatus: (row.from_status as OrderStatus) ?? undefined,
      toStatus: row.to_status as OrderStatus,
      actor: row.actor,
      comment: row.comment ?? undefined,
      data: row.data_json ? JSON.parse(row.data_json) : undefined,
      createdAt: toDate(row.created_at).toISOString(),
    };
  }
}
