import {
  AuthService,
  LoggerService,
  SchedulerService,
  SchedulerServiceTaskScheduleDefinition,
} from '@backstage/backend-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
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

  /**
   * Brings the index in step with the catalog. Only the etags of all
   * products are read; full entities only for products that are new or
   * changed, so that a refresh costs little when little has changed.
   */
  async refresh(): Promise<void> {
    const credentials = await this.auth.getOwnServiceCredentials();
    const known = await this.store.getContentHashes();
    const inCatalog = new Set<string>();
    const stale: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.catalog.queryEntities(
        cursor
          ? { cursor, limit: PAGE_SIZE }
          : {
              filter: { kind: PRODUCT_KIND, apiVersion: PRODUCT_API_VERSION },
              fields: [
                'kind',
                'metadata.namespace',
                'metadata.name',
                'metadata.etag',
              ],
              limit: PAGE_SIZE,
            },
        { credentials },
      );
      for (const entity of page.items) {
        const ref = stringifyEntityRef(entity);
        const id = ref.toLocaleLowerCase('en-US');
        inCatalog.add(id);
        const etag = entity.metadata.etag;
        if (!etag || known.get(id) !== etag) {
          stale.push(ref);
        }
      }
      cursor = page.pageInfo.nextCursor;
    } while (cursor);

    const upsert: IndexedProduct[] = [];
    for (let i = 0; i < stale.length; i += PAGE_SIZE) {
      const { items } = await this.catalog.getEntitiesByRefs(
        { entityRefs: stale.slice(i, i + PAGE_SIZE) },
        { credentials },
      );
      for (const entity of items) {
        if (!entity) {
          continue;
        }
        try {
          const product = toIndexedProduct(entity as ProductEntity);
          if (known.get(product.id) !== product.contentHash) {
            upsert.push(product);
          }
        } catch (error) {
          this.logger.warn(
            `Skipped product ${stringifyEntityRef(entity)}: ${error}`,
          );
        }
      }
    }
    const remove = [...known.keys()].filter(id => !inCatalog.has(id));

    const result = await this.store.applyChanges({ upsert, remove });
    if (result.added || result.updated || result.removed) {
      this.logger.info(
        `Product index refreshed: ${result.added} added, ${result.updated} updated, ${result.removed} removed`,
      );
    }
  }
}
