import {
  DatabaseService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import { ConflictError } from '@backstage/errors';
import { Knex } from 'knex';

const migrationsDir = resolvePackagePath(
  '@internal/plugin-cloud-backend',
  'migrations',
);

const KEYS = 'cloud_idempotency_keys';

/** The first answer to a request, kept for its Idempotency-Key. */
export interface IdempotentResponse {
  status: number;
  body: unknown;
}

/** Which request a key belongs to: a caller's key is theirs alone. */
export interface IdempotencyClaim {
  principal: string;
  route: string;
  key: string;
}

type KeyRow = {
  principal: string;
  route: string;
  key: string;
  body_hash: string;
  response_status: number | null;
  response_json: string | null;
  created_at: Date | string;
};

function isUniqueViolation(error: unknown) {
  const e = error as { code?: string; message?: string };
  return (
    e?.code === '23505' ||
    e?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY' ||
    e?.code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    /UNIQUE constraint failed/.test(e?.message ?? '')
  );
}

/**
 * The Idempotency-Keys of the cloud API, in the database so that every
 * backend instance sees the same ones; the only SQL about them.
 */
export class IdempotencyStore {
  private constructor(private readonly db: Knex) {}

  /** Create it after the CloudStore, which migrates the same database. */
  static async create(database: DatabaseService): Promise<IdempotencyStore> {
    const db = await database.getClient();
    if (!database.migrations?.skip) {
      await db.migrate.latest({ directory: migrationsDir });
    }
    return new IdempotencyStore(db);
  }

  /**
   * Claims a key for a request. Answers the stored response when the same
   * request was already answered, or that it has not been answered yet;
   * throws ConflictError when the key was used with another body.
   */
  async claim(
    claim: IdempotencyClaim & { bodyHash: string; now?: Date },
  ): Promise<
    { claimed: true } | { inProgress: true } | { response: IdempotentResponse }
  > {
    const { principal, route, key, bodyHash } = claim;
    try {
      await this.db<KeyRow>(KEYS).insert({
        principal,
        route,
        key,
        body_hash: bodyHash,
        response_status: null,
        response_json: null,
        created_at: claim.now ?? new Date(),
      });
      return { claimed: true };
    } catch (error) {
      if (!isUniqueViolation(error)) {
        throw error;
      }
    }
    const row = await this.db<KeyRow>(KEYS)
      .where({ principal, route, key })
      .first();
    if (!row || row.body_hash !== bodyHash) {
      throw new ConflictError(
        `Idempotency-Key '${key}' was already used with a different request`,
      );
    }
    if (row.response_status === null || row.response_status === undefined) {
      return { inProgress: true };
    }
    return {
      response: {
        status: Number(row.response_status),
        body: JSON.parse(row.response_json ?? 'null'),
      },
    };
  }

  /** Stores the response of a claimed key, or releases it when there is none. */
  async complete(
    claim: IdempotencyClaim & { response?: IdempotentResponse },
  ): Promise<void> {
    const { principal, route, key, response } = claim;
    const query = this.db<KeyRow>(KEYS).where({ principal, route, key });
    if (response) {
      await query.update({
        response_status: response.status,
        response_json: JSON.stringify(response.body),
      });
    } else {
      await query.delete();
    }
  }
}
