import {
  nextOrderStatus,
  OrderAction,
  OrderRole,
  OrderStatus,
  orderApprovalRequirement,
} from './orders';

const STATUSES: OrderStatus[] = [
  'pending_approval',
  'approved',
  'provisioning',
  'fulfilled',
  'failed',
  'rejected',
  'cancelled',
];

/** Every allowed (status, action, role) and where it leads. */
const ALLOWED: Array<
  [OrderStatus, Exclude<OrderAction, 'create'>, OrderRole, OrderStatus]
> = [
  ['pending_approval', 'approve', 'approver', 'approved'],
  ['pending_approval', 'reject', 'approver', 'rejected'],
  ['pending_approval', 'reject', 'admin', 'rejected'],
  ['pending_approval', 'expire', 'system', 'rejected'],
  ['pending_approval', 'cancel', 'requester', 'cancelled'],
  ['pending_approval', 'cancel', 'admin', 'cancelled'],
  ['approved', 'cancel', 'requester', 'cancelled'],
  ['approved', 'cancel', 'admin', 'cancelled'],
  ['approved', 'provision', 'system', 'provisioning'],
  ['approved', 'fail', 'system', 'failed'],
  ['provisioning', 'fulfil', 'system', 'fulfilled'],
  ['provisioning', 'fail', 'system', 'failed'],
  ['failed', 'retry', 'admin', 'approved'],
  ['pending_approval', 'close', 'admin', 'cancelled'],
  ['approved', 'close', 'admin', 'cancelled'],
  ['failed', 'close', 'admin', 'cancelled'],
  ['rejected', 'reopen', 'admin', 'pending_approval'],
  ['cancelled', 'reopen', 'admin', 'pending_approval'],
];

const ACTIONS: Array<Exclude<OrderAction, 'create'>> = [
  'approve',
  'reject',
  'expire',
  'cancel',
  'provision',
  'fulfil',
  'fail',
  'retry',
  'close',
  'reopen',
];
const ROLES: OrderRole[] = ['requester', 'approver', 'admin', 'system'];

describe('nextOrderStatus', () => {
  const cases = STATUSES.flatMap(status =>
    ACTIONS.flatMap(action =>
      ROLES.map(role => {
        const allowed = ALLOWED.find(
          ([s, a, r]) => s === status && a === action && r === role,
        );
        return [status, action, role, allowed?.[3]] as const;
      }),
    ),
  );

  it.each(cases)('%s: %s by %s -> %s', (status, action, role, expected) => {
    const result = nextOrderStatus({ status, action, roles: [role] });
    const denied = 'denied' in result;
    expect(denied ? undefined : result).toEqual(
      expected && { status: expected },
    );
    expect(denied).toBe(expected === undefined);
  });

  it('keeps an order pending until the last approval', () => {
    expect(
      nextOrderStatus({
        status: 'pending_approval',
        action: 'approve',
        roles: ['approver'],
        approvals: 0,
        approvalsRequired: 2,
      }),
    ).toEqual({ status: 'pending_approval' });
    expect(
      nextOrderStatus({
        status: 'pending_approval',
        action: 'approve',
        roles: ['approver'],
        approvals: 1,
        approvalsRequired: 2,
      }),
    ).toEqual({ status: 'approved' });
  });

  it('names the reason of a denial', () => {
    expect(
      nextOrderStatus({
        status: 'provisioning',
        action: 'cancel',
        roles: ['requester'],
      }),
    ).toEqual({
      denied: {
        reason: 'status',
        message: 'Cannot cancel an order that is provisioning',
      },
    });
    expect(
      nextOrderStatus({
        status: 'failed',
        action: 'retry',
        roles: ['requester'],
      }),
    ).toEqual({
      denied: { reason: 'role', message: 'Only admin may retry an order' },
    });
  });
});

describe('orderApprovalRequirement', () => {
  const enterprise = {
    title: 'Enterprise',
    price: { amount: '999.00', currency: 'USD', interval: 'month' as const },
  };
  const standard = {
    title: 'Standard',
    price: { amount: '49.00', currency: 'USD', interval: 'month' as const },
  };

  it('explains a threshold', () => {
    const approval = {
      policy: 'above-threshold' as const,
      threshold: { amount: '500.00', currency: 'USD' },
      approverGroups: ['group:default/platform-admins'],
    };
    expect(orderApprovalRequirement(enterprise, approval)).toEqual({
      needed: true,
      count: 1,
      approverGroups: ['group:default/platform-admins'],
      sentence:
        'Needs one approval from platform-admins because the Enterprise plan costs more than USD 500.00/month.',
    });
    expect(orderApprovalRequirement(standard, approval).needed).toBe(false);
  });

  it('explains a required approval with its reason', () => {
    expect(
      orderApprovalRequirement(standard, {
        policy: 'required',
        approverGroups: ['group:default/approvers'],
        count: 2,
        reason: 'Multi-node stacks use shared capacity',
      }).sentence,
    ).toBe(
      'Needs two approvals from approvers because multi-node stacks use shared capacity.',
    );
  });
});
