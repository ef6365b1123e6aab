/**
 * Types and permissions of the Cloud Store audit log.
 *
 * @packageDocumentation
 */

export * from './permissions';
export * from './types';
