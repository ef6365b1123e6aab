/**
 * The CloudProvider interface and the providers extension point of the cloud
 * backend.
 *
 * @packageDocumentation
 */

export * from './provider';
export * from './extensions';
export * from './errors';
