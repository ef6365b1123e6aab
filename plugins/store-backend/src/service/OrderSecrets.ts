import { Config } from '@backstage/config';
import { ServiceUnavailableError } from '@backstage/errors';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import {
  EncryptedSecrets,
  OrderSecretsStore,
} from '../database/OrderSecretsStore';

const ALGORITHM = 'aes-256-gcm';
const KEY_BYTES = 32;
const IV_BYTES = 12;
/** Fixed, so that a shortened tag is refused rather than accepted. */
const TAG_BYTES = 16;

/** A key of `store.secrets.keys`. */
export type SecretsKey = { id: string; key: Buffer };

/** Reads `store.secrets.keys`; fails on a key that is not 32 bytes. */
export function readSecretsKeys(config: Config): SecretsKey[] {
  const keys = (config.getOptionalConfigArray('store.secrets.keys') ?? []).map(
    (entry, index) => {
      const id = entry.getString('id');
      const key = Buffer.from(entry.getString('secret'), 'base64');
      if (key.length !== KEY_BYTES) {
        throw new Error(
          `store.secrets.keys[${index}] (id "${id}") must be the base64 of ${KEY_BYTES} bytes, such as the output of "openssl rand -base64 32"; it is ${key.length} bytes`,
        );
      }
      return { id, key };
    },
  );
  const ids = keys.map(k => k.id);
  const repeated = ids.find((id, i) => ids.indexOf(id) !== i);
  if (repeated !== undefined) {
    throw new Error(`store.secrets.keys has the key id "${repeated}" twice`);
  }
  return keys;
}

/**
 * Secrets of orders waiting for approval, kept in the database so that any
 * instance can hand them to the order's task, even after a restart. They
 * are encrypted with AES-256-GCM under the first configured key, with the
 * order id as associated data so that a row moved to another order does not
 * decrypt; any configured key decrypts, so keys rotate by putting the new
 * one first and removing the old one once no pending order uses it.
 */
export class OrderSecrets {
  private constructor(
    private readonly store: OrderSecretsStore,
    private readonly keys: SecretsKey[],
  ) {}

  static create(options: {
    store: OrderSecretsStore;
    keys: SecretsKey[];
  }): OrderSecrets {
    return new OrderSecrets(options.store, options.keys);
  }

  /**
   * Throws when secrets cannot be kept, before an order that needs to keep
   * them is placed.
   */
  assertCanSave(): void {
    if (this.keys.length === 0) {
      throw new ServiceUnavailableError(
        'This store cannot keep the secrets of orders that wait for approval: no encryption key is configured (store.secrets.keys); ask an administrator',
      );
    }
  }

  /** Encrypts and stores the secrets of an order. */
  async save(orderId: string, secrets: Record<string, string>): Promise<void> {
    this.assertCanSave();
    const [current] = this.keys;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(ALGORITHM, current.key, iv, {
      authTagLength: TAG_BYTES,
    });
    cipher.setAAD(Buffer.from(orderId, 'utf8'));
    const ciphertext = Buffer.concat([
      cipher.update(JSON.stringify(secrets), 'utf8'),
      cipher.final(),
    ]);
    await this.store.put(orderId, {
      keyId: current.id,
      iv: iv.toString('base64'),
      ciphertext: ciphertext.toString('base64'),
      authTag: cipher.getAuthTag().toString('base64'),
    });
  }

  /**
   * The secrets of an order, or undefined when it has none. Throws when
   * they cannot be decrypted: with a key no longer configured, or altered.
   */
  async read(orderId: string): Promise<Record<string, string> | undefined> {
    const stored = await this.store.get(orderId);
    return stored && this.decrypt(orderId, stored);
  }

  /** Forgets the secrets of an order, once its task has them or it ended. */
  async delete(orderId: string): Promise<void> {
    await this.store.delete(orderId);
  }

  private decrypt(
    orderId: string,
    stored: EncryptedSecrets,
  ): Record<string, string> {
    const key = this.keys.find(k => k.id === stored.keyId);
    if (!key) {
      throw new Error(
        `The secrets of order ${orderId} were encrypted with key "${stored.keyId}", which is not in store.secrets.keys`,
      );
    }
    try {
      const decipher = createDecipheriv(
        ALGORITHM,
        key.key,
        Buffer.from(stored.iv, 'base64'),
        { authTagLength: TAG_BYTES },
      );
      decipher.setAAD(Buffer.from(orderId, 'utf8'));
      decipher.setAuthTag(Buffer.from(stored.authTag, 'base64'));
      const plain = Buffer.concat([
        decipher.update(Buffer.from(stored.ciphertext, 'base64')),
        decipher.final(),
      ]);
      return JSON.parse(plain.toString('utf8'));
    } catch {
      // The cause says nothing useful and must not echo any of the data.
      throw new Error(
        `The secrets of order ${orderId} could not be decrypted with key "${stored.keyId}": they were altered, or the key changed`,
      );
    }
  }
}
