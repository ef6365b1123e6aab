import { DatabaseService } from '@backstage/backend-plugin-api';
import { Knex } from 'knex';

const SECRETS = 'store_order_secrets';

/** The secrets of one order, encrypted; every part base64 but the key id. */
export type EncryptedSecrets = {
  keyId: string;
  iv: string;
  ciphertext: string;
  authTag: string;
};

type SecretRow = {
  order_id: string;
  key_id: string;
  iv: string;
  ciphertext: string;
  auth_tag: string;
  created_at: Date;
};

/**
 * Encrypted secrets of orders, one row per order; the only SQL about them.
 * It never sees a secret in the clear: see OrderSecrets.
 */
export class OrderSecretsStore {
  private constructor(private readonly db: Knex) {}

  /** The table comes with the migrations that OrdersStore runs. */
  static async create(options: {
    database: DatabaseService;
  }): Promise<OrderSecretsStore> {
    return new OrderSecretsStore(await options.database.getClient());
  }

  async put(orderId: string, secrets: EncryptedSecrets): Promise<void> {
    await this.db<SecretRow>(SECRETS)
      .insert({
        order_id: orderId,
        key_id: secrets.keyId,
        iv: secrets.iv,
        ciphertext: secrets.ciphertext,
        auth_tag: secrets.authTag,
        created_at: new Date(),
      })
      .onConflict('order_id')
      .merge();
  }

  async get(orderId: string): Promise<EncryptedSecrets | undefined> {
    const row = await this.db<SecretRow>(SECRETS)
      .where({ order_id: orderId })
      .first();
    return row
      ? {
          keyId: row.key_id,
          iv: row.iv,
          ciphertext: row.ciphertext,
          authTag: row.auth_tag,
        }
      : undefined;
  }

  /** Whether the order has secrets, without reading them. */
  async has(orderId: string): Promise<boolean> {
    return Boolean(
      await this.db<SecretRow>(SECRETS)
        .where({ order_id: orderId })
        .first('order_id'),
    );
  }

  async delete(orderId: string): Promise<void> {
    await this.db<SecretRow>(SECRETS).where({ order_id: orderId }).delete();
  }
}
