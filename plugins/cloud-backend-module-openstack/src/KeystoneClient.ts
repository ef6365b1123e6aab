import { AuthenticationError, InputError } from '@backstage/errors';

/** How the store signs in to Keystone v3. @public */
export type KeystoneCredentials =
  | {
      type: 'password';
      username: string;
      password: string;
      userDomain: string;
      project: string;
      projectDomain: string;
    }
  | { type: 'applicationCredential'; id: string; secret: string };

/** A token of Keystone and what came with it. @public */
export interface KeystoneSession {
  token: string;
  /** Milliseconds since the epoch. */
  expiresAt: number;
  projectId: string;
  catalog: Array<{
    type: string;
    endpoints: Array<{ interface: string; region_id?: string; url: string }>;
  }>;
}

/** Renew a token this long before Keystone says it expires. */
const EXPIRY_MARGIN_MS = 60_000;

/**
 * A Keystone v3 client that keeps one token until shortly before it
 * expires, shares it between concurrent callers, and gets a new one once
 * when a service answers 401 (a revoked token, a restarted Keystone).
 *
 * @public
 */
export class KeystoneClient {
  private current?: KeystoneSession;
  private pending?: Promise<KeystoneSession>;
  private issued = 0;

  private constructor(
    private readonly authUrl: string,
    private readonly credentials: () => KeystoneCredentials,
    private readonly marginMs: number,
  ) {}

  static create(options: {
    /** Keystone's v3 URL. */
    authUrl: string;
    /** Read at each authentication, so a rotated secret is picked up. */
    credentials: () => KeystoneCredentials;
    /** Renew a token this long before it expires; a minute by default. */
    marginMs?: number;
  }) {
    return new KeystoneClient(
      options.authUrl.replace(/\/+$/, ''),
      options.credentials,
      options.marginMs ?? EXPIRY_MARGIN_MS,
    );
  }

  /** How many tokens this client has obtained. */
  get authentications(): number {
    return this.issued;
  }

  /** The current token, or a new one when it is about to expire. */
  async getSession(): Promise<KeystoneSession> {
    const current = this.current;
    if (current && current.expiresAt - this.marginMs > Date.now()) {
      return current;
    }
    if (!this.pending) {
      this.pending = this.authenticate()
        .then(session => {
          this.current = session;
          return session;
        })
        .finally(() => {
          this.pending = undefined;
        });
    }
    return this.pending;
  }

  /**
   * Calls a service with a token; when it answers 401 the token is dropped
   * and the call made once more with a new one.
   */
  async fetch(
    call: (session: KeystoneSession) => Promise<Response>,
  ): Promise<Response> {
    const session = await this.getSession();
    const response = await call(session);
    if (response.status !== 401) {
      return response;
    }
    await response.body?.cancel();
    this.invalidate(session);
    return call(await this.getSession());
  }

  /** Forgets a token that a service refused. */
  invalidate(session: KeystoneSession) {
    if (this.current?.token === session.token) {
      this.current = undefined;
    }
  }

  /** The URL of a service in the token's catalog. */
  static endpointOf(
    session: KeystoneSession,
    type: string,
    region: string,
  ): string {
    const service = session.catalog.find(s => s.type === type);
    const endpoint = service?.endpoints.find(
      e => e.interface === 'public' && (e.region_id ?? region) === region,
    );
    if (!endpoint) {
      throw new InputError(
        `Keystone's catalog has no public ${type} endpoint in region '${region}'`,
      );
    }
    return endpoint.url.replace(/\/+$/, '');
  }

  private async authenticate(): Promise<KeystoneSession> {
    const credentials = this.credentials();
    const auth =
      credentials.type === 'password'
        ? {
            identity: {
              methods: ['password'],
              password: {
                user: {
                  name: credentials.username,
                  domain: { name: credentials.userDomain },
                  password: credentials.password,
                },
              },
            },
            scope: {
              project: {
                name: credentials.project,
                domain: { name: credentials.projectDomain },
              },
            },
          }
        : {
            identity: {
              methods: ['application_credential'],
              application_credential: {
                id: credentials.id,
                secret: credentials.secret,
              },
            },
          };
    const response = await fetch(`${this.authUrl}/auth/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ auth }),
    });
    const body = await response.json().catch(() => undefined);
    if (!response.ok) {
      const message = body?.error?.message ?? response.statusText;
      throw new AuthenticationError(
        `Keystone at ${this.authUrl} refused to authenticate (${response.status}): ${message}`,
      );
    }
    const token = response.headers.get('x-subject-token');
    if (!token || !body?.token?.project?.id) {
      throw new AuthenticationError(
        `Keystone at ${this.authUrl} returned no project-scoped token`,
      );
    }
    this.issued += 1;
    return {
      token,
      expiresAt: Date.parse(body.token.expires_at),
      projectId: body.token.project.id,
      catalog: body.token.catalog ?? [],
    };
  }
}
