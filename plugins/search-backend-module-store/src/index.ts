/**
 * Cloud Store products in Backstage search.
 *
 * @packageDocumentation
 */

export { searchModuleStoreCollator as default } from './module';
export { StoreProductCollatorFactory } from './StoreProductCollatorFactory';
export type { StoreProductDocument } from './StoreProductCollatorFactory';
