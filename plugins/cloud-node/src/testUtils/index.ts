/**
 * Test utilities for cloud provider modules.
 *
 * @packageDocumentation
 */

export { runCloudProviderContractTests, contractStackSpec } from './contract';
export type { CloudProviderContractOptions } from './contract';
