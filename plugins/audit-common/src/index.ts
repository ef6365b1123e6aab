/**
 * Types, permissions and API clients of the Cloud Store audit log and of
 * the Access page.
 *
 * @packageDocumentation
 */

export * from './accessClient';
export * from './client';
export * from './permissions';
export * from './types';
