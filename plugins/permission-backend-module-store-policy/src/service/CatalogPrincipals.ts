import { AuthService } from '@backstage/backend-plugin-api';
import {
  Entity,
  RELATION_MEMBER_OF,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { CatalogService } from '@backstage/plugin-catalog-node';

/**
 * The users and groups of the catalog as the Access page needs them: a
 * user's direct groups, every group, and whether principals exist. Read with
 * the policy module's own credentials, for administrators only.
 */
export class CatalogPrincipals {
  private constructor(
    private readonly catalog: CatalogService,
    private readonly auth: AuthService,
  ) {}

  static create(options: {
    catalog: CatalogService;
    auth: AuthService;
  }): CatalogPrincipals {
    return new CatalogPrincipals(options.catalog, options.auth);
  }

  /**
   * A user's ownership refs as sign-in gives them (the user and their
   * direct groups), or undefined when the catalog has no such user.
   */
  async ownershipOf(userEntityRef: string): Promise<string[] | undefined> {
    const user = await this.catalog.getEntityByRef(userEntityRef, {
      credentials: await this.auth.getOwnServiceCredentials(),
    });
    if (!user) {
      return undefined;
    }
    return [
      stringifyEntityRef(user),
      ...(user.relations ?? [])
        .filter(r => r.type === RELATION_MEMBER_OF)
        .map(r => r.targetRef),
    ];
  }

  /** Every group, with its display name. */
  async listGroups(): Promise<Array<{ ref: string; title: string }>> {
    const { items } = await this.catalog.getEntities(
      {
        filter: { kind: 'Group' },
        fields: ['kind', 'metadata.name', 'metadata.namespace', 'spec.profile'],
      },
      { credentials: await this.auth.getOwnServiceCredentials() },
    );
    return items
      .map((group: Entity) => ({
        ref: stringifyEntityRef(group),
        title:
          (group.spec?.profile as { displayName?: string } | undefined)
            ?.displayName ?? group.metadata.name,
      }))
      .sort((a, b) => a.ref.localeCompare(b.ref));
  }

  /** The principals (entity refs, lower case) that the catalog lacks. */
  async missing(principals: string[]): Promise<string[]> {
    const refs = [...new Set(principals.filter(p => p !== '*'))];
    if (refs.length === 0) {
      return [];
    }
    const { items } = await this.catalog.getEntitiesByRefs(
      {
        entityRefs: refs,
        fields: ['kind', 'metadata.name', 'metadata.namespace'],
      },
      { credentials: await this.auth.getOwnServiceCredentials() },
    );
    return refs.filter((_, i) => !items[i]);
  }
}
