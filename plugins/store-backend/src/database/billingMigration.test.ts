import { TestDatabases } from '@backstage/backend-test-utils';
import { resolvePackagePath } from '@backstage/backend-plugin-api';

const migrationsDir = resolvePackagePath(
  '@internal/plugin-store-backend',
  'migrations',
);

// Migrating up and down takes a while on a loaded machine.
jest.setTimeout(60_000);

const databases = TestDatabases.create();

describe.each(databases.eachSupportedId())(
  'the usage and invoices migration on %s',
  databaseId => {
    it('backfills the stacks of subscriptions and makes invoices immutable', async () => {
      const knex = await databases.init(databaseId);
      const config = { directory: migrationsDir };
      // Up to the subscriptions, with one subscription of two stacks.
      while (
        !(await knex.migrate.currentVersion(config)).startsWith(
          '20261202000000',
        )
      ) {
        await knex.migrate.up(config);
      }
      const now = new Date('2026-01-01T00:00:00Z');
      await knex('store_subscriptions').insert({
        id: 'sub-1',
        order_id: 'order-1',
        product_ref: 'product:default/db',
        product_title: 'db',
        plan_json: '{}',
        status: 'active',
        owner: 'group:default/team-web',
        requester: 'user:default/developer',
        stacks_json: JSON.stringify(['st-a', 'st-b']),
        anchor: '2026-01-01',
        started_at: now,
        current_period_start: '2026-01-01',
        current_period_end: '2026-02-01',
        auto_renew: true,
        cancel_at_period_end: false,
        version: 1,
        created_at: now,
        updated_at: now,
      });
      await knex.migrate.latest(config);

      expect(
        await knex('store_subscription_stacks').orderBy('stack_id'),
      ).toEqual([
        { stack_id: 'st-a', subscription_id: 'sub-1' },
        { stack_id: 'st-b', subscription_id: 'sub-1' },
      ]);

      await knex('store_invoices').insert({
        id: 'inv-1',
        number: 'INV-2026-000001',
        account: 'group:default/team-web',
        period: '2026-01',
        currency: 'USD',
        total_minor: 100,
        status: 'issued',
        issued_at: now,
      });
      // Database triggers refuse any change of an issued invoice.
      const outcome = (change: Promise<unknown>) =>
        change.then(
          () => 'changed',
          error => String(error),
        );
      expect(
        await outcome(knex('store_invoices').update({ total_minor: 0 })),
      ).toMatch(/cannot change/);
      expect(await outcome(knex('store_invoices').del())).toMatch(
        /cannot change/,
      );
      expect(Number((await knex('store_invoices').first())?.total_minor)).toBe(
        100,
      );

      await knex.migrate.rollback(config);
      expect(await knex.schema.hasTable('store_invoices')).toBe(false);
      expect(await knex.schema.hasTable('store_subscriptions')).toBe(true);
    });
  },
);

describe.each(databases.eachSupportedId())(
  'the invoice cost centre migration on %s',
  databaseId => {
    it('adds the cost centre, leaves earlier invoices without one and keeps invoices immutable', async () => {
      const knex = await databases.init(databaseId);
      const config = { directory: migrationsDir };
      while (
        !(await knex.migrate.currentVersion(config)).startsWith(
          '20261202100000',
        )
      ) {
        await knex.migrate.up(config);
      }
      const issuedAt = new Date('2026-02-01T00:00:00Z');
      const invoice = (id: string, number: string) => ({
        id,
        number,
        account: 'group:default/team-web',
        period: id === 'inv-1' ? '2026-01' : '2026-02',
        currency: 'USD',
        total_minor: 100,
        status: 'issued',
        issued_at: issuedAt,
      });
      await knex('store_invoices').insert(invoice('inv-1', 'INV-2026-000001'));
      await knex.migrate.up(config);
      expect(await knex.migrate.currentVersion(config)).toBe('20261210000000');

      await knex('store_invoices').insert({
        ...invoice('inv-2', 'INV-2026-000002'),
        cost_center: 'CC-4711',
      });
      expect(
        await knex('store_invoices')
          .orderBy('number')
          .select('id', 'cost_center'),
      ).toEqual([
        { id: 'inv-1', cost_center: null },
        { id: 'inv-2', cost_center: 'CC-4711' },
      ]);
      // What a change of an issued invoice comes to: the database refuses it.
      const outcome = (change: Promise<unknown>) =>
        change.then(
          () => 'changed',
          error => String(error),
        );
      expect(
        await outcome(
          knex('store_invoices')
            .where({ id: 'inv-2' })
            .update({ cost_center: 'CC-1' }),
        ),
      ).toMatch(/cannot change/);

      // Down again, the triggers still guard the invoices.
      await knex.migrate.down(config);
      expect(await knex.schema.hasColumn('store_invoices', 'cost_center')).toBe(
        false,
      );
      expect(
        await outcome(knex('store_invoices').update({ total_minor: 0 })),
      ).toMatch(/cannot change/);
      expect(await outcome(knex('store_invoices').del())).toMatch(
        /cannot change/,
      );
      expect(await knex('store_invoices').pluck('id')).toHaveLength(2);
    });
  },
);
