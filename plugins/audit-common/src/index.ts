/**
 * Types, permissions and the API client of the Cloud Store audit log.
 *
 * @packageDocumentation
 */

export * from './client';
export * from './permissions';
export * from './types';
