import {
  AuthService,
  BackstageCredentials,
  PermissionsService,
  PermissionsServiceRequestOptions,
} from '@backstage/backend-plugin-api';
import {
  AuthorizePermissionRequest,
  AuthorizePermissionResponse,
  QueryPermissionRequest,
  QueryPermissionResponse,
} from '@backstage/plugin-permission-common';
import { durationToMilliseconds, HumanDuration } from '@backstage/types';
import { AccessPolicyChanges } from './accessPolicyChanges';

type Decision = AuthorizePermissionResponse | QueryPermissionResponse;

type Entry = { decision: Promise<Decision>; expiresAt: number };

/**
 * A permissions service that keeps the decisions of the permission backend
 * for a user's token and a permission for a few seconds, so that a user's
 * repeated list reads do not each pay a round trip to the permission backend
 * (token issuance, an HTTP request, two token verifications, the policy).
 *
 * Only decisions that depend on nothing but the user and the permission are
 * kept: conditional decisions (filters, which the plugin applies to its
 * data) and decisions without a resource. A decision about a resource
 * depends on that resource and is always asked. A change of the access
 * policy drops every kept decision, including those still being asked. Group membership and governed templates, which the policy
 * reads from the catalog, are already cached longer by the policy itself.
 */
export class CachedPermissionsService implements PermissionsService {
  private readonly entries = new Map<string, Entry>();

  private constructor(
    private readonly permissions: PermissionsService,
    private readonly auth: AuthService,
    private readonly ttlMs: number,
    private readonly maxEntries: number,
    private readonly now: () => number,
  ) {}

  static create(options: {
    /** Asks the permission backend. */
    permissions: PermissionsService;
    auth: AuthService;
    /** Where changes of the access policy are announced. */
    policyChanges: AccessPolicyChanges;
    /** How long a decision is kept; 5 seconds by default. */
    ttl?: HumanDuration;
    /** At most this many decisions are kept; 10,000 by default. */
    maxEntries?: number;
    /** The clock, for tests. */
    now?: () => number;
  }): CachedPermissionsService {
    const service = new CachedPermissionsService(
      options.permissions,
      options.auth,
      durationToMilliseconds(options.ttl ?? { seconds: 5 }),
      options.maxEntries ?? 10_000,
      options.now ?? Date.now,
    );
    options.policyChanges.subscribe(() => service.clear());
    return service;
  }

  authorize(
    requests: AuthorizePermissionRequest[],
    options: PermissionsServiceRequestOptions,
  ): Promise<AuthorizePermissionResponse[]> {
    if (requests.some(r => r.resourceRef !== undefined)) {
      return this.permissions.authorize(requests, options);
    }
    return this.decide('authorize', requests, options, missing =>
      this.permissions.authorize(missing, options),
    ) as Promise<AuthorizePermissionResponse[]>;
  }

  authorizeConditional(
    requests: QueryPermissionRequest[],
    options: PermissionsServiceRequestOptions,
  ): Promise<QueryPermissionResponse[]> {
    return this.decide('conditional', requests, options, missing =>
      this.permissions.authorizeConditional(missing, options),
    ) as Promise<QueryPermissionResponse[]>;
  }

  private async decide<R extends { permission: { name: string } }>(
    kind: string,
    requests: R[],
    options: PermissionsServiceRequestOptions,
    ask: (missing: R[]) => Promise<Decision[]>,
  ): Promise<Decision[]> {
    const user = await this.userKey(options.credentials);
    if (!user) {
      // Services are allowed without a round trip anyway.
      return ask(requests);
    }
    const now = this.now();
    const keys = requests.map(r => `${kind}\n${r.permission.name}\n${user}`);
    const decisions: Array<Promise<Decision> | undefined> = keys.map(key => {
      const entry = this.entries.get(key);
      return entry && entry.expiresAt > now ? entry.decision : undefined;
    });
    const missing = requests.filter((_, i) => !decisions[i]);
    if (missing.length > 0) {
      // One round trip for every decision not kept; concurrent requests of
      // the same user share it.
      const asked = ask(missing);
      let m = 0;
      keys.forEach((key, i) => {
        if (decisions[i]) {
          return;
        }
        const index = m++;
        const decision = asked.then(answers => answers[index]);
        decisions[i] = decision;
        this.keep(key, decision, now);
      });
    }
    return Promise.all(decisions as Array<Promise<Decision>>);
  }

  private keep(key: string, decision: Promise<Decision>, now: number) {
    if (this.entries.size >= this.maxEntries) {
      this.evict(now);
    }
    this.entries.set(key, { decision, expiresAt: now + this.ttlMs });
    decision.catch(() => this.forget(key, decision));
  }

  private forget(key: string, decision: Promise<Decision>) {
    if (this.entries.get(key)?.decision === decision) {
      this.entries.delete(key);
    }
  }

  /** Drops expired decisions, and the oldest half when none expired. */
  private evict(now: number) {
    for (const [key, entry] of this.entries) {
      if (entry.expiresAt <= now) {
        this.entries.delete(key);
      }
    }
    if (this.entries.size >= this.maxEntries) {
      let drop = Math.ceil(this.entries.size / 2);
      for (const key of this.entries.keys()) {
        if (drop-- <= 0) break;
        this.entries.delete(key);
      }
    }
  }

  /** Also drops decisions still being asked: they are of the old policy. */
  private clear() {
    this.entries.clear();
  }

  /**
   * The user's limited token: it names the user and the ownership claims
   * that the policy decides on, and changes with each sign-in.
   */
  private async userKey(
    credentials: BackstageCredentials,
  ): Promise<string | undefined> {
    if (!this.auth.isPrincipal(credentials, 'user')) {
      return undefined;
    }
    const { token } = await this.auth.getLimitedUserToken(credentials);
    return token;
  }
}
