import {
  mockServices,
  TestDatabaseId,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { ConflictError } from '@backstage/errors';
import { ChargebackLedger, NewChargebackEntry } from './ChargebackLedger';

jest.setTimeout(60_000);

function newEntry(
  chargeId: string,
  overrides: Partial<NewChargebackEntry> = {},
): NewChargebackEntry {
  return {
    chargeId,
    subscriptionId: 's1',
    billingAccount: 'group:default/team-web',
    costCenter: 'CC-1004',
    amountMinor: 99900,
    currency: 'USD',
    description: 'PostgreSQL, enterprise, December 2026',
    ...overrides,
  };
}

describe('ChargebackLedger', () => {
  const databases = TestDatabases.create({
    ids: ['SQLITE_3', 'POSTGRES_15'],
  });

  async function createLedger(databaseId: TestDatabaseId) {
    const knex = await databases.init(databaseId);
    const ledger = await ChargebackLedger.create({
      database: mockServices.database({ knex }),
    });
    return { knex, ledger };
  }

  describe.each(databases.eachSupportedId())('%p', databaseId => {
    it('keeps its migrations apart from those of the store', async () => {
      const { knex } = await createLedger(databaseId);
      expect(await knex.schema.hasTable('chargeback_knex_migrations')).toBe(
        true,
      );
      expect(
        await knex.schema.hasTable('chargeback_knex_migrations_lock'),
      ).toBe(true);
      expect(await knex.schema.hasTable('knex_migrations')).toBe(false);
      // Opening the ledger again finds the migrations done.
      await ChargebackLedger.create({
        database: mockServices.database({ knex }),
      });
      const done = await knex('chargeback_knex_migrations').select('name');
      expect(done.map(row => row.name)).toEqual([
        '20261202000000_chargeback_entries.js',
      ]);
    });

    it('books a charge once, however often it is recorded', async () => {
      const { knex, ledger } = await createLedger(databaseId);
      const now = new Date('2026-12-01T10:00:00Z');
      const first = await ledger.record(newEntry('c1'), now);
      expect(first).toEqual({
        created: true,
        entry: {
          id: expect.any(Number),
          chargeId: 'c1',
          subscriptionId: 's1',
          billingAccount: 'group:default/team-web',
          costCenter: 'CC-1004',
          amountMinor: 99900,
          currency: 'USD',
          amount: { amount: '999.00', currency: 'USD' },
          description: 'PostgreSQL, enterprise, December 2026',
          createdAt: '2026-12-01T10:00:00.000Z',
        },
      });

      // A retry, even one with another cost centre or description, finds
      // the first entry.
      const again = await ledger.record(
        newEntry('c1', { costCenter: 'CC-9999', description: 'retry' }),
        new Date('2026-12-01T11:00:00Z'),
      );
      expect(again).toEqual({ created: false, entry: first.entry });

      // Concurrent retries too.
      const racing = await Promise.all(
        [1, 2, 3].map(() => ledger.record(newEntry('c2'))),
      );
      expect(racing.filter(r => r.created)).toHaveLength(1);
      expect(new Set(racing.map(r => r.entry.id)).size).toBe(1);

      const [{ n }] = await knex('chargeback_entries').count({ n: '*' });
      expect(Number(n)).toBe(2);
      expect(await ledger.getByChargeId('c1')).toEqual(first.entry);
      expect(await ledger.getByChargeId('c3')).toBeUndefined();
    });

    it('refuses a charge id booked with other values', async () => {
      const { ledger } = await createLedger(databaseId);
      const { entry } = await ledger.record(newEntry('c1'));
      const others: Array<Partial<NewChargebackEntry>> = [
        { amountMinor: 99901 },
        { amountMinor: -99900 },
        { currency: 'EUR' },
        { billingAccount: 'group:default/team-data' },
        { subscriptionId: 's2' },
      ];
      for (const other of others) {
        const attempt = ledger.record(newEntry('c1', other));
        await expect(attempt).rejects.toThrow(ConflictError);
        await expect(attempt).rejects.toThrow(
          `Charge c1 was already booked as CB-${entry.id} for group:default/team-web, subscription s1, 999.00 USD`,
        );
      }
      expect(await ledger.listByCostCenter('CC-1004')).toEqual([entry]);
    });

    it('keeps signed amounts exactly in JPY, USD and KWD', async () => {
      const { ledger } = await createLedger(databaseId);
      const day = (d: number) => new Date(Date.UTC(2026, 11, d, 12));
      const book = (
        chargeId: string,
        amountMinor: number,
        currency: string,
        d: number,
        costCenter = 'CC-1001',
      ) =>
        ledger.record(
          newEntry(chargeId, { amountMinor, currency, costCenter }),
          day(d),
        );
      await book('jpy-1', 150000, 'JPY', 1);
      await book('jpy-2', -50001, 'JPY', 2);
      await book('usd-1', 1234, 'USD', 3);
      await book('usd-2', -1235, 'USD', 4);
      await book('kwd-1', 5000, 'KWD', 5);
      await book('kwd-2', -1005, 'KWD', 6);
      // Beyond 32 bits, in the BIGINT column.
      await book('kwd-3', 9_000_000_000_001, 'KWD', 7);
      await book('other', 700, 'USD', 2, 'CC-1002');

      const entries = await ledger.listByCostCenter('CC-1001');
      expect(
        entries.map(e => [e.chargeId, e.amountMinor, e.amount.amount]),
      ).toEqual([
        ['jpy-1', 150000, '150000'],
        ['jpy-2', -50001, '-50001'],
        ['usd-1', 1234, '12.34'],
        ['usd-2', -1235, '-12.35'],
        ['kwd-1', 5000, '5.000'],
        ['kwd-2', -1005, '-1.005'],
        ['kwd-3', 9_000_000_000_001, '9000000000.001'],
      ]);

      expect(await ledger.totals()).toEqual([
        {
          costCenter: 'CC-1001',
          currency: 'JPY',
          amountMinor: 99999,
          amount: { amount: '99999', currency: 'JPY' },
          entries: 2,
        },
        {
          costCenter: 'CC-1001',
          currency: 'KWD',
          amountMinor: 9_000_000_003_996,
          amount: { amount: '9000000003.996', currency: 'KWD' },
          entries: 3,
        },
        {
          costCenter: 'CC-1001',
          currency: 'USD',
          amountMinor: -1,
          amount: { amount: '-0.01', currency: 'USD' },
          entries: 2,
        },
        {
          costCenter: 'CC-1002',
          currency: 'USD',
          amountMinor: 700,
          amount: { amount: '7.00', currency: 'USD' },
          entries: 1,
        },
      ]);
    });

    it('lists and sums the entries of a period', async () => {
      const { ledger } = await createLedger(databaseId);
      const at = (iso: string) => new Date(iso);
      await ledger.record(
        newEntry('nov', { amountMinor: 100 }),
        at('2026-11-30T23:59:59.999Z'),
      );
      await ledger.record(
        newEntry('dec-1', { amountMinor: 200 }),
        at('2026-12-01T00:00:00.000Z'),
      );
      await ledger.record(
        newEntry('dec-2', { amountMinor: -50 }),
        at('2026-12-31T23:59:59.999Z'),
      );
      await ledger.record(
        newEntry('jan', { amountMinor: 400 }),
        at('2027-01-01T00:00:00.000Z'),
      );
      const december = {
        from: at('2026-12-01T00:00:00.000Z'),
        to: at('2027-01-01T00:00:00.000Z'),
      };

      const listed = await ledger.listByCostCenter('CC-1004', december);
      expect(listed.map(e => e.chargeId)).toEqual(['dec-1', 'dec-2']);
      expect(
        (await ledger.listByCostCenter('CC-1004', { to: december.from })).map(
          e => e.chargeId,
        ),
      ).toEqual(['nov']);
      expect(
        (await ledger.listByCostCenter('CC-1004', { from: december.to })).map(
          e => e.chargeId,
        ),
      ).toEqual(['jan']);
      expect(await ledger.listByCostCenter('CC-0000', december)).toEqual([]);

      expect(await ledger.totals(december)).toEqual([
        {
          costCenter: 'CC-1004',
          currency: 'USD',
          amountMinor: 150,
          amount: { amount: '1.50', currency: 'USD' },
          entries: 2,
        },
      ]);
    });
  });
});
