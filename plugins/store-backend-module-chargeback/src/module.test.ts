import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import {
  mockServices,
  startTestBackend,
  TestDatabaseId,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { ConflictError, InputError } from '@backstage/errors';
import {
  PaymentMethod,
  PaymentRequest,
  storePaymentsExtensionPoint,
} from '@internal/plugin-store-node';
import { ChargebackLedger } from './ChargebackLedger';
import { storeModuleChargeback } from './module';

jest.setTimeout(60_000);

/**
 * A stand-in for the store plugin: it offers the payments extension point,
 * as the store backend does, and hands out the method it was given and the
 * ledger in its own database.
 */
function storeStandIn() {
  const received: { methods: PaymentMethod[]; ledger?: ChargebackLedger } = {
    methods: [],
  };
  const plugin = createBackendPlugin({
    pluginId: 'store',
    register(env) {
      env.registerExtensionPoint(storePaymentsExtensionPoint, {
        setPaymentMethod(method) {
          received.methods.push(method);
        },
      });
      env.registerInit({
        deps: { database: coreServices.database },
        async init({ database }) {
          // The module has migrated the store's database by now.
          received.ledger = await ChargebackLedger.create({
            database,
            skipMigrations: true,
          });
        },
      });
    },
  });
  return { plugin, received };
}

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

async function start(databaseId: TestDatabaseId, config: object = {}) {
  const knex = await databases.init(databaseId);
  const { plugin, received } = storeStandIn();
  const backend = await startTestBackend({
    features: [
      plugin,
      storeModuleChargeback,
      mockServices.database.factory({ knex }),
      mockServices.rootConfig.factory({ data: config }),
    ],
  });
  expect(received.methods).toHaveLength(1);
  const [method] = received.methods;
  return { backend, method, ledger: received.ledger! };
}

function request(overrides: Partial<PaymentRequest> = {}): PaymentRequest {
  return {
    chargeId: 'charge-1',
    subscriptionId: 'sub-1',
    billingAccount: 'group:default/team-web',
    costCenter: 'CC-1004',
    amount: { amount: '999.00', currency: 'USD' },
    description: 'PostgreSQL, enterprise, December 2026',
    ...overrides,
  };
}

describe.each(databases.eachSupportedId())(
  'storeModuleChargeback on %p',
  databaseId => {
    it('settles charges and credits through the store by booking them to the cost centre', async () => {
      const { backend, method, ledger } = await start(databaseId);
      try {
        expect(method.id).toBe('chargeback');

        const charged = await method.settle(request());
        expect(charged).toEqual({
          reference: expect.stringMatching(/^CB-\d+$/),
          status: 'settled',
        });
        // A retry gets the same reference and books nothing more.
        expect(await method.settle(request())).toEqual(charged);

        const credited = await method.settle(
          request({
            chargeId: 'charge-2',
            amount: { amount: '-1.005', currency: 'KWD' },
            description: 'Downgrade to standard',
          }),
        );
        expect(credited.reference).not.toBe(charged.reference);
        await method.settle(
          request({
            chargeId: 'charge-3',
            amount: { amount: '-1500', currency: 'JPY' },
          }),
        );

        const entries = await ledger.listByCostCenter('CC-1004');
        expect(
          entries.map(e => [
            `CB-${e.id}`,
            e.chargeId,
            e.billingAccount,
            e.amountMinor,
            e.currency,
          ]),
        ).toEqual([
          [
            charged.reference,
            'charge-1',
            'group:default/team-web',
            99900,
            'USD',
          ],
          [
            credited.reference,
            'charge-2',
            'group:default/team-web',
            -1005,
            'KWD',
          ],
          [
            expect.any(String),
            'charge-3',
            'group:default/team-web',
            -1500,
            'JPY',
          ],
        ]);
      } finally {
        await backend.stop();
      }
    });

    it('refuses another amount or account under a settled charge id', async () => {
      const { backend, method } = await start(databaseId);
      try {
        await method.settle(request());
        await expect(
          method.settle(
            request({ amount: { amount: '999.01', currency: 'USD' } }),
          ),
        ).rejects.toThrow(ConflictError);
        await expect(
          method.settle(request({ billingAccount: 'group:default/team-data' })),
        ).rejects.toThrow(ConflictError);
      } finally {
        await backend.stop();
      }
    });

    it('refuses a billing account without a cost centre, and amounts it cannot book exactly', async () => {
      const { backend, method, ledger } = await start(databaseId);
      try {
        for (const costCenter of [undefined, '', '  ']) {
          const attempt = method.settle(
            request({ billingAccount: 'group:default/finance', costCenter }),
          );
          await expect(attempt).rejects.toThrow(InputError);
          await expect(attempt).rejects.toThrow(
            'Group group:default/finance has no cost centre to charge: it lacks the cloudstore.io/cost-center annotation, and store.chargeback.defaultCostCenter is not set',
          );
        }
        for (const amount of [
          { amount: '12.345', currency: 'USD' },
          { amount: '1.5', currency: 'JPY' },
          { amount: '12', currency: 'XXY' },
          { amount: '1,00', currency: 'USD' },
        ]) {
          await expect(method.settle(request({ amount }))).rejects.toThrow(
            InputError,
          );
        }
        await expect(method.settle(request({ chargeId: ' ' }))).rejects.toThrow(
          'A payment request needs a chargeId',
        );
        expect(await ledger.totals()).toEqual([]);
      } finally {
        await backend.stop();
      }
    });

    it('books to the configured default cost centre when the group has none', async () => {
      const { backend, method, ledger } = await start(databaseId, {
        store: { chargeback: { defaultCostCenter: 'CC-0000' } },
      });
      try {
        await method.settle(
          request({
            billingAccount: 'group:default/finance',
            costCenter: undefined,
          }),
        );
        await method.settle(request({ chargeId: 'charge-2' }));
        expect(
          (await ledger.totals()).map(t => [t.costCenter, t.amount.amount]),
        ).toEqual([
          ['CC-0000', '999.00'],
          ['CC-1004', '999.00'],
        ]);
      } finally {
        await backend.stop();
      }
    });
  },
);
