import { randomBytes } from 'node:crypto';
import path from 'node:path';
import {
  mockServices,
  TestDatabaseId,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { ConfigSources } from '@backstage/config-loader';
import { ServiceUnavailableError } from '@backstage/errors';
import { OrderSecretsStore } from '../database/OrderSecretsStore';
import { OrdersStore } from '../database/OrdersStore';
import { OrderSecrets, readSecretsKeys, SecretsKey } from './OrderSecrets';

jest.setTimeout(60_000);

const OLD = { id: 'old', secret: randomBytes(32).toString('base64') };
const NEW = { id: 'new', secret: randomBytes(32).toString('base64') };

function keysOf(...keys: Array<{ id: string; secret: string }>): SecretsKey[] {
  return readSecretsKeys(new ConfigReader({ store: { secrets: { keys } } }));
}

describe('OrderSecrets', () => {
  const databases = TestDatabases.create();

  async function setUp(databaseId: TestDatabaseId) {
    const knex = await databases.init(databaseId);
    const database = mockServices.database({ knex });
    const orders = await OrdersStore.create({ database });
    for (const id of ['o1', 'o2']) {
      await orders.createOrder(
        {
          id,
          productRef: 'product:default/vault',
          productTitle: 'Vault',
          templateRef: 'template:default/vault',
          planId: 'standard',
          provider: 'local',
          parameters: {},
          price: { amount: '1.00', currency: 'USD', interval: 'month' },
          requester: 'user:default/developer',
          status: 'pending_approval',
          approvalsRequired: 1,
          approverGroups: [],
        },
        { actor: 'user:default/developer' },
      );
    }
    const store = await OrderSecretsStore.create({ database });
    const secretsWith = (keys: SecretsKey[]) =>
      OrderSecrets.create({ store, keys });
    return { knex, secretsWith };
  }

  it('refuses keys that are not 32 bytes, and repeated key ids', () => {
    expect(() =>
      keysOf({ id: 'short', secret: randomBytes(16).toString('base64') }),
    ).toThrow(
      'store.secrets.keys[0] (id "short") must be the base64 of 32 bytes, such as the output of "openssl rand -base64 32"; it is 16 bytes',
    );
    expect(() => keysOf(OLD, { ...NEW, id: 'old' })).toThrow(
      'store.secrets.keys has the key id "old" twice',
    );
  });

  it('reads the production key from STORE_SECRETS_KEY, and cannot start without it', async () => {
    const root = path.resolve(__dirname, '../../../..');
    const load = (env: Record<string, string>) =>
      ConfigSources.toConfig(
        ConfigSources.default({
          argv: ['app-config.yaml', 'app-config.production.yaml'].flatMap(
            file => ['--config', path.join(root, file)],
          ),
          env: {},
          substitutionFunc: async name => env[name],
        }),
      );
    const production = readSecretsKeys(
      await load({ STORE_SECRETS_KEY: NEW.secret }),
    );
    expect(production).toEqual([
      { id: 'production', key: Buffer.from(NEW.secret, 'base64') },
    ]);
    // Without it, the store does not start: the public development key of
    // app-config.yaml is replaced, not kept.
    await expect(load({}).then(readSecretsKeys)).rejects.toThrow(
      "Missing required config value at 'store.secrets.keys[0].secret'",
    );
  });

  it('refuses to keep secrets without a key', async () => {
    const secrets = OrderSecrets.create({
      store: {} as OrderSecretsStore,
      keys: [],
    });
    expect(() => secrets.assertCanSave()).toThrow(ServiceUnavailableError);
    await expect(secrets.save('o1', { token: 'x' })).rejects.toThrow(
      /no encryption key is configured \(store\.secrets\.keys\)/,
    );
  });

  describe.each(databases.eachSupportedId())('%p', databaseId => {
    it('stores secrets encrypted, a fresh IV each time, and deletes them', async () => {
      const { knex, secretsWith } = await setUp(databaseId);
      const secrets = secretsWith(keysOf(OLD));
      await secrets.save('o1', { token: 'plain-text-4711' });
      await secrets.save('o2', { token: 'plain-text-4711' });
      const rows = await knex('store_order_secrets').orderBy('order_id');
      expect(rows.map(r => r.key_id)).toEqual(['old', 'old']);
      expect(JSON.stringify(rows)).not.toContain('plain-text-4711');
      expect(Buffer.from(rows[0].iv, 'base64')).toHaveLength(12);
      expect(rows[0].iv).not.toBe(rows[1].iv);
      expect(rows[0].ciphertext).not.toBe(rows[1].ciphertext);

      expect(await secrets.read('o1')).toEqual({ token: 'plain-text-4711' });
      await secrets.delete('o1');
      expect(await secrets.read('o1')).toBeUndefined();
      expect(await knex('store_order_secrets').pluck('order_id')).toEqual([
        'o2',
      ]);
    });

    it('decrypts with an older key after a new one is put first', async () => {
      const { knex, secretsWith } = await setUp(databaseId);
      await secretsWith(keysOf(OLD)).save('o1', { token: 'before' });

      const rotated = secretsWith(keysOf(NEW, OLD));
      expect(await rotated.read('o1')).toEqual({ token: 'before' });
      await rotated.save('o2', { token: 'after' });
      expect(
        await knex('store_order_secrets').orderBy('order_id').pluck('key_id'),
      ).toEqual(['old', 'new']);

      // Once the old key is gone, what it encrypted says which key it needs.
      await expect(secretsWith(keysOf(NEW)).read('o1')).rejects.toThrow(
        'The secrets of order o1 were encrypted with key "old", which is not in store.secrets.keys',
      );
    });

    it('refuses altered ciphertexts, tags, and rows moved to another order', async () => {
      const { knex, secretsWith } = await setUp(databaseId);
      const secrets = secretsWith(keysOf(OLD));
      await secrets.save('o1', { token: 'tamper-me' });
      const row = await knex('store_order_secrets')
        .where({ order_id: 'o1' })
        .first();
      const flipped = (base64: string) => {
        const bytes = Buffer.from(base64, 'base64');
        bytes[0] ^= 1;
        return bytes.toString('base64');
      };
      const refused =
        'The secrets of order o1 could not be decrypted with key "old": they were altered, or the key changed';

      await knex('store_order_secrets')
        .where({ order_id: 'o1' })
        .update({ ciphertext: flipped(row.ciphertext) });
      await expect(secrets.read('o1')).rejects.toThrow(refused);

      await knex('store_order_secrets')
        .where({ order_id: 'o1' })
        .update({
          ciphertext: row.ciphertext,
          auth_tag: flipped(row.auth_tag),
        });
      await expect(secrets.read('o1')).rejects.toThrow(refused);

      // A tag cut short is refused too, rather than checked on fewer bits.
      await knex('store_order_secrets')
        .where({ order_id: 'o1' })
        .update({
          auth_tag: Buffer.from(row.auth_tag, 'base64')
            .subarray(0, 4)
            .toString('base64'),
        });
      await expect(secrets.read('o1')).rejects.toThrow(refused);

      // The order id is associated data: a copy under o2 does not decrypt.
      await knex('store_order_secrets').insert({ ...row, order_id: 'o2' });
      await expect(secrets.read('o2')).rejects.toThrow(
        /secrets of order o2 could not be decrypted/,
      );
    });
  });
});
