/**
 * Scaffolder actions that deploy, scale and delete cloud stacks.
 *
 * @packageDocumentation
 */

export { scaffolderModuleCloud as default } from './module';
export * from './actions';
