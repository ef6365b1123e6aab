import { AuthService, LoggerService } from '@backstage/backend-plugin-api';
import {
  Entity,
  parseEntityRef,
  RELATION_CHILD_OF,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { durationToMilliseconds, HumanDuration } from '@backstage/types';

/** Group ref to the refs of its direct parent groups, all lower case. */
type ParentsByGroup = Map<string, string[]>;

const normalize = (ref: string) => ref.toLocaleLowerCase('en-US');

/**
 * Expands ownership claims with every ancestor group, so that a member of a
 * child group counts as a member of its parents (nested group membership).
 *
 * The group hierarchy is read from the catalog with the caller's service
 * credentials and kept for a short while, so that permission checks do not
 * query the catalog each time.
 *
 * @public
 */
export class GroupAncestryResolver {
  private cached?: { parents: ParentsByGroup; expiresAt: number };
  private loading?: Promise<ParentsByGroup>;

  private constructor(
    private readonly catalog: CatalogService,
    private readonly auth: AuthService,
    private readonly logger: LoggerService,
    private readonly cacheTtlMs: number,
    private readonly now: () => number,
  ) {}

  static create(options: {
    catalog: CatalogService;
    auth: AuthService;
    logger: LoggerService;
    /** How long the group hierarchy is cached; one minute by default. */
    cacheTtl?: HumanDuration;
    /** The clock, for tests. */
    now?: () => number;
  }): GroupAncestryResolver {
    return new GroupAncestryResolver(
      options.catalog,
      options.auth,
      options.logger,
      durationToMilliseconds(options.cacheTtl ?? { minutes: 1 }),
      options.now ?? Date.now,
    );
  }

  /**
   * Returns the given claims plus all ancestor groups of the groups among
   * them, lower case, nearest first and without duplicates. Cycles in the group graph are
   * tolerated.
   */
  async resolve(claims: string[]): Promise<string[]> {
    const parents = await this.parents();
    const result = new Set<string>();
    // Breadth first, so the claims keep their order and nearer groups come
    // first; the set of visited refs makes cycles harmless.
    const queue = claims.map(normalize);
    for (let i = 0; i < queue.length; i++) {
      if (!result.has(queue[i])) {
        result.add(queue[i]);
        queue.push(...(parents.get(queue[i]) ?? []));
      }
    }
    return [...result];
  }

  private async parents(): Promise<ParentsByGroup> {
    if (this.cached && this.cached.expiresAt > this.now()) {
      return this.cached.parents;
    }
    // Concurrent requests after expiry share one catalog query.
    if (!this.loading) {
      this.loading = this.load()
        .then(parents => {
          this.cached = {
            parents,
            expiresAt: this.now() + this.cacheTtlMs,
          };
          return parents;
        })
        .catch(error => {
          // Without the catalog, fall back to the last known hierarchy, or
          // to direct membership only: users then see less, never more.
          this.logger.warn(
            `Could not read the group hierarchy from the catalog; using ${
              this.cached ? 'an outdated one' : 'direct group membership only'
            }: ${error}`,
          );
          return this.cached?.parents ?? new Map();
        })
        .finally(() => {
          this.loading = undefined;
        });
    }
    return this.loading;
  }

  private async load(): Promise<ParentsByGroup> {
    const credentials = await this.auth.getOwnServiceCredentials();
    const { items } = await this.catalog.getEntities(
      {
        filter: { kind: 'Group' },
        fields: [
          'kind',
          'metadata.name',
          'metadata.namespace',
          'spec.parent',
          'relations',
        ],
      },
      { credentials },
    );
    const parents: ParentsByGroup = new Map();
    for (const group of items) {
      parents.set(normalize(stringifyEntityRef(group)), parentRefs(group));
    }
    return parents;
  }
}

/** The parents of a group, by its childOf relations and its spec.parent. */
function parentRefs(group: Entity): string[] {
  const refs = new Set<string>();
  for (const relation of group.relations ?? []) {
    if (relation.type === RELATION_CHILD_OF) {
      refs.add(normalize(relation.targetRef));
    }
  }
  const parent = group.spec?.parent;
  if (typeof parent === 'string' && parent) {
    const ref = parseEntityRef(parent, {
      defaultKind: 'group',
      defaultNamespace: group.metadata.namespace ?? 'default',
    });
    refs.add(normalize(stringifyEntityRef(ref)));
  }
  return [...refs];
}
