import { orderDetails } from '../testOrders';
import { orderTimeline } from './orderTimeline';

describe('orderTimeline', () => {
  const base = orderDetails();
  const created = base.events[0];

  it('tells who decided, with the comment, the task log and the result', () => {
    const entries = orderTimeline(
      orderDetails({
        status: 'fulfilled',
        taskId: 'task-1',
        output: { links: [{ title: 'Site', url: 'https://site.example' }] },
        events: [
          {
            ...created,
            id: 3,
            action: 'provision',
            toStatus: 'provisioning',
            actor: 'system',
            createdAt: '2026-11-25T10:02:00.000Z',
          },
          {
            ...created,
            id: 2,
            action: 'approve',
            toStatus: 'approved',
            actor: 'user:default/approver',
            comment: 'Fine',
            createdAt: '2026-11-25T10:01:00.000Z',
          },
          created,
          {
            ...created,
            id: 4,
            action: 'fulfil',
            toStatus: 'fulfilled',
            actor: 'system',
            createdAt: '2026-11-25T10:03:00.000Z',
          },
        ],
      }),
    );
    expect(entries.map(e => e.title)).toEqual([
      'Ordered',
      'Approved',
      'Provisioning started',
      'Fulfilled',
    ]);
    expect(entries[1]).toMatchObject({
      actor: 'user:default/approver',
      comment: 'Fine',
    });
    expect(entries[2].link).toEqual({
      title: 'Task log',
      url: '/create/tasks/task-1',
    });
    expect(entries[3].link).toEqual({
      title: 'Site',
      url: 'https://site.example',
    });
  });

  it('shows why an order failed', () => {
    const entries = orderTimeline(
      orderDetails({
        status: 'failed',
        events: [
          created,
          {
            ...created,
            id: 2,
            action: 'fail',
            toStatus: 'failed',
            actor: 'system',
            comment: 'Step fetch failed',
            createdAt: '2026-11-25T10:01:00.000Z',
          },
        ],
      }),
    );
    expect(entries[1]).toMatchObject({
      title: 'Failed',
      error: 'Step fetch failed',
      comment: undefined,
    });
  });
});
