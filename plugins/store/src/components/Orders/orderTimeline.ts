import { OrderDetails, OrderStatus } from '@internal/plugin-store-common';

/** One row of an order's timeline, ready to show. */
export type OrderTimelineEntry = {
  key: string;
  title: string;
  at: string;
  actor?: string;
  comment?: string;
  link?: { title: string; url: string };
  error?: string;
};

const TITLES: Record<string, string> = {
  create: 'Ordered',
  approve: 'Approved',
  reject: 'Rejected',
  expire: 'Expired without a decision',
  cancel: 'Cancelled',
  provision: 'Provisioning started',
  fulfil: 'Fulfilled',
  fail: 'Failed',
  retry: 'Retried',
  close: 'Closed',
  reopen: 'Reopened',
};

/** How a status is said to people. */
export function orderStatusLabel(status: OrderStatus): string {
  switch (status) {
    case 'pending_approval':
      return 'Waiting for approval';
    default:
      return status.charAt(0).toUpperCase() + status.slice(1);
  }
}

/** Where the scaffolder shows a task's log. */
export function taskLogHref(taskId: string): string {
  return `/create/tasks/${encodeURIComponent(taskId)}`;
}

function firstUrl(order: OrderDetails) {
  return order.output?.links?.find(link => link.url);
}

function stringOf(value: unknown): string | undefined {
  return typeof value === 'string' && value ? value : undefined;
}

/**
 * The events of an order as people read them: who did what, with their
 * comment, the task log once provisioning started, and the result.
 */
export function orderTimeline(order: OrderDetails): OrderTimelineEntry[] {
  return [...order.events]
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id - b.id)
    .map(event => {
      const entry: OrderTimelineEntry = {
        key: String(event.id),
        title: TITLES[event.action] ?? event.action,
        at: event.createdAt,
        actor: event.actor,
        comment: event.comment,
      };
      if (event.action === 'approve' && event.toStatus === 'pending_approval') {
        entry.title = `Approved (${order.approvalsRequired} needed)`;
      }
      if (event.action === 'provision') {
        const taskId = stringOf(event.data?.taskId) ?? order.taskId;
        if (taskId) {
          entry.link = { title: 'Task log', url: taskLogHref(taskId) };
        }
      }
      if (event.action === 'fulfil') {
        const link = firstUrl(order);
        if (link?.url) {
          entry.link = { title: link.title ?? link.url, url: link.url };
        }
      }
      if (event.action === 'fail') {
        // The failure's message is the event's comment.
        entry.error = event.comment ?? order.error;
        entry.comment = undefined;
      }
      return entry;
    });
}
