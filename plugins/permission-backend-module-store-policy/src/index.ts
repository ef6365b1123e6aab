/**
 * The Cloud Store permission policy.
 *
 * @packageDocumentation
 */

export { permissionModuleStorePolicy as default } from './module';
export { AccessPolicy } from './AccessPolicy';
