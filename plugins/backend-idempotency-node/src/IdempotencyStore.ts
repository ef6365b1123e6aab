import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { ConflictError } from '@backstage/errors';
import { Knex } from 'knex';
import { hashBody, principalOf } from './hashing';

/**
 * The first answer to a request, kept for its Idempotency-Key.
 *
 * @public
 */
export interface IdempotentResponse {
  status: number;
  body: unknown;
}

/**
 * Which request a key belongs to: a caller's key is theirs alone, per route.
 *
 * @public
 */
export interface IdempotencyClaim {
  principal: string;
  route: string;
  key: string;
}

/**
 * A mutating request that may carry an Idempotency-Key.
 *
 * @public
 */
export interface IdempotentRequest {
  /** The `Idempotency-Key` header; without it the request just runs. */
  key: string | undefined;
  credentials: BackstageCredentials;
  route: string;
  body: unknown;
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
 * The Idempotency-Keys of a plugin's mutating requests, in a table of its
 * own; the only SQL about them.
 *
 * The table is created by the plugin's migrations, with the columns
 * `principal`, `route`, `key` (together the primary key), `body_hash`,
 * `response_status` and `response_json` (null until answered) and
 * `created_at`.
 *
 * @public
 */
export class IdempotencyStore {
  private constructor(
    private readonly db: Knex,
    private readonly table: string,
    private readonly abandonAfterMs: number,
  ) {}

  /**
   * `abandonAfterMs` (ten minutes by default): a key whose first request
   * has not answered for this long is taken as abandoned (its backend
   * instance died) and goes to the next request with the same body.
   */
  static create(options: {
    knex: Knex;
    table: string;
    abandonAfterMs?: number;
  }): IdempotencyStore {
    return new IdempotencyStore(
      options.knex,
      options.table,
      options.abandonAfterMs ?? 10 * 60 * 1000,
    );
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
      await this.db<KeyRow>(this.table).insert({
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
    const row = await this.db<KeyRow>(this.table)
      .where({ principal, route, key })
      .first();
    if (!row || row.body_hash !== bodyHash) {
      throw new ConflictError(
        `Idempotency-Key '${key}' was already used with a different request`,
      );
    }
    if (row.response_status === null || row.response_status === undefined) {
      return (await this.takeOver(row, claim.now ?? new Date()))
        ? { claimed: true }
        : { inProgress: true };
    }
    return {
      response: {
        status: Number(row.response_status),
        body: JSON.parse(row.response_json ?? 'null'),
      },
    };
  }

  /**
   * Claims a key whose request was abandoned; of several requests that try
   * at once, one gets it.
   */
  private async takeOver(row: KeyRow, now: Date): Promise<boolean> {
    const claimedAt = new Date(row.created_at);
    if (now.getTime() - claimedAt.getTime() < this.abandonAfterMs) {
      return false;
    }
    const updated = await this.db<KeyRow>(this.table)
      .where({ principal: row.principal, route: row.route, key: row.key })
      .whereNull('response_status')
      .andWhere('created_at', row.created_at)
      .update({ created_at: now });
    return updated === 1;
  }

  /** Stores the response of a claimed key, or releases it when there is none. */
  async complete(
    claim: IdempotencyClaim & { response?: IdempotentResponse },
  ): Promise<void> {
    const { principal, route, key, response } = claim;
    const query = this.db<KeyRow>(this.table).where({ principal, route, key });
    if (response) {
      await query.update({
        response_status: response.status,
        response_json: JSON.stringify(response.body),
      });
    } else {
      await query.delete();
    }
  }

  /** Forgets the keys claimed before `before`; answers how many. */
  async deleteOlderThan(before: Date): Promise<number> {
    return this.db(this.table).where('created_at', '<', before).delete();
  }

  /**
   * Runs a mutating request under its Idempotency-Key: the same key and body
   * answer the first response again, status and body; another body is a 409;
   * a request that failed may be sent again. Without a key it just runs.
   *
   * `whenInProgress` answers a key whose first request never finished (its
   * backend instance died); without it that is a 409, as for a request that
   * still runs.
   */
  async run(
    request: IdempotentRequest,
    run: () => Promise<IdempotentResponse>,
    options?: { whenInProgress?: () => Promise<IdempotentResponse> },
  ): Promise<IdempotentResponse> {
    const { key } = request;
    if (!key) {
      return run();
    }
    const claim = {
      principal: principalOf(request.credentials),
      route: request.route,
      key,
    };
    // Only the hash of the body is kept, never the body (it may hold secrets).
    const claimed = await this.claim({
      ...claim,
      bodyHash: hashBody(request.body),
    });
    if ('inProgress' in claimed) {
      if (!options?.whenInProgress) {
        throw new ConflictError(
          `A request with Idempotency-Key '${key}' is still in progress`,
        );
      }
      const response = await options.whenInProgress();
      await this.complete({ ...claim, response });
      return response;
    }
    if ('response' in claimed) {
      return claimed.response;
    }
    try {
      const response = await run();
      await this.complete({ ...claim, response });
      return response;
    } catch (error) {
      await this.complete(claim);
      throw error;
    }
  }
}
