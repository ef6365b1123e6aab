import { nextNewestFirst, readNewestFirst } from './newestFirst';
import {
  DatabaseService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import { ConflictError, NotFoundError } from '@backstage/errors';
import {
  Order,
  OrderAction,
  OrderDetails,
  OrderStatus,
} from '@internal/plugin-store-common';
import { PermissionCriteria } from '@backstage/plugin-permission-common';
import { Knex } from 'knex';
import { applyCriteria } from './applyCriteria';
import { OrderPermissionQuery } from '../permissions/rules';
import {
  DECISIONS,
  EVENTS,
  GROUPS,
  ORDERS,
  OrderRow,
  EventRow,
  PRODUCTS,
  isUniqueViolation,
  toDate,
  toEvent,
  toOrder,
  approverGroupsColumn,
} from './orderRows';
import { KeptRows } from './KeptRows';
import { selectPrepared } from './selectPrepared';

const migrationsDir = resolvePackagePath(
  '@internal/plugin-store-backend',
  'migrations',
);

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

/** How many orders are kept for reuse by the pages of orders. */
const MAX_ORDERS = 5000;

/**
 * The state of an order's row: every write to an order raises its version,
 * but for `setTaskId`, which sets the task of a version once. Pages of
 * orders select only this, and read whole rows only of the orders whose
 * state they have not seen.
 */
function rowVersion(row: Pick<OrderRow, 'version' | 'task_id'>): string {
  return `${row.version}/${row.task_id ?? ''}`;
}

/** Orders and their timeline; the only SQL about them. */
export class OrdersStore {
  /** Orders by id, with the state of the row they were read from. */
  private readonly kept = new KeptRows<Order>(MAX_ORDERS);

  private constructor(
    private readonly db: Knex,
    private readonly prepare: boolean,
  ) {}

  static async create(options: {
    database: DatabaseService;
    skipMigrations?: boolean;
    /**
     * Whether the pages of orders are prepared statements on PostgreSQL
     * (see `selectPrepared`); true unless set.
     */
    preparedStatements?: boolean;
  }): Promise<OrdersStore> {
    const db = await options.database.getClient();
    if (!options.database.migrations?.skip && !options.skipMigrations) {
      await db.migrate.latest({ directory: migrationsDir });
    }
    return new OrdersStore(db, options.preparedStatements ?? true);
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
    const row: OrderRow | undefined = await this.db(ORDERS)
      .select('*', approverGroupsColumn(this.db))
      .where({ id })
      .first();
    if (!row) {
      return undefined;
    }
    const order = toOrder(row);
    const events = await this.db<EventRow>(EVENTS)
      .where({ order_id: id })
      .orderBy('id', 'asc');
    return { ...order, events: events.map(e => toEvent(e)) };
  }

  /**
   * A page of orders, newest first. Pages follow each other through a
   * cursor (creation time and id of the last order of the previous page),
   * so that orders placed meanwhile neither repeat nor vanish from a list.
   */
  async listOrders(options: {
    filter: OrderFilter;
    permissionFilter?: OrderPermissionFilter;
    /**
     * Whether the page may be a prepared statement (see `selectPrepared`):
     * only for filters whose text varies with the scope of the list and the
     * caller's groups and decision, never with what the caller typed.
     */
    prepared?: boolean;
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
    // The first page counts the orders in the same statement; later ones
    // count them on their own, before the cursor narrows the query.
    const counted = cursor
      ? Number((await query.clone().count({ count: '*' }))[0].count)
      : undefined;
    const { rows, more, count } = await readNewestFirst<
      Pick<OrderRow, 'id' | 'version' | 'task_id'>
    >(query, {
      cursor,
      limit: options.limit,
      offset: options.offset,
      count: !cursor,
      columns: ['id', 'version', 'task_id'],
      select: page =>
        selectPrepared(this.db, page, {
          prepare: this.prepare && options.prepared === true,
        }),
    });
    const items = await this.toOrders(rows);
    return {
      items,
      totalItems: counted ?? count!,
      nextCursor: nextNewestFirst(items, more),
    };
  }

  /**
   * The orders of a page's rows, in their order: those kept for the row's
   * state, the others read whole in one statement (with their newest state,
   * should they have changed since the page was read).
   */
  private async toOrders(
    rows: Array<Pick<OrderRow, 'id' | 'version' | 'task_id'>>,
  ): Promise<Order[]> {
    const { found, missing } = this.kept.take(
      rows.map(row => ({ id: row.id, version: rowVersion(row) })),
    );
    if (missing.length > 0) {
      const read: OrderRow[] = await this.db<OrderRow>(ORDERS)
        .select('*', approverGroupsColumn(this.db))
        .whereIn('id', missing);
      for (const row of read) {
        found.set(
          row.id,
          this.kept.keep(row.id, rowVersion(row), toOrder(row)),
        );
      }
    }
    return rows.flatMap(row => found.get(row.id) ?? []);
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
}
