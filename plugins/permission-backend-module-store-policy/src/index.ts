/**
 * The Cloud Store permission policy.
 *
 * @packageDocumentation
 */

export { permissionModuleStorePolicy as default } from './module';
export { AccessPolicy } from './AccessPolicy';
export { cachedPermissionsServiceFactory } from './decisionCache/permissionsServiceFactory';
export {
  accessPolicyChangesServiceRef,
  type AccessPolicyChanges,
} from './decisionCache/accessPolicyChanges';
