/**
 * The payment extension point and the clock of the Cloud Store backend.
 *
 * @packageDocumentation
 */

export * from './clock';
export * from './payments';
