/**
 * Single sign-on for Cloud Store through any OIDC identity provider, each
 * sign-in in the audit log.
 *
 * @packageDocumentation
 */

export { authModuleOidcProvider as default } from './module';
export type { OidcSignInProfile } from './authenticator';
