/**
 * Test utilities for cloud provider modules and for tests that start the
 * cloud backend.
 *
 * @packageDocumentation
 */

export { runCloudProviderContractTests, contractStackSpec } from './contract';
export type { CloudProviderContractOptions } from './contract';
export { mockCatalogWithOwnerGroup } from './catalog';
