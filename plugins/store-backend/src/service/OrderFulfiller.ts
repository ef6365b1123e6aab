import {
  AuditorService,
  AuthService,
  DiscoveryService,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { ConflictError, ResponseError } from '@backstage/errors';
import { HumanDuration, durationToMilliseconds } from '@backstage/types';
import { Order, OrderOutput } from '@internal/plugin-store-common';
import { OrdersStore } from '../database/OrdersStore';
import { OrderNotifier } from './OrderNotifier';
import { OrderProvisioner } from './OrderService';

const SYSTEM_ACTOR = 'plugin:store';
/** Running tasks listed per round; beyond, tasks are checked one by one. */
const RUNNING_PAGE = 1000;
/** Orders finished at the same time, at most. */
const FINISH_CONCURRENCY = 8;

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
 * Provisions approved orders: starts the product's scaffolder task and
 * follows it to the end, then marks the order fulfilled or
 * failed.
 *
 * Tasks are created by the store's own service principal rather than on
 * behalf of the requester: templates governed by a product are hidden from
 * users, so that the store is the only way in (see the store permission
 * policy), and an approved order is started long after the requester's
 * request is gone. Templates learn who ordered from the `storeRequester`
 * and `storeOrderId` secrets.
 */
export class OrderFulfiller implements OrderProvisioner {
  /** Orders this instance follows, by id. */
  private readonly following = new Map<
    string,
    { taskId: string; deadline: number }
  >();
  private watching?: Promise<void>;
  private stopped = false;

  private constructor(
    private readonly orders: OrdersStore,
    private readonly discovery: DiscoveryService,
    private readonly auth: AuthService,
    private readonly logger: LoggerService,
    private readonly notifier: OrderNotifier,
    private readonly auditor: AuditorService | undefined,
    private readonly timeoutMs: number,
    private readonly pollMs: number,
  ) {}

  static create(options: {
    orders: OrdersStore;
    discovery: DiscoveryService;
    auth: AuthService;
    logger: LoggerService;
    notifier: OrderNotifier;
    auditor?: AuditorService;
    /** How long a task may run before its order fails. */
    timeout?: HumanDuration;
    /** How often the running tasks are checked. */
    pollInterval?: HumanDuration;
  }): OrderFulfiller {
    return new OrderFulfiller(
      options.orders,
      options.discovery,
      options.auth,
      options.logger,
      options.notifier,
      options.auditor,
      durationToMilliseconds(options.timeout ?? { hours: 1 }),
      durationToMilliseconds(options.pollInterval ?? { seconds: 1 }),
    );
  }

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
    try {
      const taskId = await this.createTask(provisioning, options.secrets);
      await this.orders.setTaskId({
        id: order.id,
        version: provisioning.version,
        taskId,
      });
      this.follow(order.id, taskId, Date.now());
    } catch (error) {
      await this.finish(order.id, 'fail', {
        error: `Could not start the scaffolder task: ${
          (error as Error).message
        }`,
      });
    }
  }

  /**
   * Follows every provisioning order that no one in this process follows;
   * run at start-up and on a schedule, so a restart resumes them.
   */
  async resume(): Promise<void> {
    for (const id of await this.orders.listOrderIds({
      status: 'provisioning',
    })) {
      const order = await this.orders.getOrder(id);
      if (!order || this.following.has(id)) {
        continue;
      }
      if (order.taskId) {
        this.follow(id, order.taskId, Date.parse(order.updatedAt));
      } else if (Date.now() - Date.parse(order.updatedAt) > 60_000) {
        await this.finish(id, 'fail', {
          error:
            'Provisioning was interrupted before the scaffolder task started; retry the order',
        });
      }
    }
  }

  /** Stops following; the next start resumes. */
  stop() {
    this.stopped = true;
  }

  private follow(id: string, taskId: string, startedAt: number) {
    if (this.following.has(id)) {
      return;
    }
    this.following.set(id, { taskId, deadline: startedAt + this.timeoutMs });
    if (!this.watching) {
      this.watching = this.watch().finally(() => {
        this.watching = undefined;
      });
    }
  }

  /**
   * One loop follows every task of this instance: each round lists the
   * scaffolder's running tasks once, and only the followed tasks that are no
   * longer running are read, so the cost does not grow with the number of
   * orders in flight.
   */
  private async watch(): Promise<void> {
    while (!this.stopped && this.following.size > 0) {
      try {
        await this.checkTasks();
      } catch (error) {
        this.logger.warn(`Could not check scaffolder tasks: ${error}`);
      }
      if (this.following.size > 0) {
        await new Promise(resolve => setTimeout(resolve, this.pollMs));
      }
    }
  }

  private async checkTasks() {
    const running = await this.request<{
      tasks: Array<{ id: string }>;
      totalTasks?: number;
    }>(`/v2/tasks?status=open&status=processing&limit=${RUNNING_PAGE}`);
    const runningIds = new Set(running.tasks.map(t => t.id));
    const complete =
      running.totalTasks === undefined ||
      running.totalTasks <= running.tasks.length;
    const candidates = [...this.following].filter(
      ([, { taskId, deadline }]) =>
        !runningIds.has(taskId) || Date.now() > deadline,
    );
    // Orders finish side by side: one order's notification or a slow read
    // must not hold back the orders whose tasks ended at the same time.
    let next = 0;
    const worker = async () => {
      while (next < candidates.length) {
        const [id, followed] = candidates[next++];
        await this.checkOrder(id, followed, runningIds, complete);
      }
    };
    await Promise.all(
      Array.from(
        { length: Math.min(FINISH_CONCURRENCY, candidates.length) },
        worker,
      ),
    );
  }

  private async checkOrder(
    id: string,
    { taskId, deadline }: { taskId: string; deadline: number },
    runningIds: Set<string>,
    listComplete: boolean,
  ) {
    try {
      const finished =
        !runningIds.has(taskId) &&
        (await this.isDone(taskId, listComplete)) &&
        (await this.finishFromEvents(id, taskId));
      if (finished) {
        this.following.delete(id);
      } else if (Date.now() > deadline) {
        this.following.delete(id);
        await this.finish(id, 'fail', {
          error: `The scaffolder task ${taskId} did not finish in time`,
        });
      }
    } catch (error) {
      this.logger.warn(`Could not follow order ${id}: ${error}`);
    }
  }

  /** Whether a task absent from the list of running tasks is done. */
  private async isDone(taskId: string, listComplete: boolean) {
    if (listComplete) {
      return true;
    }
    const task = await this.request<{ status: string }>(
      `/v2/tasks/${encodeURIComponent(taskId)}`,
    );
    return !['open', 'processing'].includes(task.status);
  }

  /**
   * Finishes an order from the completion event of its task; false when the
   * event is not there yet, to look again in the next round.
   */
  private async finishFromEvents(id: string, taskId: string) {
    const events = await this.request<TaskEvent[]>(
      `/v2/tasks/${encodeURIComponent(taskId)}/events`,
    );
    const completion = events.find(e => e.type === 'completion');
    if (!completion) {
      return false;
    } else if (completion.body.error) {
      await this.finish(id, 'fail', {
        error:
          completion.body.error.message ?? completion.body.message ?? 'failed',
      });
    } else if (
      /completed with status: completed/.test(completion.body.message ?? '')
    ) {
      await this.finish(id, 'fulfil', { output: completion.body.output ?? {} });
    } else {
      await this.finish(id, 'fail', {
        error: completion.body.message ?? 'The task did not complete',
      });
    }
    return true;
  }

  private async finish(
    id: string,
    action: 'fulfil' | 'fail',
    patch: { output?: OrderOutput; error?: string },
  ) {
    const order = await this.orders.getOrder(id);
    if (!order || !['provisioning', 'approved'].includes(order.status)) {
      return;
    }
    const auditorEvent = await this.auditor?.createEvent({
      eventId: `order-${action}`,
      severityLevel: 'medium',
      meta: { orderId: id, taskId: order.taskId },
    });
    try {
      const updated = await this.orders.transition({
        id,
        expected: { status: order.status, version: order.version },
        to: action === 'fulfil' ? 'fulfilled' : 'failed',
        action,
        actor: SYSTEM_ACTOR,
        comment: patch.error,
        data: order.taskId ? { taskId: order.taskId } : undefined,
        patch,
      });
      await auditorEvent?.success();
      if (updated.status === 'fulfilled') {
        await this.notifier.fulfilled(updated);
      } else {
        await this.notifier.failed(updated);
      }
    } catch (error) {
      await auditorEvent?.fail({ error: error as Error });
      if (!(error instanceof ConflictError)) {
        throw error;
      }
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
        },
      }),
    });
    return id;
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
