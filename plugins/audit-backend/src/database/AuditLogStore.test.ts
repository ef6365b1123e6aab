import { TestDatabases } from '@backstage/backend-test-utils';
import { Knex } from 'knex';
import { AuditLogEntry, AuditLogStore, hashOf } from './AuditLogStore';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

function entry(
  n: number,
  overrides: Partial<AuditLogEntry> = {},
): AuditLogEntry {
  return {
    occurredAt: new Date(Date.UTC(2026, 0, 1, 0, n)).toISOString(),
    plugin: 'store',
    eventId: 'order-create',
    action: 'ORDER_CREATE',
    severityLevel: 'medium',
    actor: 'user:default/developer',
    target: `order:${n}`,
    ip: '127.0.0.1',
    request: { method: 'POST', url: '/api/store/orders' },
    status: 'succeeded',
    meta: { orderId: String(n) },
    ...overrides,
  };
}

describe.each(databases.eachSupportedId())('AuditLogStore on %s', id => {
  let knex: Knex;
  let store: AuditLogStore;

  beforeEach(async () => {
    knex = await databases.init(id);
    store = await AuditLogStore.forClient(knex);
  });

  it('chains appended records and verifies them', async () => {
    await store.append([entry(1), entry(2)]);
    await store.append([entry(3)]);
    const rows = await knex('audit_events').orderBy('seq');
    expect(rows.map(r => Number(r.seq))).toEqual([1, 2, 3]);
    expect(rows[0].previous_hash).toBe('0'.repeat(64));
    expect(rows[1].previous_hash).toBe(rows[0].hash);
    expect(rows[2].previous_hash).toBe(rows[1].hash);
    expect(await store.verify()).toEqual({ ok: true, checked: 3 });
  });

  it('names the record whose content was changed in the database', async () => {
    await store.append([1, 2, 3, 4].map(n => entry(n)));
    await knex('audit_events')
      .where({ seq: 2 })
      .update({ actor: 'user:default/someone-else' });
    expect(await store.verify()).toEqual({
      ok: false,
      checked: 1,
      firstMismatch: { seq: 2, reason: 'its content does not match its hash' },
    });
  });

  it('names the record after one whose hash was forged too', async () => {
    await store.append([1, 2, 3].map(n => entry(n)));
    await knex('audit_events')
      .where({ seq: 2 })
      .update({ status: 'failed', hash: 'f'.repeat(64) });
    // The forged hash does not match the content either; once the content
    // is consistent, the next record no longer links to it.
    const forged = await knex('audit_events').where({ seq: 2 }).first();
    const { hash: _h, ...content } = forged;
    await knex('audit_events')
      .where({ seq: 2 })
      .update({ hash: hashOf(content) });
    expect(await store.verify()).toEqual({
      ok: false,
      checked: 2,
      firstMismatch: {
        seq: 3,
        reason: 'its previous hash is not the hash of record 2',
      },
    });
  });

  it('finds deleted records, in the middle and at the end', async () => {
    await store.append([1, 2, 3, 4].map(n => entry(n)));
    await knex('audit_events').where({ seq: 2 }).delete();
    expect((await store.verify()).firstMismatch).toEqual({
      seq: 3,
      reason: 'records 2 to 2 before it are missing',
    });

    const otherKnex = await databases.init(id);
    const other = await AuditLogStore.forClient(otherKnex);
    await other.append([1, 2, 3].map(n => entry(n)));
    await otherKnex('audit_events').where({ seq: 3 }).delete();
    expect((await other.verify()).firstMismatch).toEqual({
      seq: 3,
      reason: 'records 3 to 3 are missing',
    });
  });

  it('filters by user, action, target, status and time, with cursor pages', async () => {
    await store.append([
      entry(1),
      entry(2, { actor: 'user:default/admin' }),
      entry(3, {
        eventId: 'stack-delete',
        action: 'STACK_DELETE',
        plugin: 'cloud',
        target: 'stack:s1',
        status: 'failed',
        error: 'NotFoundError: No stack',
      }),
      entry(4),
      entry(5),
    ]);
    const seqs = async (filter: object, limit = 50, cursor?: number) =>
      (await store.list({ filter, limit, cursor })).items.map(r => r.seq);

    expect(await seqs({})).toEqual([5, 4, 3, 2, 1]);
    expect(await seqs({ user: 'user:default/admin' })).toEqual([2]);
    expect(await seqs({ action: 'stack-delete' })).toEqual([3]);
    expect(await seqs({ action: 'STACK_DELETE' })).toEqual([3]);
    expect(await seqs({ target: 'stack:s1' })).toEqual([3]);
    expect(await seqs({ status: 'failed' })).toEqual([3]);
    expect(await seqs({ plugin: 'cloud' })).toEqual([3]);
    expect(
      await seqs({
        from: entry(2).occurredAt,
        to: entry(4).occurredAt,
      }),
    ).toEqual([3, 2]);

    const first = await store.list({ filter: {}, limit: 2 });
    expect(first.items.map(r => r.seq)).toEqual([5, 4]);
    expect(first.nextCursor).toBe(4);
    const second = await store.list({
      filter: {},
      limit: 2,
      cursor: first.nextCursor,
    });
    expect(second.items.map(r => r.seq)).toEqual([3, 2]);
    const last = await store.list({
      filter: {},
      limit: 2,
      cursor: second.nextCursor,
    });
    expect(last.items.map(r => r.seq)).toEqual([1]);
    expect(last.nextCursor).toBeUndefined();

    const [failed] = (
      await store.list({ filter: { status: 'failed' }, limit: 1 })
    ).items;
    expect(failed).toMatchObject({
      plugin: 'cloud',
      action: 'STACK_DELETE',
      error: 'NotFoundError: No stack',
      request: { method: 'POST', url: '/api/store/orders' },
      meta: { orderId: '3' },
    });
  });

  it('removes old records and still verifies from the oldest kept one', async () => {
    await store.append([1, 2, 3, 4, 5].map(n => entry(n)));
    expect(await store.purgeBefore(new Date(entry(3).occurredAt))).toBe(2);
    expect(await store.purgeBefore(new Date(entry(3).occurredAt))).toBe(0);
    const kept = await knex('audit_events').orderBy('seq');
    expect(kept.map(r => Number(r.seq))).toEqual([3, 4, 5]);
    expect(await store.verify()).toEqual({ ok: true, checked: 3 });

    await store.append([entry(6)]);
    expect(await store.verify()).toEqual({ ok: true, checked: 4 });

    // Removing the oldest kept record behind the retention's back is found.
    await knex('audit_events').where({ seq: 3 }).delete();
    expect((await store.verify()).firstMismatch).toEqual({
      seq: 4,
      reason: 'records 3 to 3 before it are missing',
    });
  });

  it('keeps one chain when instances append at the same time', async () => {
    // Two stores on one database stand for two backend instances; on
    // PostgreSQL their transactions run on separate pooled connections.
    const instances = [store, await AuditLogStore.forClient(knex)];
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        instances[i % 2].append([entry(i * 2), entry(i * 2 + 1)]),
      ),
    );
    const rows = await knex('audit_events').orderBy('seq');
    expect(rows.map(r => Number(r.seq))).toEqual(
      Array.from({ length: 40 }, (_, i) => i + 1),
    );
    expect(await store.verify()).toEqual({ ok: true, checked: 40 });
  });
});
