/**
 * Test utilities for backends whose users belong to groups of the catalog.
 *
 * @packageDocumentation
 */

export { mockUserInfoFromCatalog } from './userInfo';
