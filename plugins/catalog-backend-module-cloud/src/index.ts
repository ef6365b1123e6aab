/**
 * Mirrors Cloud Store stacks into the catalog as Resource entities.
 *
 * @packageDocumentation
 */

export { catalogModuleCloud as default } from './module';
export {
  CloudStackEntityProvider,
  type CloudStackEntityProviderOptions,
} from './CloudStackEntityProvider';
export * from './stackToEntity';
