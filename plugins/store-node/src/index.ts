/**
 * The payment extension point of the Cloud Store backend.
 *
 * @packageDocumentation
 */

export * from './payments';
