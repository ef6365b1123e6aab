import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { CloudStore } from '../database/CloudStore';
import { StackLeases } from './StackLeases';

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

describe.each(databases.eachSupportedId())('StackLeases on %s', databaseId => {
  it('keeps a stack leased through a call longer than the lease, and frees it after', async () => {
    const knex = await databases.init(databaseId);
    const store = await CloudStore.create(
      mockServices.database({ knex, migrations: { skip: false } }),
    );
    await store.insertStack({
      id: 's1',
      name: 'long-call',
      owner: 'group:default/team-web',
      provider: 'local',
      region: 'local',
      hostId: 'host-a',
      status: 'running',
      spec: { roles: [{ name: 'app', runtime: 'node', count: 1 }] },
      createdBy: 'user:default/developer',
      createdAt: new Date().toISOString(),
    });
    const ttlMs = 3000;
    const here = StackLeases.create({
      store,
      instanceId: 'here',
      logger: mockServices.logger.mock(),
      ttlMs,
    });
    const there = StackLeases.create({
      store,
      instanceId: 'there',
      logger: mockServices.logger.mock(),
      ttlMs,
    });

    const renewals = new Set<string>();
    await here.hold({ id: 's1', name: 'long-call' }, async () => {
      // the call runs for several terms of the lease: it is renewed each
      // term, and the other instance never gets the stack meanwhile
      while (renewals.size < 3) {
        const { lease } = (await store.getStack('s1'))!;
        expect(lease?.owner).toMatch(/^here:/);
        expect(here.isHeld({ lease })).toBe(true);
        renewals.add(lease!.expiresAt);
        await expect(
          there.hold({ id: 's1', name: 'long-call' }, async () => {}),
        ).rejects.toMatchObject({
          name: 'ConflictError',
          message:
            "Stack 'long-call' is busy with another operation; try again",
        });
        expect(await there.tryHold('s1', async () => {})).toBe(false);
        // let the renewal timer run: SQLite answers without I/O
        await new Promise(resolve => setImmediate(resolve));
      }
    });
    expect((await store.getStack('s1'))?.lease).toBeUndefined();
    expect(await there.tryHold('s1', async () => {})).toBe(true);
  });
});
