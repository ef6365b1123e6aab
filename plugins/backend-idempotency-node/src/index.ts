/**
 * Idempotency-Key handling for mutating requests, kept in the database so
 * that every backend instance sees the same keys. Each plugin keeps its own
 * table and migrations; this package holds the logic they share.
 *
 * @packageDocumentation
 */

export { IdempotencyStore } from './IdempotencyStore';
export type {
  IdempotencyClaim,
  IdempotentRequest,
  IdempotentResponse,
} from './IdempotencyStore';
export { canonical, hashBody, principalOf } from './hashing';
export { agentMeta, createFieldNamingActionsRegistry } from './actions';
