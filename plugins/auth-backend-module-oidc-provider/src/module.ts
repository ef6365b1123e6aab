import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { oidcSignInResolvers } from '@backstage/plugin-auth-backend-module-oidc-provider';
import {
  authProvidersExtensionPoint,
  createOAuthRouteHandlers,
  OAuthAuthenticatorResult,
  OAuthEnvironmentHandler,
  readDeclarativeSignInResolver,
  SignInResolverFactory,
} from '@backstage/plugin-auth-node';
import { auditSignIns } from './auditSignIns';
import { OidcSignInProfile, storeOidcAuthenticator } from './authenticator';

// The resolvers that `signIn.resolvers` may name, as for Backstage's module.
const signInResolverFactories: Record<string, SignInResolverFactory> = {
  ...oidcSignInResolvers,
};

/**
 * Adds the `oidc` auth provider: single sign-on through any OpenID Connect
 * identity provider, configured as Backstage's own
 * (`auth.providers.oidc.<environment>`: `metadataUrl`, `clientId`,
 * `clientSecret` and `signIn.resolvers`), which this replaces so that each
 * sign-in is audited and an identity provider that was down at start-up is
 * found once it is up.
 *
 * @public
 */
export const authModuleOidcProvider = createBackendModule({
  pluginId: 'auth',
  moduleId: 'oidc-provider',
  register(reg) {
    reg.registerInit({
      deps: {
        providers: authProvidersExtensionPoint,
        auditor: coreServices.auditor,
        logger: coreServices.logger,
      },
      async init({ providers, auditor, logger }) {
        providers.registerProvider({
          providerId: 'oidc',
          // As createOAuthProviderFactory, which prefers the configured
          // resolvers to a given one and so leaves no place to audit them.
          factory: ctx =>
            OAuthEnvironmentHandler.mapConfig(ctx.config, envConfig => {
              const resolver = readDeclarativeSignInResolver<
                OAuthAuthenticatorResult<OidcSignInProfile>
              >({ config: envConfig, signInResolverFactories });
              return createOAuthRouteHandlers({
                authenticator: storeOidcAuthenticator,
                appUrl: ctx.appUrl,
                baseUrl: ctx.baseUrl,
                config: envConfig,
                isOriginAllowed: ctx.isOriginAllowed,
                cookieConfigurer: ctx.cookieConfigurer,
                providerId: ctx.providerId,
                resolverContext: ctx.resolverContext,
                signInResolver:
                  resolver && auditSignIns({ resolver, auditor, logger }),
              });
            }),
        });
      },
    });
  },
});
