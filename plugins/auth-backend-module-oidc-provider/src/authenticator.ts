import {
  oidcAuthenticator,
  OidcAuthResult,
} from '@backstage/plugin-auth-backend-module-oidc-provider';
import { createOAuthAuthenticator } from '@backstage/plugin-auth-node';
import type { Request } from 'express';

type OidcContext = ReturnType<typeof oidcAuthenticator.initialize>;

/** What the OIDC authenticator hands to the sign-in resolver. */
export type OidcSignInProfile = OidcAuthResult & {
  /**
   * The request with which the user came back from the identity provider,
   * for the audit log: address and user agent. Absent when a session is
   * refreshed, which is no new sign-in.
   */
  signInRequest?: Request;
};

/**
 * The connection to the identity provider. Backstage's OIDC authenticator
 * discovers the issuer once, at start-up, and keeps a failure: an identity
 * provider that was unreachable then would disable single sign-on until the
 * backend restarts. This one discovers the issuer again on the next sign-in.
 */
export class IssuerConnection {
  private ready: Promise<OidcContext>;

  private constructor(private readonly connect: () => OidcContext) {
    this.ready = this.discover();
  }

  /**
   * Reads the configuration and starts the discovery at once, so that a bad
   * configuration stops start-up.
   */
  static create(connect: () => OidcContext): IssuerConnection {
    return new IssuerConnection(connect);
  }

  /** The discovered issuer, discovered again if the last attempt failed. */
  async context(): Promise<OidcContext> {
    const ready = this.ready;
    try {
      return await ready;
    } catch {
      if (this.ready === ready) {
        this.ready = this.discover();
      }
      return this.ready;
    }
  }

  private discover(): Promise<OidcContext> {
    const context = this.connect();
    const ready = context.promise.then(() => context);
    // The failure is reported to the next sign-in, which tries again.
    ready.catch(() => {});
    return ready;
  }
}

/**
 * Backstage's OIDC authenticator, with the issuer discovered again after a
 * failure and with the request of each sign-in kept for the audit log.
 */
export const storeOidcAuthenticator = createOAuthAuthenticator<
  IssuerConnection,
  OidcSignInProfile
>({
  defaultProfileTransform: oidcAuthenticator.defaultProfileTransform,
  scopes: oidcAuthenticator.scopes,
  initialize(options) {
    return IssuerConnection.create(() => oidcAuthenticator.initialize(options));
  },
  async start(input, connection) {
    return oidcAuthenticator.start(input, await connection.context());
  },
  async authenticate(input, connection) {
    const result = await oidcAuthenticator.authenticate(
      input,
      await connection.context(),
    );
    return {
      ...result,
      fullProfile: { ...result.fullProfile, signInRequest: input.req },
    };
  },
  async refresh(input, connection) {
    return oidcAuthenticator.refresh(input, await connection.context());
  },
  async logout(input, connection) {
    return oidcAuthenticator.logout?.(input, await connection.context());
  },
});
