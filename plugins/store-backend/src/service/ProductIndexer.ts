import {
  AuthService,
  LoggerService,
  SchedulerService,
  SchedulerServiceTaskScheduleDefinition,
} from '@backstage/backend-plugin-api';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  PRODUCT_API_VERSION,
  PRODUCT_KIND,
  ProductEntity,
} from '@internal/plugin-store-common';
import { ProductsStore } from '../database/ProductsStore';
import { IndexedProduct } from '../database/types';
import { toIndexedProduct } from './toIndexedProduct';

const PAGE_SIZE = 500;

/**
 * Keeps the store's product index in step with the Product entities of the
 * catalog.
 */
export class ProductIndexer {
  private constructor(
    private readonly store: ProductsStore,
    private readonly catalog: CatalogService,
    private readonly auth: AuthService,
    private readonly logger: LoggerService,
  ) {}

  static create(options: {
    store: ProductsStore;
    catalog: CatalogService;
    auth: AuthService;
    logger: LoggerService;
  }): ProductIndexer {
    return new ProductIndexer(
      options.store,
      options.catalog,
      options.auth,
      options.logger,
    );
  }

  /** Refreshes the index on a schedule, once across backend instances. */
  async schedule(
    scheduler: SchedulerService,
    schedule: SchedulerServiceTaskScheduleDefinition,
  ): Promise<void> {
    await scheduler.scheduleTask({
      id: 'store-product-index-refresh',
      ...schedule,
      fn: async () => {
        await this.refresh();
      },
    });
  }

  /** Reads every Product entity from the catalog and updates the index. */
  async refresh(): Promise<void> {
    const credentials = await this.auth.getOwnServiceCredentials();
    const products: IndexedProduct[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.catalog.queryEntities(
        cursor
          ? { cursor, limit: PAGE_SIZE }
          : {
              filter: { kind: PRODUCT_KIND, apiVersion: PRODUCT_API_VERSION },
              limit: PAGE_SIZE,
            },
        { credentials },
      );
      for (const entity of page.items) {
        try {
          products.push(toIndexedProduct(entity as ProductEntity));
        } catch (error) {
          this.logger.warn(`Skipped product ${entity.metadata.name}: ${error}`);
        }
      }
      cursor = page.pageInfo.nextCursor;
    } while (cursor);

    const result = await this.store.replaceAll(products);
    if (result.added || result.updated || result.removed) {
      this.logger.info(
        `Product index refreshed: ${result.added} added, ${result.updated} updated, ${result.removed} removed`,
      );
    }
  }
}
