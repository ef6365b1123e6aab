/**
 * The development sign-in of Cloud Store: pick one of the demo users.
 *
 * @packageDocumentation
 */

export { authModuleDemoProvider as default } from './module';
export { DEMO_USER_HEADER } from './authenticator';
