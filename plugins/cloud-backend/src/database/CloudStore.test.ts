import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { CloudStore, StoredStack } from './CloudStore';

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

function stack(id: string, hostId?: string): StoredStack {
  return {
    id,
    name: id,
    owner: 'group:default/team-web',
    provider: 'local',
    region: 'local',
    hostId,
    status: 'running',
    spec: { roles: [{ name: 'app', runtime: 'node', count: 1 }] },
    createdBy: 'user:default/developer',
    createdAt: new Date().toISOString(),
  };
}

describe.each(databases.eachSupportedId())('CloudStore on %s', databaseId => {
  async function createStore() {
    const knex = await databases.init(databaseId);
    return CloudStore.create(
      mockServices.database({ knex, migrations: { skip: false } }),
    );
  }

  const at = (seconds: number) =>
    new Date(Date.UTC(2026, 10, 29, 12, 0, seconds));

  it("keeps a stack's plan limits, and none for a stack without a plan", async () => {
    const store = await createStore();
    const limits = { instances: 2, upgradeHint: 'order the Enterprise plan' };
    await store.insertStack({ ...stack('limited'), limits });
    await store.insertStack(stack('free'));
    expect((await store.getStack('limited'))?.limits).toEqual(limits);
    expect((await store.getStack('free'))?.limits).toBeUndefined();
    await store.updateStack('limited', {
      spec: { roles: [{ name: 'app', runtime: 'node', count: 2 }] },
    });
    expect((await store.getStack('limited'))?.limits).toEqual(limits);
  });

  it('adds and removes the limits column with its migration', async () => {
    const knex = await databases.init(databaseId);
    const directory = resolvePackagePath(
      '@internal/plugin-cloud-backend',
      'migrations',
    );
    await knex.migrate.latest({ directory });
    expect(await knex.schema.hasColumn('stacks', 'limits')).toBe(true);
    await knex.migrate.down({
      directory,
      name: '20261202000000_stack_limits.js',
    });
    expect(await knex.schema.hasColumn('stacks', 'limits')).toBe(false);
    await knex.migrate.latest({ directory });
    expect(await knex.schema.hasColumn('stacks', 'limits')).toBe(true);
  });

  it('adds and removes the indexes of the paged lists with their migration', async () => {
    const knex = await databases.init(databaseId);
    const directory = resolvePackagePath(
      '@internal/plugin-cloud-backend',
      'migrations',
    );
    const indexes = async (): Promise<string[]> =>
      databaseId === 'SQLITE_3'
        ? (
            await knex.raw(
              "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name IN ('stacks', 'nodes')",
            )
          ).map((r: { name: string }) => r.name)
        : (
            await knex.raw(
              "SELECT indexname AS name FROM pg_indexes WHERE tablename IN ('stacks', 'nodes')",
            )
          ).rows.map((r: { name: string }) => r.name);
    const LIST_INDEXES = ['stacks_created_idx', 'nodes_created_idx'];
    await knex.migrate.latest({ directory });
    expect(await indexes()).toEqual(expect.arrayContaining(LIST_INDEXES));
    await knex.migrate.down({
      directory,
      name: '20261220000000_list_indexes.js',
    });
    expect(await indexes()).not.toEqual(expect.arrayContaining(LIST_INDEXES));
    await knex.migrate.latest({ directory });
    expect(await indexes()).toEqual(expect.arrayContaining(LIST_INDEXES));
  });

  it('gives a stack’s lease to one owner at a time until it expires', async () => {
    const store = await createStore();
    await store.insertStack(stack('s1', 'host-a'));

    expect(await store.acquireLease('s1', 'a:1', at(0), 10_000)).toBe(true);
    expect(await store.acquireLease('s1', 'b:1', at(5), 10_000)).toBe(false);
    expect((await store.getStack('s1'))?.lease).toEqual({
      owner: 'a:1',
      expiresAt: at(10).toISOString(),
    });

    // renewed, it survives its first term
    expect(await store.renewLease('s1', 'a:1', at(8), 10_000)).toBe(true);
    expect(await store.acquireLease('s1', 'b:1', at(12), 10_000)).toBe(false);
    // another owner neither renews nor ends it
    expect(await store.renewLease('s1', 'b:1', at(12), 10_000)).toBe(false);
    await store.releaseLease('s1', 'b:1');
    expect((await store.getStack('s1'))?.lease?.owner).toBe('a:1');

    // expired, it goes to whoever asks; its old owner cannot renew it
    expect(await store.acquireLease('s1', 'b:1', at(18), 10_000)).toBe(true);
    expect(await store.renewLease('s1', 'a:1', at(19), 10_000)).toBe(false);
    await store.releaseLease('s1', 'a:1');
    expect((await store.getStack('s1'))?.lease?.owner).toBe('b:1');

    await store.releaseLease('s1', 'b:1');
    expect((await store.getStack('s1'))?.lease).toBeUndefined();
    expect(await store.acquireLease('s1', 'c:1', at(20), 10_000)).toBe(true);
  });

  it('ends the leases of earlier lives of a host’s instance, and only those', async () => {
    const store = await createStore();
    for (const [id, host] of [
      ['old', 'host-a'],
      ['mine', 'host-a'],
      ['elsewhere', 'host-b'],
    ]) {
      await store.insertStack(stack(id, host));
    }
    const future = new Date(Date.now() + 60_000);
    await store.acquireLease('old', 'earlier:1', future, 1000);
    await store.acquireLease('mine', 'now:1', future, 1000);
    await store.acquireLease('elsewhere', 'other:1', future, 1000);

    expect(await store.releaseHostLeases('host-a', 'now:')).toBe(1);
    expect((await store.getStack('old'))?.lease).toBeUndefined();
    expect((await store.getStack('mine'))?.lease?.owner).toBe('now:1');
    expect((await store.getStack('elsewhere'))?.lease?.owner).toBe('other:1');
  });

  it('lists the stacks of one host, and records a host only for a stack without one', async () => {
    const store = await createStore();
    await store.insertStack(stack('on-a', 'host-a'));
    await store.insertStack(stack('on-b', 'host-b'));
    await store.insertStack(stack('before-hosts'));
    const ids = async (hostId: string) =>
      (await store.listStacks({ hostId })).map(s => s.id).sort();
    expect(await ids('host-a')).toEqual(['on-a']);

    await store.claimHost('before-hosts', 'host-a');
    await store.claimHost('on-b', 'host-a');
    expect(await ids('host-a')).toEqual(['before-hosts', 'on-a']);
    expect(await ids('host-b')).toEqual(['on-b']);
  });

  it('keeps one registration per host, the latest heartbeat', async () => {
    const store = await createStore();
    await store.registerHost({
      hostId: 'host-a',
      baseUrl: 'http://10.0.0.1:7007/api/cloud',
      instanceId: 'first',
      heartbeatAt: at(0).toISOString(),
    });
    await store.registerHost({
      hostId: 'host-a',
      baseUrl: 'http://10.0.0.2:7007/api/cloud',
      instanceId: 'second',
      heartbeatAt: at(10).toISOString(),
    });
    expect(await store.getHost('host-a')).toEqual({
      hostId: 'host-a',
      baseUrl: 'http://10.0.0.2:7007/api/cloud',
      instanceId: 'second',
      heartbeatAt: at(10).toISOString(),
    });
    expect(await store.getHost('host-b')).toBeUndefined();
  });
});
