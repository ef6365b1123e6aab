import { mockServices } from '@backstage/backend-test-utils';
import { AuditLogEntry } from '../database/AuditLogStore';
import { AuditEventQueue } from './AuditEventQueue';

function entry(eventId: string): AuditLogEntry {
  return {
    occurredAt: new Date().toISOString(),
    plugin: 'store',
    eventId,
    action: eventId.toUpperCase(),
    severityLevel: 'medium',
    status: 'succeeded',
  };
}

describe('AuditEventQueue', () => {
  it('keeps what is pushed before the writer attaches, and writes in order', async () => {
    const queue = AuditEventQueue.create({
      logger: mockServices.logger.mock(),
    });
    const written: string[] = [];
    queue.push(entry('a'));
    queue.push(entry('b'));
    queue.attach({
      append: async entries => {
        written.push(...entries.map(e => e.eventId));
      },
    });
    queue.push(entry('c'));
    await queue.flush();
    expect(written).toEqual(['a', 'b', 'c']);
  });

  it('retries a failed write, then logs and drops the batch without throwing', async () => {
    const logger = mockServices.logger.mock();
    const queue = AuditEventQueue.create({ logger, retryDelaysMs: [1, 1] });
    const append = jest
      .fn()
      .mockRejectedValueOnce(new Error('connection lost'))
      .mockResolvedValueOnce(undefined)
      .mockRejectedValue(new Error('database is gone'));
    queue.attach({ append });

    queue.push(entry('retried'));
    await queue.flush();
    expect(append).toHaveBeenCalledTimes(2);
    expect(logger.error).not.toHaveBeenCalled();

    expect(() => queue.push(entry('lost'))).not.toThrow();
    await queue.flush();
    expect(append).toHaveBeenCalledTimes(5);
    expect(logger.error).toHaveBeenCalledWith(
      expect.stringMatching(
        /Could not write 1 audit events.*store\.lost.*database is gone/,
      ),
    );
  });

  it('refuses a second writer', () => {
    const queue = AuditEventQueue.create({
      logger: mockServices.logger.mock(),
    });
    queue.attach({ append: async () => {} });
    expect(() => queue.attach({ append: async () => {} })).toThrow(
      'already attached',
    );
  });
});
