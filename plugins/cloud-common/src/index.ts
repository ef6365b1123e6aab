/**
 * Types, the stack spec, permissions and the API client shared by the Cloud
 * Store cloud plugins.
 *
 * @packageDocumentation
 */

export * from './schema';
export * from './types';
export * from './permissions';
export * from './validation';
export * from './client';
