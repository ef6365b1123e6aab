import { AuditorService, LoggerService } from '@backstage/backend-plugin-api';
import {
  OAuthAuthenticatorResult,
  prepareBackstageIdentityResponse,
  SignInResolver,
} from '@backstage/plugin-auth-node';
import { OidcSignInProfile } from './authenticator';

/**
 * Wraps a sign-in resolver so that each sign-in through the identity provider
 * is in the audit log as a `login` event: the address it came from, the
 * e-mail it claimed, the catalog user it was resolved to, or why it failed
 * (an e-mail that matches no catalog user). Backstage's auth backend does
 * not audit sign-ins. A refreshed session is no new sign-in and is not
 * audited.
 */
export function auditSignIns(options: {
  resolver: SignInResolver<OAuthAuthenticatorResult<OidcSignInProfile>>;
  auditor: AuditorService;
  logger: LoggerService;
}): SignInResolver<OAuthAuthenticatorResult<OidcSignInProfile>> {
  const { resolver, auditor, logger } = options;
  return async (info, ctx) => {
    const { signInRequest, userinfo } = info.result.fullProfile;
    if (!signInRequest) {
      return resolver(info, ctx);
    }
    const email = info.profile.email ?? userinfo.email;
    const event = await auditor
      .createEvent({
        eventId: 'login',
        severityLevel: 'medium',
        request: signInRequest,
        meta: { provider: 'oidc', ...(email && { email }) },
      })
      .catch(error => {
        logger.warn(`Could not audit the sign-in of ${email}: ${error}`);
        return undefined;
      });
    try {
      const result = await resolver(info, ctx);
      const { userEntityRef } =
        prepareBackstageIdentityResponse(result).identity;
      await event?.success({ meta: { userEntityRef } });
      return result;
    } catch (error) {
      await event?.fail({ error: error as Error });
      throw error;
    }
  };
}
