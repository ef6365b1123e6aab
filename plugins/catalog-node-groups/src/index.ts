/**
 * Nested group membership read from the catalog: the permission policy and
 * the backends that check who belongs to a group resolve it the same way.
 *
 * @packageDocumentation
 */

export { GroupAncestryResolver } from './GroupAncestryResolver';
