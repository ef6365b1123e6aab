import {
  BackstageCredentials,
  LoggerService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import {
  ConflictError,
  NotAllowedError,
  NotFoundError,
} from '@backstage/errors';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  nextOrderStatus,
  Order,
  OrderAction,
  OrderDetails,
  OrderRole,
  OrderStatus,
  storeOrderAdminPermission,
  storeOrderApprovePermission,
  storeOrderReadPermission,
} from '@internal/plugin-store-common';
import { OrderPatch, OrdersStore } from '../database/OrdersStore';
import { GroupMembership } from './GroupMembership';
import { StartProvisioning, userOf } from './orderAccess';
import { OrderNotifier } from './OrderNotifier';
import { OrderSecrets } from './OrderSecrets';

const SYSTEM_ACTOR = 'plugin:store';

/**
 * What happens to an order after it is placed: who may see it, approvals
 * and rejections, cancelling, retrying, closing and reopening, and expiry.
 */
export class OrderDecisions {
  constructor(
    private readonly orders: OrdersStore,
    private readonly permissions: PermissionsService,
    private readonly membership: GroupMembership,
    private readonly secrets: OrderSecrets,
    private readonly notifier: OrderNotifier,
    private readonly logger: LoggerService,
    private readonly approvalTimeoutMs: number,
    private readonly startProvisioning: StartProvisioning,
  ) {}

  /** One order, for its requester, its approvers and admins. */
  async getOrder(options: {
    credentials: BackstageCredentials;
    id: string;
  }): Promise<OrderDetails> {
    const { order } = await this.loadForCaller(options.credentials, options.id);
    return order;
  }

  /** Approves or rejects an order as one of its approvers. */
  async decide(options: {
    credentials: BackstageCredentials;
    id: string;
    action: 'approve' | 'reject';
    comment?: string;
  }): Promise<OrderDetails> {
    const { order, roles, user } = await this.loadForCaller(
      options.credentials,
      options.id,
    );
    if (order.requester === user && options.action === 'approve') {
      throw new NotAllowedError('Requesters cannot approve their own orders');
    }
    const next = this.next(order, options.action, roles);
    const approving = options.action === 'approve';
    const updated = await this.orders.transition({
      id: order.id,
      expected: { status: order.status, version: order.version },
      to: next,
      action: options.action,
      actor: user,
      comment: options.comment,
      approver: approving ? user : undefined,
      patch: approving ? { approvals: order.approvals + 1 } : undefined,
    });
    if (updated.status === 'approved') {
      await this.notifier.approved(updated);
      // The provisioner reads the secrets that were kept for the order.
      this.startProvisioning(updated);
    }
    if (updated.status === 'rejected') {
      await this.secrets.delete(order.id);
      await this.notifier.rejected(updated, options.comment);
    }
    return updated;
  }

  /** Cancel (requester, before provisioning), retry, close or reopen. */
  async operate(options: {
    credentials: BackstageCredentials;
    id: string;
    action: 'cancel' | 'retry' | 'close' | 'reopen';
    comment?: string;
  }): Promise<OrderDetails> {
    const { order, roles, user } = await this.loadForCaller(
      options.credentials,
      options.id,
    );
    const next = this.next(order, options.action, roles);
    let patch: OrderPatch | undefined;
    if (options.action === 'reopen') {
      // A reopened order is decided afresh, with a new deadline.
      patch = {
        approvals: 0,
        expiresAt: new Date(Date.now() + this.approvalTimeoutMs).toISOString(),
      };
    } else if (options.action === 'retry') {
      patch = { error: undefined, taskId: undefined };
    }
    const updated = await this.orders.transition({
      id: order.id,
      expected: { status: order.status, version: order.version },
      to: next,
      action: options.action,
      actor: user,
      comment: options.comment,
      patch,
    });
    if (options.action === 'retry') {
      this.startProvisioning(updated);
    }
    if (updated.status === 'cancelled') {
      await this.secrets.delete(order.id);
    }
    if (options.action === 'reopen') {
      await this.notifier.pendingApproval(updated);
    }
    return updated;
  }

  /** Rejects orders that waited for approval too long. */
  async expireOrders(now: Date = new Date()): Promise<number> {
    let expired = 0;
    for (const id of await this.orders.listOrderIds({
      status: 'pending_approval',
      expiresBefore: now,
    })) {
      const order = await this.orders.getOrder(id);
      if (!order) {
        continue;
      }
      try {
        const updated = await this.orders.transition({
          id,
          expected: { status: order.status, version: order.version },
          to: this.next(order, 'expire', ['system']),
          action: 'expire',
          actor: SYSTEM_ACTOR,
          comment: `No decision before the approval deadline of ${order.expiresAt}`,
          now,
        });
        await this.secrets.delete(id);
        await this.notifier.rejected(updated, updated.events.at(-1)?.comment);
        expired += 1;
      } catch (error) {
        this.logger.warn(`Could not expire order ${id}: ${error}`);
      }
    }
    return expired;
  }

  private next(
    order: Order,
    action: Exclude<OrderAction, 'create'>,
    roles: OrderRole[],
  ): OrderStatus {
    const result = nextOrderStatus({
      status: order.status,
      action,
      roles,
      approvals: order.approvals,
      approvalsRequired: order.approvalsRequired,
    });
    if ('denied' in result) {
      if (result.denied.reason === 'role') {
        throw new NotAllowedError(result.denied.message);
      }
      // Someone else moved the order first, e.g. the other approver.
      throw new ConflictError(result.denied.message);
    }
    return result.status;
  }

  /**
   * Loads an order with the roles the caller has on it. Callers with no
   * role do not see the order at all.
   */
  private async loadForCaller(
    credentials: BackstageCredentials,
    id: string,
  ): Promise<{ order: OrderDetails; roles: OrderRole[]; user: string }> {
    const user = userOf(credentials);
    const order = await this.orders.getOrder(id);
    if (!order) {
      throw new NotFoundError(`No order ${id}`);
    }
    const [read, approve, admin] = await this.permissions.authorize(
      [
        { permission: storeOrderReadPermission, resourceRef: order.id },
        { permission: storeOrderApprovePermission },
        { permission: storeOrderAdminPermission },
      ],
      { credentials },
    );
    const roles: OrderRole[] = [];
    if (admin.result === AuthorizeResult.ALLOW) {
      roles.push('admin');
    }
    if (order.requester === user && read.result === AuthorizeResult.ALLOW) {
      roles.push('requester');
    }
    // Without approver groups on the product, the admins approve.
    const inApproverGroup =
      order.approverGroups.length === 0
        ? roles.includes('admin')
        : await this.membership.isMemberOfAny(user, order.approverGroups);
    if (
      order.requester !== user &&
      approve.result === AuthorizeResult.ALLOW &&
      inApproverGroup
    ) {
      roles.push('approver');
    }
    if (roles.length === 0) {
      throw new NotFoundError(`No order ${id}`);
    }
    return { order, roles, user };
  }
}
