/**
 * Types, permissions and pricing math of Cloud Store.
 *
 * @packageDocumentation
 */

export * from './types';
export * from './permissions';
export * from './pricing';
export * from './orders';
export * from './orderPermissions';
export * from './subscriptions';
export * from './subscriptionPermissions';
export * from './billing';
export * from './planLimits';
export * from './metering';
export * from './invoices';
