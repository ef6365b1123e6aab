import { DatabaseService } from '@backstage/backend-plugin-api';
import { ConflictError } from '@backstage/errors';
import { Knex } from 'knex';
import { isUniqueViolation } from './orderRows';

const KEYS = 'store_idempotency_keys';

/** A stored response of an idempotent request. */
export type IdempotentResponse = { status: number; body: unknown };

/**
 * Idempotency-Key of the store's mutating requests, per principal and
 * route; the only SQL about them. The table comes with the migrations that
 * OrdersStore runs.
 */
export class IdempotencyKeysStore {
  private constructor(private readonly db: Knex) {}

  static async create(options: {
    database: DatabaseService;
  }): Promise<IdempotencyKeysStore> {
    return new IdempotencyKeysStore(await options.database.getClient());
  }

  /**
   * Claims an idempotency key for a request. Returns the stored response
   * when the same request was already answered; throws ConflictError when the
   * key was used with another body, or the first request is still running.
   */
  async claim(options: {
    principal: string;
    route: string;
    key: string;
    bodyHash: string;
    now?: Date;
  }): Promise<{ claimed: true } | { response: IdempotentResponse }> {
    const { principal, route, key, bodyHash } = options;
    try {
      await this.db(KEYS).insert({
        principal,
        route,
        key,
        body_hash: bodyHash,
        response_status: null,
        response_json: null,
        created_at: options.now ?? new Date(),
      });
      return { claimed: true };
    } catch (error) {
      if (!isUniqueViolation(error)) {
        throw error;
      }
    }
    const row = await this.db(KEYS).where({ principal, route, key }).first();
    if (!row || row.body_hash !== bodyHash) {
      throw new ConflictError(
        `Idempotency-Key "${key}" was already used with a different request`,
      );
    }
    if (row.response_status === null || row.response_status === undefined) {
      throw new ConflictError(
        `A request with Idempotency-Key "${key}" is still in progress`,
      );
    }
    return {
      response: {
        status: Number(row.response_status),
        body: JSON.parse(row.response_json),
      },
    };
  }

  /** Stores the response of a claimed key, or releases it on failure. */
  async complete(options: {
    principal: string;
    route: string;
    key: string;
    response?: IdempotentResponse;
  }): Promise<void> {
    const { principal, route, key, response } = options;
    const query = this.db(KEYS).where({ principal, route, key });
    if (response) {
      await query.update({
        response_status: response.status,
        response_json: JSON.stringify(response.body),
      });
    } else {
      await query.delete();
    }
  }

  /** Forgets idempotency keys older than `before`. */
  async deleteOlderThan(before: Date): Promise<number> {
    return this.db(KEYS).where('created_at', '<', before).delete();
  }
}
