import {
  AuthService,
  BackstageCredentials,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { ENTITY_STATUS_CATALOG_PROCESSING_TYPE } from '@backstage/catalog-client';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { AlphaEntity } from '@backstage/catalog-model/alpha';
import {
  ErrorLike,
  InputError,
  isError,
  NotAllowedError,
  NotFoundError,
} from '@backstage/errors';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  ConditionTransformer,
  createConditionTransformer,
  PermissionRuleset,
} from '@backstage/plugin-permission-node';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  planNeedsApproval,
  ProductDetails,
  ProductEntity,
  ProductProcessingError,
  ProductFacets,
  ProductQuery,
  ProductSort,
  ProductSummary,
  storeProductReadPermission,
  toMinorUnits,
} from '@internal/plugin-store-common';
import { ProductsStore } from '../database/ProductsStore';
import {
  ProductFilter,
  ProductPermissionFilter,
  ProductQueryFilters,
  ProductResource,
  StoredProduct,
} from '../database/types';
import { CloudProviders } from './CloudProviders';
import { GroupMembership } from './GroupMembership';
import { decodeCursor, encodeCursor } from './cursor';
import { memoizeConditionTransformer } from '../permissions/memoizeConditionTransformer';

/** Why a caller whom no policy lets read products gets none. */
const NOT_ALLOWED = `Not allowed: ${storeProductReadPermission.name}`;

const DEFAULT_PAGE_SIZE = 24;

/**
 * The errors that the catalog reports in a product's status, as
 * `EntityProcessingErrorsPanel` of the catalog plugin reads them.
 */
function catalogProcessingErrors(
  entity: ProductEntity,
): ProductProcessingError[] {
  return ((entity as AlphaEntity).status?.items ?? [])
    .filter(
      item =>
        item.type === ENTITY_STATUS_CATALOG_PROCESSING_TYPE &&
        item.level === 'error',
    )
    .map(item => {
      // The catalog wraps a processor's error ("Processor … threw an error
      // while validating the entity …; caused by …"): the innermost cause
      // names the field at fault.
      let error: ErrorLike | undefined = item.error;
      while (error && isError(error.cause)) {
        error = error.cause;
      }
      return { name: error?.name, message: error?.message ?? item.message };
    });
}

/** How long a template read from the catalog is used. */
const TEMPLATE_CACHE_MS = 10_000;

/** Reads products the caller may see. */
export class ProductService {
  /** Templates by ref, kept briefly: every product page and order reads one. */
  private readonly templates = new Map<
    string,
    { at: number; entity: Promise<Entity | undefined> }
  >();

  private constructor(
    private readonly store: ProductsStore,
    private readonly auth: AuthService,
    private readonly permissions: PermissionsService,
    private readonly catalog: CatalogService,
    private readonly cloudProviders: CloudProviders,
    private readonly membership: GroupMembership,
    private readonly transformConditions: ConditionTransformer<ProductFilter>,
    private readonly priceCurrency: string,
  ) {}

  static create(options: {
    store: ProductsStore;
    auth: AuthService;
    permissions: PermissionsService;
    catalog: CatalogService;
    /** The providers products can be ordered on. */
    cloudProviders: CloudProviders;
    ruleset: PermissionRuleset<ProductResource, ProductFilter>;
    /** The currency of price range filters. */
    priceCurrency?: string;
  }): ProductService {
    return new ProductService(
      options.store,
      options.auth,
      options.permissions,
      options.catalog,
      options.cloudProviders,
      GroupMembership.create(options),
      memoizeConditionTransformer(createConditionTransformer(options.ruleset)),
      options.priceCurrency ?? 'USD',
    );
  }

  async listProducts(options: {
    credentials: BackstageCredentials;
    query: ProductQuery;
    sort?: ProductSort;
    cursor?: string;
    limit?: number;
  }): Promise<{ items: ProductSummary[]; nextCursor?: string }> {
    const sort = options.sort ?? 'name';
    const cursor =
      options.cursor !== undefined
        ? decodeCursor(options.cursor, sort)
        : undefined;
    const available = await this.cloudProviders.available();
    const filters = this.toFilters(options.query, available);
    const permissionFilter = await this.authorize(options.credentials);
    if (permissionFilter === 'deny') {
      throw new NotAllowedError(NOT_ALLOWED);
    }
    if (filters === 'none') {
      return { items: [] };
    }
    const page = await this.store.listProducts({
      filters,
      permissionFilter,
      sort,
      cursor,
      limit: options.limit ?? DEFAULT_PAGE_SIZE,
    });
    return {
      items: page.items.map(p => this.toSummary(p, available)),
      nextCursor: page.nextCursor && encodeCursor(page.nextCursor),
    };
  }

  async getFacets(options: {
    credentials: BackstageCredentials;
    query: ProductQuery;
  }): Promise<{ facets: ProductFacets; totalItems: number }> {
    const available = await this.cloudProviders.available();
    const filters = this.toFilters(options.query, available);
    const permissionFilter = await this.authorize(options.credentials);
    if (permissionFilter === 'deny') {
      throw new NotAllowedError(NOT_ALLOWED);
    }
    if (filters === 'none') {
      return {
        facets: {
          category: [],
          type: [],
          provider: [],
          tag: [],
          owner: [],
          freePlan: [],
        },
        totalItems: 0,
      };
    }
    const { facets, totalItems } = await this.store.getFacets({
      filters,
      permissionFilter,
    });
    // Providers the cloud backend lacks are not offered, so not filtered on.
    return {
      facets: {
        ...facets,
        provider: facets.provider.filter(f => available.has(f.value)),
      },
      totalItems,
    };
  }

  async getProduct(options: {
    credentials: BackstageCredentials;
    namespace: string;
    name: string;
  }): Promise<ProductDetails> {
    const ref = stringifyEntityRef({
      kind: 'product',
      namespace: options.namespace,
      name: options.name,
    });
    const permissionFilter = await this.authorize(options.credentials);
    const available = await this.cloudProviders.available();
    const product =
      permissionFilter === 'deny'
        ? undefined
        : await this.store.getProduct({
            id: ref,
            permissionFilter,
            // whether the caller subscribes to it, in the same query
            subscriber: this.auth.isPrincipal(options.credentials, 'user')
              ? options.credentials.principal.userEntityRef
              : undefined,
          });
    if (!product) {
      // Products the caller may not see do not exist for them.
      throw new NotFoundError(`No product ${ref}`);
    }
    const { spec, metadata } = product.entity;
    const subscribed = product.subscribed ?? false;
    // Users may not see the templates that products govern (the store runs
    // them for approved orders), but whoever may see the product may see
    // the parameters its order form needs.
    const template = await this.getTemplate(spec.template);
    return {
      ...this.toSummary(product, available),
      description: metadata.description ?? '',
      template: spec.template,
      plans: spec.plans.map(plan => ({
        ...plan,
        needsApproval: planNeedsApproval(plan.price, spec.approval),
      })),
      approval: spec.approval ?? { policy: 'none' },
      audience: spec.audience,
      docs: spec.docs ?? [],
      sla: spec.sla,
      limitParameters: spec.limitParameters,
      templateParameters: template?.spec?.parameters,
      subscribed,
      processingErrors: await this.processingErrorsFor(
        options.credentials,
        product,
        permissionFilter === undefined,
      ),
    };
  }

  /**
   * The catalog keeps a product whose new descriptor it rejects as it was
   * last accepted, with the errors in its status; the store shows them to
   * those who publish the product: the members of its owning group (nested
   * groups included) and those who see every product.
   */
  private async processingErrorsFor(
    credentials: BackstageCredentials,
    product: StoredProduct,
    seesEveryProduct: boolean,
  ): Promise<ProductProcessingError[] | undefined> {
    const errors = catalogProcessingErrors(product.entity);
    if (errors.length === 0 || !this.auth.isPrincipal(credentials, 'user')) {
      return undefined;
    }
    if (seesEveryProduct) {
      return errors;
    }
    const user = credentials.principal.userEntityRef.toLocaleLowerCase('en-US');
    if (product.owner === user) {
      return errors;
    }
    const groups = await this.membership.groupsOf(
      credentials.principal.userEntityRef,
    );
    return groups.has(product.owner) ? errors : undefined;
  }

  /**
   * The template a product governs, read from the catalog with the store's
   * own credentials (users may not see it) and kept for a few seconds.
   */
  getTemplate(ref: string): Promise<Entity | undefined> {
    const cached = this.templates.get(ref);
    if (cached && Date.now() - cached.at < TEMPLATE_CACHE_MS) {
      return cached.entity;
    }
    const entity = this.auth
      .getOwnServiceCredentials()
      .then(credentials => this.catalog.getEntityByRef(ref, { credentials }));
    this.templates.set(ref, { at: Date.now(), entity });
    entity.catch(() => this.templates.delete(ref));
    return entity;
  }

  /**
   * One permission round trip per request; a conditional decision becomes a
   * database filter rather than a check per product.
   */
  private async authorize(
    credentials: BackstageCredentials,
  ): Promise<ProductPermissionFilter | 'deny'> {
    const [decision] = await this.permissions.authorizeConditional(
      [{ permission: storeProductReadPermission }],
      { credentials },
    );
    if (decision.result === AuthorizeResult.DENY) {
      return 'deny';
    }
    if (decision.result === AuthorizeResult.CONDITIONAL) {
      return this.transformConditions(decision.conditions);
    }
    return undefined;
  }

  /**
   * The filters of a query; 'none' when it filters on providers of which
   * none is available, which no product is offered on.
   */
  private toFilters(
    query: ProductQuery,
    available: ReadonlySet<string>,
  ): ProductQueryFilters | 'none' {
    const { minPrice, maxPrice, ...rest } = query;
    const toMinor = (field: string, amount?: string) => {
      if (amount === undefined) {
        return undefined;
      }
      try {
        return toMinorUnits(amount, this.priceCurrency);
      } catch {
        throw new InputError(`${field} "${amount}" is not a decimal amount`);
      }
    };
    const filters: ProductQueryFilters = {
      ...rest,
      minPriceMinor: toMinor('minPrice', minPrice),
      maxPriceMinor: toMinor('maxPrice', maxPrice),
    };
    if (
      filters.minPriceMinor !== undefined &&
      filters.maxPriceMinor !== undefined &&
      filters.minPriceMinor > filters.maxPriceMinor
    ) {
      throw new InputError('minPrice must not be above maxPrice');
    }
    if (filters.provider?.length) {
      filters.provider = filters.provider.filter(p => available.has(p));
      if (filters.provider.length === 0) {
        return 'none';
      }
    }
    return filters;
  }

  private toSummary(
    product: StoredProduct,
    available: ReadonlySet<string>,
  ): ProductSummary {
    const { entity } = product;
    // in the order the publisher lists them: the first is the default
    const providers = entity.spec.providers.filter(p => available.has(p));
    return {
      ref: stringifyEntityRef(entity),
      namespace: product.namespace,
      name: product.name,
      title: product.title,
      summary: product.summary,
      type: entity.spec.type,
      category: product.category,
      owner: entity.spec.owner,
      providers,
      unavailableProviders: entity.spec.providers.filter(
        p => !available.has(p),
      ),
      tags: product.tags,
      icon: entity.spec.icon,
      lifecycle: product.lifecycle,
      fromPrice: product.fromPrice,
      hasFreePlan: product.hasFreePlan,
      needsApproval: product.needsApproval,
      orderable: product.lifecycle === 'published' && providers.length > 0,
      orderCount: product.orderCount,
      createdAt: product.createdAt.toISOString(),
    };
  }
}
