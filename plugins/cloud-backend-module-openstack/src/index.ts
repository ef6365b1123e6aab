/**
 * The OpenStack cloud provider: stacks are Heat stacks made from the HOT
 * templates of their specs.
 *
 * @packageDocumentation
 */

export { cloudModuleOpenStack as default } from './module';
export { OpenStackProvider } from './OpenStackProvider';
export type {
  OpenStackProviderOptions,
  OpenStackRegion,
} from './OpenStackProvider';
export { KeystoneClient } from './KeystoneClient';
export type { KeystoneCredentials, KeystoneSession } from './KeystoneClient';
export { HeatClient } from './HeatClient';
export type { HeatStack, HeatEvent } from './HeatClient';
export { readOpenStackProviders } from './config';
export type { OpenStackProviderConfig } from './config';
