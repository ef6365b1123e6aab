/**
 * Types and permissions shared by the Cloud Store cloud plugins.
 *
 * @packageDocumentation
 */

export * from './types';
export * from './permissions';
export * from './validation';
