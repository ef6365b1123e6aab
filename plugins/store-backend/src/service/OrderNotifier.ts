import { LoggerService } from '@backstage/backend-plugin-api';
import { NotificationService } from '@backstage/plugin-notifications-node';
import { Order, formatPrice } from '@internal/plugin-store-common';

/**
 * Tells people about orders through Backstage notifications: approvers
 * about new pending orders, requesters about decisions and results. A
 * failed notification never fails the order.
 */
export class OrderNotifier {
  private constructor(
    private readonly notifications: NotificationService | undefined,
    private readonly logger: LoggerService,
  ) {}

  static create(options: {
    notifications?: NotificationService;
    logger: LoggerService;
  }): OrderNotifier {
    return new OrderNotifier(options.notifications, options.logger);
  }

  async pendingApproval(order: Order) {
    await this.send(order.approverGroups, order, {
      title: `Order to approve: ${order.productTitle} (${order.planId})`,
      description: `${order.requester} ordered ${
        order.productTitle
      } for ${formatPrice(order.price)}. ${order.approvalReason ?? ''}`.trim(),
      link: `/store/approvals`,
      exclude: order.requester,
    });
  }

  async approved(order: Order) {
    await this.send([order.requester], order, {
      title: `Order approved: ${order.productTitle}`,
      description: 'Provisioning starts now.',
      severity: 'normal',
    });
  }

  async rejected(order: Order, comment?: string) {
    await this.send([order.requester], order, {
      title: `Order rejected: ${order.productTitle}`,
      description: comment ?? 'The order was rejected.',
      severity: 'high',
    });
  }

  async fulfilled(order: Order) {
    const url = order.output?.links?.find(l => l.url)?.url;
    await this.send([order.requester], order, {
      title: `Order fulfilled: ${order.productTitle}`,
      description: url ? `Ready at ${url}` : 'Your order is ready.',
    });
  }

  async failed(order: Order) {
    await this.send([order.requester], order, {
      title: `Order failed: ${order.productTitle}`,
      description: order.error ?? 'Provisioning failed.',
      severity: 'high',
    });
  }

  private async send(
    recipients: string[],
    order: Order,
    payload: {
      title: string;
      description: string;
      link?: string;
      severity?: 'normal' | 'high';
      exclude?: string;
    },
  ) {
    if (!this.notifications || recipients.length === 0) {
      return;
    }
    try {
      await this.notifications.send({
        recipients: {
          type: 'entity',
          entityRef: recipients,
          excludeEntityRef: payload.exclude,
        },
        payload: {
          title: payload.title,
          description: payload.description,
          link: payload.link ?? `/store/orders/${order.id}`,
          severity: payload.severity ?? 'normal',
          topic: 'store-orders',
          scope: `store-order:${order.id}:${order.status}`,
        },
      });
    } catch (error) {
      this.logger.warn(`Could not notify about order ${order.id}: ${error}`);
    }
  }
}
