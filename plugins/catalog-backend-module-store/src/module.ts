import { createBackendModule } from '@backstage/backend-plugin-api';
import { catalogProcessingExtensionPoint } from '@backstage/plugin-catalog-node';
import { eventsServiceRef } from '@backstage/plugin-events-node';
import { ProductEntityProcessor } from './ProductEntityProcessor';

/**
 * Adds the Product entity kind of Cloud Store to the catalog, and announces
 * products with new content to the store through the events service.
 *
 * @public
 */
export const catalogModuleStore = createBackendModule({
  pluginId: 'catalog',
  moduleId: 'store',
  register(reg) {
    reg.registerInit({
      deps: {
        catalog: catalogProcessingExtensionPoint,
        events: eventsServiceRef,
      },
      async init({ catalog, events }) {
        catalog.addProcessor(new ProductEntityProcessor({ events }));
      },
    });
  },
});
