import {
  AuditorService,
  AuthService,
  DiscoveryService,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { ConflictError, ResponseError } from '@backstage/errors';
import { HumanDuration, durationToMilliseconds } from '@backstage/types';
import {
  Order,
  OrderOutput,
  planStackLimits,
} from '@internal/plugin-store-common';
import { OrdersStore, ProvisioningOrder } from '../database/OrdersStore';
import { ProductsStore } from '../database/ProductsStore';
import { OrderNotifier } from './OrderNotifier';
import { OrderSecrets } from './OrderSecrets';
import { OrderProvisioner } from './OrderService';

const SYSTEM_ACTOR = 'plugin:store';
/** Running tasks listed per round; beyond, tasks are read one by one. */
const RUNNING_PAGE = 1000;
/** Orders checked at the same time, at most. */
const CHECK_CONCURRENCY = 8;
/**
 * How long an order may sit in approved, or in provisioning without a task,
 * before the scheduled round takes it as left behind by a stopped instance.
 */
const LEFT_BEHIND_MS = 60_000;

/** A scaffolder task as GET /v2/tasks/:id returns it. */
type Task = { id: string; status: string };

type TaskEvent = {
  id: number;
  type: string;
  body: {
    message?: string;
    output?: OrderOutput;
    error?: { message?: string; name?: string };
  };
};

/**
 * Provisions approved orders: starts the product's scaffolder task, follows
 * it to the end, then marks the order fulfilled or failed from the task's
 * status, with the task's output or its error.
 *
 * What is provisioning lives in the database (the order's status and task
 * id), so any instance can finish any order: the instance that started a
 * task follows it every second, and a scheduled round over all
 * provisioning orders catches those of instances that stopped. An order is
 * finished with a conditional update, so of two instances that see a task
 * end only one finishes the order, notifies and audits.
 *
 * Tasks are created by the store's own service principal rather than on
 * behalf of the requester: templates governed by a product are hidden from
 * users, so that the store is the only way in (see the store permission
 * policy), and an approved order is started long after the requester's
 * request is gone. Templates learn who ordered from the `storeRequester`
 * and `storeOrderId` secrets.
 */
export class OrderFulfiller implements OrderProvisioner {
  /** Orders whose tasks this instance started, followed closely. */
  private readonly following = new Set<string>();
  private watching?: Promise<void>;
  private stopped = false;
  private wake?: () => void;

  private constructor(
    private readonly orders: OrdersStore,
    private readonly secrets: OrderSecrets,
    private readonly discovery: DiscoveryService,
    private readonly auth: AuthService,
    private readonly logger: LoggerService,
    private readonly notifier: OrderNotifier,
    private readonly auditor: AuditorService | undefined,
    private readonly timeoutMs: number,
    private readonly pollMs: number,
    private readonly onFulfilled: ((order: Order) => Promise<void>) | undefined,
    private readonly products: ProductsStore | undefined,
  ) {}

  static create(options: {
    orders: OrdersStore;
    secrets: OrderSecrets;
    discovery: DiscoveryService;
    auth: AuthService;
    logger: LoggerService;
    notifier: OrderNotifier;
    auditor?: AuditorService;
    /** How long a task may run before its order fails. */
    timeout?: HumanDuration;
    /** How often the tasks this instance started are checked. */
    pollInterval?: HumanDuration;
    /**
     * Called once per order that this instance moved to fulfilled, e.g. to
     * start its subscription; it must be idempotent by order id.
     */
    onFulfilled?: (order: Order) => Promise<void>;
    /** Where the plan limits that a task passes on to its stack are read. */
    products?: ProductsStore;
  }): OrderFulfiller {
    return new OrderFulfiller(
      options.orders,
      options.secrets,
      options.discovery,
      options.auth,
      options.logger,
      options.notifier,
      options.auditor,
      durationToMilliseconds(options.timeout ?? { hours: 1 }),
      durationToMilliseconds(options.pollInterval ?? { seconds: 1 }),
      options.onFulfilled,
      options.products,
    );
  }

  /**
   * Starts the task of an approved order. The secrets are those given, or
   * else those stored while the order waited for approval; stored ones are
   * deleted once the task has them, or the task could not start.
   */
  async provision(
    order: Order,
    options: { secrets?: Record<string, string> },
  ): Promise<void> {
    let provisioning: Order;
    try {
      // The status moves first: of two instances, only one gets to start a
      // task, and a crash before the task id is stored shows as a failure to
      // retry rather than as a second task.
      provisioning = await this.orders.transition({
        id: order.id,
        expected: { status: 'approved', version: order.version },
        to: 'provisioning',
        action: 'provision',
        actor: SYSTEM_ACTOR,
      });
    } catch (error) {
      if (error instanceof ConflictError) {
        return;
      }
      throw error;
    }
    let taskId: string;
    try {
      try {
        const secrets = options.secrets ?? (await this.secrets.read(order.id));
        taskId = await this.createTask(provisioning, secrets);
      } finally {
        await this.secrets.delete(order.id);
      }
      await this.orders.setTaskId({
        id: order.id,
        version: provisioning.version,
        taskId,
      });
    } catch (error) {
      await this.finish(provisioning, 'fail', {
        error: `Could not start the scaffolder task: ${
          (error as Error).message
        }`,
      });
      return;
    }
    this.follow(order.id);
  }

  /**
   * One round over every order in flight, in whichever instance it
   * started: finishes those whose task ended, fails those whose task
   * overran or never started, and provisions approved orders that an
   * instance left behind. Run by a scheduled job, once across instances.
   */
  async checkAll(): Promise<void> {
    const now = Date.now();
    for (const id of await this.orders.listOrderIds({
      status: 'approved',
      updatedBefore: new Date(now - LEFT_BEHIND_MS),
    })) {
      const order = await this.orders.getOrder(id);
      if (order?.status === 'approved') {
        await this.provision(order, {}).catch(error =>
          this.logger.warn(`Could not provision order ${id}: ${error}`),
        );
      }
    }
    await this.check(await this.orders.listProvisioningOrders());
  }

  /**
   * Stops following, once the round in progress has finished: a request
   * cut off by the shutdown of the HTTP server would leave the scaffolder
   * polling its database for the events of a reader who is gone. The
   * scheduled round takes over.
   */
  async stop() {
    this.stopped = true;
    this.wake?.();
    await this.watching;
  }

  private follow(id: string) {
    this.following.add(id);
    if (!this.watching && !this.stopped) {
      this.watching = this.watch().finally(() => {
        this.watching = undefined;
      });
    }
  }

  /** Checks the tasks this instance started, every poll interval. */
  private async watch(): Promise<void> {
    while (!this.stopped && this.following.size > 0) {
      try {
        const orders = await this.orders.listProvisioningOrders({
          ids: [...this.following],
        });
        const inFlight = new Set(orders.map(o => o.id));
        for (const id of this.following) {
          // Finished here or by another instance.
          if (!inFlight.has(id)) {
            this.following.delete(id);
          }
        }
        await this.check(orders);
      } catch (error) {
        this.logger.warn(`Could not check scaffolder tasks: ${error}`);
      }
      if (this.following.size > 0 && !this.stopped) {
        await new Promise<void>(resolve => {
          const timer = setTimeout(resolve, this.pollMs);
          this.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.wake = undefined;
      }
    }
  }

  /**
   * Lists the scaffolder's running tasks once, and reads only the tasks of
   * orders that are no longer running, so the cost of a round does not grow
   * with the number of orders in flight.
   */
  private async check(orders: ProvisioningOrder[]) {
    if (orders.length === 0) {
      return;
    }
    const running = await this.request<{ tasks: Array<{ id: string }> }>(
      `/v2/tasks?status=open&status=processing&limit=${RUNNING_PAGE}`,
    );
    const runningIds = new Set(running.tasks.map(t => t.id));
    const now = Date.now();
    const candidates = orders.filter(
      o =>
        !o.taskId ||
        !runningIds.has(o.taskId) ||
        now > o.updatedAt.getTime() + this.timeoutMs,
    );
    // Orders finish side by side: one order's notification or a slow read
    // must not hold back the orders whose tasks ended at the same time.
    let next = 0;
    const worker = async () => {
      while (next < candidates.length) {
        const order = candidates[next++];
        try {
          await this.checkOrder(order, now);
        } catch (error) {
          this.logger.warn(`Could not follow order ${order.id}: ${error}`);
        }
      }
    };
    await Promise.all(
      Array.from(
        { length: Math.min(CHECK_CONCURRENCY, candidates.length) },
        worker,
      ),
    );
  }

  private async checkOrder(order: ProvisioningOrder, now: number) {
    const since = order.updatedAt.getTime();
    if (!order.taskId) {
      if (now - since > LEFT_BEHIND_MS) {
        await this.finish(order, 'fail', {
          error:
            'Provisioning was interrupted before the scaffolder task started; retry the order',
        });
      }
      return;
    }
    const path = `/v2/tasks/${encodeURIComponent(order.taskId)}`;
    const task = await this.request<Task>(path);
    if (task.status === 'open' || task.status === 'processing') {
      if (now > since + this.timeoutMs) {
        await this.finish(order, 'fail', {
          error: `The scaffolder task ${order.taskId} did not finish in time`,
        });
      }
      return;
    }
    // The scaffolder writes the status and the completion event together.
    const events = await this.request<TaskEvent[]>(`${path}/events`);
    const completion = events.find(e => e.type === 'completion');
    if (task.status === 'completed') {
      await this.finish(order, 'fulfil', {
        output: completion?.body.output ?? {},
      });
    } else {
      await this.finish(order, 'fail', {
        error:
          completion?.body.error?.message ??
          `The scaffolder task ${order.taskId} ended with status ${task.status}`,
      });
    }
  }

  /**
   * Moves an order from provisioning to its end, if it still is where the
   * caller read it: when another instance finished it first, nothing is
   * written, notified or audited.
   */
  private async finish(
    order: ProvisioningOrder | Order,
    action: 'fulfil' | 'fail',
    patch: { output?: OrderOutput; error?: string },
  ) {
    let updated: Order;
    try {
      updated = await this.orders.transition({
        id: order.id,
        expected: { status: 'provisioning', version: order.version },
        to: action === 'fulfil' ? 'fulfilled' : 'failed',
        action,
        actor: SYSTEM_ACTOR,
        comment: patch.error,
        data: order.taskId ? { taskId: order.taskId } : undefined,
        patch,
      });
    } catch (error) {
      if (error instanceof ConflictError) {
        return;
      }
      const failed = await this.auditor?.createEvent({
        eventId: `order-${action}`,
        severityLevel: 'medium',
        meta: { orderId: order.id, taskId: order.taskId },
      });
      await failed?.fail({ error: error as Error });
      throw error;
    }
    this.following.delete(order.id);
    const audited = await this.auditor?.createEvent({
      eventId: `order-${action}`,
      severityLevel: 'medium',
      meta: { orderId: order.id, taskId: order.taskId },
    });
    await audited?.success();
    if (updated.status === 'fulfilled') {
      // The notifier never throws; the requester hears first, as before.
      await this.notifier.fulfilled(updated);
      try {
        await this.onFulfilled?.(updated);
      } catch (error) {
        this.logger.error(
          `Order ${order.id} is fulfilled, but its subscription could not be started: ${error}`,
        );
      }
    } else {
      await this.notifier.failed(updated);
    }
  }

  private async createTask(
    order: Order,
    secrets: Record<string, string> = {},
  ): Promise<string> {
    const { id } = await this.request<{ id: string }>('/v2/tasks', {
      method: 'POST',
      body: JSON.stringify({
        templateRef: order.templateRef,
        values: order.parameters,
        secrets: {
          ...secrets,
          storeOrderId: order.id,
          storeRequester: order.requester,
          ...(await this.planLimitsSecret(order)),
        },
      }),
    });
    return id;
  }

  /**
   * The limits of the order's plan, as the product says them now, for the
   * template to hand to the cloud: the stack keeps them, so that it cannot
   * be scaled beyond its plan later. Secrets are strings, hence JSON.
   */
  private async planLimitsSecret(
    order: Order,
  ): Promise<{ storePlanLimits: string | undefined }> {
    const product = await this.products?.getProduct({
      id: order.productRef,
      permissionFilter: undefined,
    });
    const limits =
      product && planStackLimits(product.entity.spec.plans, order.planId);
    // Always set, so that no secret given with the order stands in for it.
    return { storePlanLimits: limits ? JSON.stringify(limits) : undefined };
  }

  private async request<T>(path: string, init: RequestInit = {}): Promise<T> {
    const baseUrl = await this.discovery.getBaseUrl('scaffolder');
    const { token } = await this.auth.getPluginRequestToken({
      onBehalfOf: await this.auth.getOwnServiceCredentials(),
      targetPluginId: 'scaffolder',
    });
    const response = await fetch(`${baseUrl}${path}`, {
      ...init,
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${token}`,
      },
      signal: AbortSignal.timeout(60_000),
    });
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    return (await response.json()) as T;
  }
}
