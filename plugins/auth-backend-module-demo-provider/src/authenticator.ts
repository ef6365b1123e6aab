import { AuthenticationError } from '@backstage/errors';
import { createProxyAuthenticator } from '@backstage/plugin-auth-node';
import type { Request } from 'express';

/** The request header that names the demo user to sign in as. */
export const DEMO_USER_HEADER = 'x-cloud-store-demo-user';

/** What the demo authenticator hands to the sign-in resolver. */
export type DemoAuthResult = {
  userName: string;
  /** The sign-in request, for the audit log: address and user agent. */
  request: Request;
};

/**
 * Creates the authenticator of the development sign-in: the caller names one
 * of the allowed demo users in a header. There is no secret, which is why the
 * provider only exists in the development auth environment.
 */
export function createDemoAuthenticator(allowedUsers: () => string[]) {
  return createProxyAuthenticator<unknown, DemoAuthResult, undefined>({
    defaultProfileTransform: async result => ({
      profile: { displayName: result.userName },
    }),
    initialize() {
      return undefined;
    },
    async authenticate({ req }) {
      const userName = req.header(DEMO_USER_HEADER)?.trim();
      if (!userName) {
        throw new AuthenticationError(
          `Missing ${DEMO_USER_HEADER} header naming the demo user`,
        );
      }
      if (!allowedUsers().includes(userName)) {
        throw new AuthenticationError(
          `'${userName}' is not one of the demo users in cloudStore.signIn.demoUsers`,
        );
      }
      return { result: { userName, request: req } };
    },
  });
}
