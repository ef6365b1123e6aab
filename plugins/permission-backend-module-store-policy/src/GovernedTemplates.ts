import { AuthService } from '@backstage/backend-plugin-api';
import { CompoundEntityRef, parseEntityRef } from '@backstage/catalog-model';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { PRODUCT_KIND } from '@internal/plugin-store-common';

/** The templates that store products point at. */
export interface GovernedTemplates {
  list(): Promise<CompoundEntityRef[]>;
}

const CACHE_MS = 30_000;

/**
 * Reads the templates of all Product entities from the catalog, and keeps
 * them for half a minute: the policy is asked on every catalog read.
 */
export class CatalogGovernedTemplates implements GovernedTemplates {
  private cached?: { at: number; refs: Promise<CompoundEntityRef[]> };

  private constructor(
    private readonly catalog: CatalogService,
    private readonly auth: AuthService,
  ) {}

  static create(options: {
    catalog: CatalogService;
    auth: AuthService;
  }): CatalogGovernedTemplates {
    return new CatalogGovernedTemplates(options.catalog, options.auth);
  }

  list(): Promise<CompoundEntityRef[]> {
    if (!this.cached || Date.now() - this.cached.at > CACHE_MS) {
      const refs = this.load();
      this.cached = { at: Date.now(), refs };
      refs.catch(() => {
        this.cached = undefined;
      });
    }
    return this.cached.refs;
  }

  private async load(): Promise<CompoundEntityRef[]> {
    const { items } = await this.catalog.getEntities(
      { filter: { kind: PRODUCT_KIND }, fields: ['spec.template'] },
      { credentials: await this.auth.getOwnServiceCredentials() },
    );
    const refs = new Map<string, CompoundEntityRef>();
    for (const item of items) {
      const template = item.spec?.template;
      if (typeof template !== 'string') {
        continue;
      }
      try {
        const ref = parseEntityRef(template, {
          defaultKind: 'template',
          defaultNamespace: 'default',
        });
        refs.set(
          `${ref.namespace}/${ref.name}`.toLocaleLowerCase('en-US'),
          ref,
        );
      } catch {
        // A product with a bad template ref governs nothing.
      }
    }
    return [...refs.values()];
  }
}
