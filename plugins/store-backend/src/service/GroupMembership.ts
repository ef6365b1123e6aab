import { AuthService } from '@backstage/backend-plugin-api';
import {
  Entity,
  parseEntityRef,
  RELATION_CHILD_OF,
  RELATION_MEMBER_OF,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { CatalogService } from '@backstage/plugin-catalog-node';

const MAX_DEPTH = 20;

/**
 * Resolves the groups a user belongs to through the catalog, including the
 * parents of their groups: a member of `team-web` under `developers` is in
 * both.
 */
export class GroupMembership {
  private constructor(
    private readonly catalog: CatalogService,
    private readonly auth: AuthService,
  ) {}

  static create(options: {
    catalog: CatalogService;
    auth: AuthService;
  }): GroupMembership {
    return new GroupMembership(options.catalog, options.auth);
  }

  /** Lower-case refs of every group the user is in, directly or not. */
  async groupsOf(userRef: string): Promise<Set<string>> {
    const credentials = await this.auth.getOwnServiceCredentials();
    const user = await this.catalog.getEntityByRef(userRef, { credentials });
    const found = new Set<string>();
    let frontier = relationTargets(user, RELATION_MEMBER_OF);
    for (let depth = 0; frontier.length > 0 && depth < MAX_DEPTH; depth++) {
      const fresh = frontier.filter(ref => !found.has(ref));
      fresh.forEach(ref => found.add(ref));
      if (fresh.length === 0) {
        break;
      }
      const { items } = await this.catalog.getEntitiesByRefs(
        { entityRefs: fresh, fields: ['kind', 'metadata', 'relations'] },
        { credentials },
      );
      frontier = items.flatMap(group =>
        relationTargets(group, RELATION_CHILD_OF),
      );
    }
    return found;
  }

  /**
   * The given groups with every group nested in them, and the users who are
   * members of any of those: who belongs to the groups, directly or not.
   */
  async membersOf(
    groupRefs: string[],
  ): Promise<{ groups: string[]; members: string[] }> {
    const credentials = await this.auth.getOwnServiceCredentials();
    const groups = new Set(groupRefs.map(normalize));
    let frontier = [...groups];
    for (let depth = 0; frontier.length > 0 && depth < MAX_DEPTH; depth++) {
      const { items } = await this.catalog.getEntities(
        {
          filter: { kind: 'group', 'relations.childOf': frontier },
          fields: ['kind', 'metadata.name', 'metadata.namespace'],
        },
        { credentials },
      );
      frontier = items
        .map(group => stringifyEntityRef(group).toLocaleLowerCase('en-US'))
        .filter(ref => !groups.has(ref));
      frontier.forEach(ref => groups.add(ref));
    }
    const { items: users } = await this.catalog.getEntities(
      {
        filter: { kind: 'user', 'relations.memberOf': [...groups] },
        fields: ['kind', 'metadata.name', 'metadata.namespace'],
      },
      { credentials },
    );
    return {
      groups: [...groups],
      members: users.map(user =>
        stringifyEntityRef(user).toLocaleLowerCase('en-US'),
      ),
    };
  }

  /** Whether the user is in one of the groups, directly or not. */
  async isMemberOfAny(userRef: string, groupRefs: string[]): Promise<boolean> {
    if (groupRefs.length === 0) {
      return false;
    }
    const groups = await this.groupsOf(userRef);
    return groupRefs.some(ref => groups.has(normalize(ref)));
  }
}

function normalize(ref: string) {
  return stringifyEntityRef(
    parseEntityRef(ref, { defaultKind: 'group', defaultNamespace: 'default' }),
  ).toLocaleLowerCase('en-US');
}

function relationTargets(entity: Entity | undefined, type: string): string[] {
  return (entity?.relations ?? [])
    .filter(r => r.type === type)
    .map(r => r.targetRef.toLocaleLowerCase('en-US'));
}
