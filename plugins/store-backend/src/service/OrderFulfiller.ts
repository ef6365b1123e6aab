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
 * follows its event stream to the end, then marks the order fulfilled or
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
  private readonly following = new Set<string>();
  private stopped = false;

  private constructor(
    private readonly orders: OrdersStore,
    private readonly discovery: DiscoveryService,
    private readonly auth: AuthService,
    private readonly logger: LoggerService,
    private readonly notifier: OrderNotifier,
    private readonly auditor: AuditorService | undefined,
    private readonly timeoutMs: number,
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
  }): OrderFulfiller {
    return new OrderFulfiller(
      options.orders,
      options.discovery,
      options.auth,
      options.logger,
      options.notifier,
      options.auditor,
      durationToMilliseconds(options.timeout ?? { hours: 1 }),
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
      this.follow(order.id);
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
        this.follow(id);
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

  /** Resolves when no order is followed any more; for tests. */
  async idle(deadlineMs = 60_000): Promise<void> {
    const deadline = Date.now() + deadlineMs;
    while (this.following.size > 0) {
      if (Date.now() > deadline) {
        throw new Error('Orders are still being followed');
      }
      await new Promise(resolve => setTimeout(resolve, 20));
    }
  }

  private follow(id: string) {
    if (this.following.has(id)) {
      return;
    }
    this.following.add(id);
    this.followTask(id)
      .catch(error =>
        this.logger.error(`Could not follow order ${id}: ${error}`),
      )
      .finally(() => this.following.delete(id));
  }

  private async followTask(id: string): Promise<void> {
    const order = await this.orders.getOrder(id);
    if (!order?.taskId || order.status !== 'provisioning') {
      return;
    }
    const deadline = Date.parse(order.updatedAt) + this.timeoutMs;
    let after: number | undefined;
    while (!this.stopped) {
      if (Date.now() > deadline) {
        await this.finish(id, 'fail', {
          error: `The scaffolder task ${order.taskId} did not finish in time`,
        });
        return;
      }
      // The events endpoint answers as soon as there are new events, or
      // with none after 30 seconds.
      const events = await this.request<TaskEvent[]>(
        `/v2/tasks/${encodeURIComponent(order.taskId)}/events${
          after !== undefined ? `?after=${after}` : ''
        }`,
      );
      for (const event of events) {
        after = event.id;
        if (event.type !== 'completion') {
          continue;
        }
        if (event.body.error) {
          await this.finish(id, 'fail', {
            error: event.body.error.message ?? event.body.message ?? 'failed',
          });
        } else if (
          /completed with status: completed/.test(event.body.message ?? '')
        ) {
          await this.finish(id, 'fulfil', { output: event.body.output ?? {} });
        } else {
          await this.finish(id, 'fail', {
            error: event.body.message ?? 'The task did not complete',
          });
        }
        return;
      }
    }
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
