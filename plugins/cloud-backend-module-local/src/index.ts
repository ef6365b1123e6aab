/**
 * The embedded default cloud provider: every node is a sandboxed,
 * supervised process on this host.
 *
 * @packageDocumentation
 */

export { cloudModuleLocal as default } from './module';
export { LocalProvider } from './LocalProvider';
export type { LocalProviderOptions } from './LocalProvider';
export type { LocalRuntimeConfig } from './runtimes';
