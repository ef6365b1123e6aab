import { Order, OrderDetails } from '@internal/plugin-store-common';

export function order(overrides: Partial<Order> = {}): Order {
  return {
    id: 'o1',
    productRef: 'product:default/postgresql',
    productTitle: 'PostgreSQL Database',
    templateRef: 'template:default/postgresql',
    planId: 'enterprise',
    provider: 'kubernetes',
    parameters: { name: 'db1' },
    price: { amount: '999.00', currency: 'USD', interval: 'month' },
    requester: 'user:default/developer',
    status: 'pending_approval',
    version: 1,
    approvalsRequired: 1,
    approvals: 0,
    approverGroups: ['group:default/platform-admins'],
    approvalReason: 'Capacity review',
    createdAt: '2026-11-25T10:00:00.000Z',
    updatedAt: '2026-11-25T10:00:00.000Z',
    ...overrides,
  };
}

export function orderDetails(
  overrides: Partial<OrderDetails> = {},
): OrderDetails {
  return {
    ...order(overrides),
    events: [
      {
        id: 1,
        orderId: 'o1',
        action: 'create',
        toStatus: 'pending_approval',
        actor: 'user:default/developer',
        createdAt: '2026-11-25T10:00:00.000Z',
      },
    ],
    ...overrides,
  };
}
