/**
 * The Cloud Store cloud backend.
 *
 * @packageDocumentation
 */

export { cloudPlugin as default } from './plugin';
