import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import {
  authProvidersExtensionPoint,
  createProxyAuthProviderFactory,
} from '@backstage/plugin-auth-node';
import {
  DEFAULT_NAMESPACE,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { createDemoAuthenticator } from './authenticator';

/**
 * Adds the `demo` auth provider: sign in as one of the demo users listed in
 * `cloudStore.signIn.demoUsers`, each resolved to its User entity in the
 * catalog so that group memberships and permissions are real.
 *
 * @public
 */
export const authModuleDemoProvider = createBackendModule({
  pluginId: 'auth',
  moduleId: 'demo-provider',
  register(reg) {
    reg.registerInit({
      deps: {
        providers: authProvidersExtensionPoint,
        config: coreServices.rootConfig,
        auditor: coreServices.auditor,
        logger: coreServices.logger,
      },
      async init({ providers, config, auditor, logger }) {
        const allowedUsers = () =>
          config.getOptionalStringArray('cloudStore.signIn.demoUsers') ?? [];
        providers.registerProvider({
          providerId: 'demo',
          factory: createProxyAuthProviderFactory({
            authenticator: createDemoAuthenticator(allowedUsers),
            async signInResolver({ result }, ctx) {
              // Backstage's auth backend does not audit sign-ins; the audit
              // log names the user signing in, from the address they use.
              const userEntityRef = stringifyEntityRef({
                kind: 'User',
                namespace: DEFAULT_NAMESPACE,
                name: result.userName,
              });
              const event = await auditor
                .createEvent({
                  eventId: 'login',
                  severityLevel: 'medium',
                  request: result.request,
                  meta: { provider: 'demo', userEntityRef },
                })
                .catch(error => {
                  logger.warn(
                    `Could not audit the sign-in of ${userEntityRef}: ${error}`,
                  );
                  return undefined;
                });
              try {
                const identity = await ctx.signInWithCatalogUser({
                  entityRef: { name: result.userName },
                });
                await event?.success();
                return identity;
              } catch (error) {
                await event?.fail({ error: error as Error });
                throw error;
              }
            },
          }),
        });
      },
    });
  },
});
