/**
 * The Product entity kind of Cloud Store.
 *
 * @packageDocumentation
 */

export { catalogModuleStore as default } from './module';
export {
  ProductEntityProcessor,
  validateProductEntity,
} from './ProductEntityProcessor';
