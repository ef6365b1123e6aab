import { createBackendModule } from '@backstage/backend-plugin-api';
import { catalogProcessingExtensionPoint } from '@backstage/plugin-catalog-node';
import { ProductEntityProcessor } from './ProductEntityProcessor';

/**
 * Adds the Product entity kind of Cloud Store to the catalog.
 *
 * @public
 */
export const catalogModuleStore = createBackendModule({
  pluginId: 'catalog',
  moduleId: 'store',
  register(reg) {
    reg.registerInit({
      deps: { catalog: catalogProcessingExtensionPoint },
      async init({ catalog }) {
        catalog.addProcessor(new ProductEntityProcessor());
      },
    });
  },
});
