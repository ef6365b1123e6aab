/**
 * The Cloud Store backend plugin.
 *
 * @packageDocumentation
 */

export { storePlugin as default } from './plugin';
