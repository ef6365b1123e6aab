import { planNeedsApproval, formatPrice } from './pricing';
import { Price, ProductApproval } from './types';

/** Where an order is in its life. @public */
export type OrderStatus =
  | 'pending_approval'
  | 'approved'
  | 'provisioning'
  | 'fulfilled'
  | 'failed'
  | 'rejected'
  | 'cancelled';

/** Every order status, in the order of an order's life. @public */
export const ORDER_STATUSES: OrderStatus[] = [
  'pending_approval',
  'approved',
  'provisioning',
  'fulfilled',
  'failed',
  'rejected',
  'cancelled',
];

/** Everything that can happen to an order. @public */
export type OrderAction =
  | 'create'
  | 'approve'
  | 'reject'
  | 'expire'
  | 'cancel'
  | 'provision'
  | 'fulfil'
  | 'fail'
  | 'retry'
  | 'close'
  | 'reopen';

/** Who is acting on an order, as far as the state machine cares. @public */
export type OrderRole = 'requester' | 'approver' | 'admin' | 'system';

/** One row of an order's timeline. @public */
export type OrderEvent = {
  id: number;
  orderId: string;
  action: OrderAction;
  fromStatus?: OrderStatus;
  toStatus: OrderStatus;
  actor: string;
  comment?: string;
  data?: Record<string, unknown>;
  createdAt: string;
};

/** The outputs of a fulfilled order's scaffolder task. @public */
export type OrderOutput = {
  links?: Array<{ title?: string; url?: string; entityRef?: string }>;
  text?: Array<{ title?: string; content?: string }>;
  [key: string]: unknown;
};

/** An order of a product. @public */
export type Order = {
  id: string;
  productRef: string;
  productTitle: string;
  templateRef: string;
  planId: string;
  provider: string;
  region?: string;
  parameters: Record<string, unknown>;
  price: Price;
  requester: string;
  /** The group the order is placed for: the template's `owner` parameter. */
  ownerGroup?: string;
  status: OrderStatus;
  /** Increases with every change; decisions are conditional on it. */
  version: number;
  approvalsRequired: number;
  approvals: number;
  approverGroups: string[];
  approvalReason?: string;
  expiresAt?: string;
  taskId?: string;
  output?: OrderOutput;
  error?: string;
  createdAt: string;
  updatedAt: string;
};

/** An order with its timeline. @public */
export type OrderDetails = Order & { events: OrderEvent[] };

type Transition = {
  from: OrderStatus[];
  to: OrderStatus;
  roles: OrderRole[];
};

/**
 * The order state machine. `approve` moves to `approved` only on the last
 * approval needed; earlier approvals keep the order pending (see
 * {@link nextOrderStatus}).
 */
const TRANSITIONS: Record<Exclude<OrderAction, 'create'>, Transition> = {
  approve: { from: ['pending_approval'], to: 'approved', roles: ['approver'] },
  reject: {
    from: ['pending_approval'],
    to: 'rejected',
    roles: ['approver', 'admin'],
  },
  expire: { from: ['pending_approval'], to: 'rejected', roles: ['system'] },
  cancel: {
    from: ['pending_approval', 'approved'],
    to: 'cancelled',
    roles: ['requester', 'admin'],
  },
  provision: {
    from: ['approved'],
    to: 'provisioning',
    roles: ['system'],
  },
  fulfil: { from: ['provisioning'], to: 'fulfilled', roles: ['system'] },
  fail: { from: ['provisioning', 'approved'], to: 'failed', roles: ['system'] },
  retry: { from: ['failed'], to: 'approved', roles: ['admin'] },
  close: {
    from: ['pending_approval', 'approved', 'failed'],
    to: 'cancelled',
    roles: ['admin'],
  },
  reopen: {
    from: ['rejected', 'cancelled'],
    to: 'pending_approval',
    roles: ['admin'],
  },
};

/** Why an action may not happen to an order. @public */
export type OrderTransitionDenial = {
  reason: 'status' | 'role';
  message: string;
};

/**
 * The status an order moves to when `role` does `action` on it, or why it
 * may not. Pure; the store applies it with a conditional update.
 * @public
 */
export function nextOrderStatus(options: {
  status: OrderStatus;
  action: Exclude<OrderAction, 'create'>;
  roles: OrderRole[];
  /** For `approve`: approvals recorded before this one. */
  approvals?: number;
  approvalsRequired?: number;
}): { status: OrderStatus } | { denied: OrderTransitionDenial } {
  const { status, action, roles } = options;
  const transition = TRANSITIONS[action];
  if (!transition.roles.some(role => roles.includes(role))) {
    return {
      denied: {
        reason: 'role',
        message: `Only ${transition.roles.join(' or ')} may ${action} an order`,
      },
    };
  }
  if (!transition.from.includes(status)) {
    return {
      denied: {
        reason: 'status',
        message: `Cannot ${action} an order that is ${status.replace(
          '_',
          ' ',
        )}`,
      },
    };
  }
  if (action === 'approve') {
    const count = (options.approvals ?? 0) + 1;
    return {
      status: count >= (options.approvalsRequired ?? 1) ? 'approved' : status,
    };
  }
  return { status: transition.to };
}

/** Statuses an order never leaves without an admin. @public */
export const FINAL_ORDER_STATUSES: OrderStatus[] = [
  'fulfilled',
  'rejected',
  'cancelled',
];

/** What a plan's order needs before it is provisioned. @public */
export type OrderApprovalRequirement = {
  needed: boolean;
  count: number;
  approverGroups: string[];
  /** A sentence for people, e.g. on the order form. */
  sentence: string;
};

function groupName(ref: string) {
  const slash = ref.lastIndexOf('/');
  const colon = ref.indexOf(':');
  return ref.slice(Math.max(slash, colon) + 1);
}

const COUNT_WORDS = ['no', 'one', 'two', 'three', 'four', 'five'];

/**
 * Whether and by whom an order of a plan must be approved, with a plain
 * sentence such as "Needs one approval from platform-admins because the
 * Enterprise plan costs more than USD 500.00/month."
 * @public
 */
export function orderApprovalRequirement(
  plan: { title: string; price: Price },
  approval: ProductApproval | undefined,
): OrderApprovalRequirement {
  if (!approval || !planNeedsApproval(plan.price, approval)) {
    return {
      needed: false,
      count: 0,
      approverGroups: [],
      sentence: 'No approval needed: the order is provisioned right away.',
    };
  }
  const count = Math.max(1, approval.count ?? 1);
  const approverGroups = approval.approverGroups ?? [];
  const countWord = COUNT_WORDS[count] ?? String(count);
  const who =
    approverGroups.length > 0
      ? approverGroups.map(groupName).join(' or ')
      : 'the store administrators';
  let because: string;
  if (approval.policy === 'above-threshold' && approval.threshold) {
    const interval = plan.price.interval === 'one-time' ? 'one-time' : 'month';
    because = `because the ${plan.title} plan costs more than ${formatPrice({
      ...approval.threshold,
      interval,
    })}`;
  } else if (approval.reason) {
    because = `because ${approval.reason.replace(/^./, c =>
      c.toLocaleLowerCase('en-US'),
    )}`;
  } else {
    because = 'because every order of this product is reviewed';
  }
  return {
    needed: true,
    count,
    approverGroups,
    sentence: `Needs ${countWord} approval${
      count > 1 ? 's' : ''
    } from ${who} ${because}.`,
  };
}
