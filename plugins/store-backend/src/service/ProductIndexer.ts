import {
  AuthService,
  LoggerService,
  SchedulerService,
  SchedulerServiceTaskScheduleDefinition,
} from '@backstage/backend-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { EventsService } from '@backstage/plugin-events-node';
import {
  PRODUCT_API_VERSION,
  PRODUCT_CHANGED_TOPIC,
  PRODUCT_KIND,
  ProductChangedEvent,
  ProductEntity,
} from '@internal/plugin-store-common';
import { ProductsStore } from '../database/ProductsStore';
import { IndexedProduct } from '../database/types';
import { toIndexedProduct } from './toIndexedProduct';

const PAGE_SIZE = 500;

/** How long changes are collected before one incremental refresh. */
const DEFAULT_DEBOUNCE_MS = 1000;

/**
 * How often a changed product is looked up, waiting twice as long each
 * time: the catalog announces a change while processing, and stitches the
 * entity that the store reads a moment later.
 */
const MAX_ATTEMPTS = 6;

/**
 * Keeps the store's product index in step with the Product entities of the
 * catalog.
 */
export class ProductIndexer {
  /** Refs of changed products, with how often each was looked up. */
  private readonly pending = new Map<string, number>();
  private timer?: NodeJS.Timeout;
  /** Refreshes of one instance run one after the other. */
  private running: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly store: ProductsStore,
    private readonly catalog: CatalogService,
    private readonly auth: AuthService,
    private readonly logger: LoggerService,
    private readonly debounceMs: number,
  ) {}

  static create(options: {
    store: ProductsStore;
    catalog: CatalogService;
    auth: AuthService;
    logger: LoggerService;
    /** How long changes are collected before they are refreshed. */
    debounceMs?: number;
  }): ProductIndexer {
    return new ProductIndexer(
      options.store,
      options.catalog,
      options.auth,
      options.logger,
      options.debounceMs ?? DEFAULT_DEBOUNCE_MS,
    );
  }

  /**
   * Refreshes the products that the catalog announces as changed, soon
   * after the announcement rather than at the next scheduled refresh.
   */
  async subscribe(events: EventsService): Promise<void> {
    await events.subscribe({
      id: 'store-product-index',
      topics: [PRODUCT_CHANGED_TOPIC],
      onEvent: async ({ eventPayload }) => {
        const { entityRef } = (eventPayload ??
          {}) as Partial<ProductChangedEvent>;
        if (typeof entityRef === 'string') {
          this.enqueue([entityRef]);
        }
      },
    });
  }

  /** Stops waiting to refresh; for shutdown. */
  stop() {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private enqueue(refs: string[]) {
    for (const ref of refs) {
      this.pending.set(ref, 0);
    }
    this.wake();
  }

  /** Waits for more changes, longer for products looked up before. */
  private wake() {
    if (this.timer || this.pending.size === 0) {
      return;
    }
    const attempts = Math.min(...this.pending.values());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, this.debounceMs * 2 ** attempts);
  }

  private async flush() {
    const batch = new Map(this.pending);
    this.pending.clear();
    const run = this.running.then(() =>
      this.refreshEntities([...batch.keys()]),
    );
    this.running = run.catch(() => undefined);
    try {
      const unchanged = await run;
      // Not stitched yet: look again a few times, then leave it to the
      // schedule.
      for (const ref of unchanged) {
        const attempts = (batch.get(ref) ?? 0) + 1;
        if (attempts < MAX_ATTEMPTS && !this.pending.has(ref)) {
          this.pending.set(ref, attempts);
        }
      }
    } catch (error) {
      this.logger.warn(`Could not refresh changed products: ${error}`);
    }
    this.wake();
  }

  /**
   * Brings the given products in step with the catalog, and returns the
   * refs whose content did not change.
   */
  async refreshEntities(refs: string[]): Promise<string[]> {
    const credentials = await this.auth.getOwnServiceCredentials();
    const known = await this.store.getContentHashes(
      refs.map(ref => ref.toLocaleLowerCase('en-US')),
    );
    const upsert: IndexedProduct[] = [];
    const remove: string[] = [];
    const unchanged: string[] = [];
    for (let i = 0; i < refs.length; i += PAGE_SIZE) {
      const chunk = refs.slice(i, i + PAGE_SIZE);
      const { items } = await this.catalog.getEntitiesByRefs(
        { entityRefs: chunk },
        { credentials },
      );
      items.forEach((entity, index) => {
        const id = chunk[index].toLocaleLowerCase('en-US');
        if (!entity) {
          if (known.has(id)) {
            remove.push(id);
          } else {
            unchanged.push(chunk[index]);
          }
          return;
        }
        const product = this.toProduct(entity as ProductEntity);
        if (!product || known.get(product.id) === product.contentHash) {
          unchanged.push(chunk[index]);
        } else {
          upsert.push(product);
        }
      });
    }
    if (upsert.length || remove.length) {
      await this.report(await this.store.applyChanges({ upsert, remove }));
    }
    return unchanged;
  }

  private toProduct(entity: ProductEntity): IndexedProduct | undefined {
    try {
      return toIndexedProduct(entity);
    } catch (error) {
      this.logger.warn(
        `Skipped product ${stringifyEntityRef(entity)}: ${error}`,
      );
      return undefined;
    }
  }

  private async report(result: {
    added: number;
    updated: number;
    removed: number;
  }) {
    if (result.added || result.updated || result.removed) {
      this.logger.info(
        `Product index refreshed: ${result.added} added, ${result.updated} updated, ${result.removed} removed`,
      );
    }
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
        const run = this.running.then(() => this.refresh());
        this.running = run.catch(() => undefined);
        await run;
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
        const product = entity && this.toProduct(entity as ProductEntity);
        if (product && known.get(product.id) !== product.contentHash) {
          upsert.push(product);
        }
      }
    }
    const remove = [...known.keys()].filter(id => !inCatalog.has(id));

    await this.report(await this.store.applyChanges({ upsert, remove }));
  }
}
