import {
  BackstageCredentials,
  PermissionsService,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError, NotAllowedError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { GroupAncestryResolver } from '@internal/plugin-catalog-node-groups';
import {
  AuthorizeResult,
  BasicPermission,
} from '@backstage/plugin-permission-common';
import {
  cloudCommandUsePermission,
  cloudStackOwnerAssignPermission,
  StackSpec,
} from '@internal/plugin-cloud-common';

/** Who asks for a stack. */
export interface StackCaller {
  credentials: BackstageCredentials;
  /**
   * The user a service deploys for, such as the store fulfilling an order
   * through the scaffolder; users always deploy as themselves.
   */
  requestedBy?: string;
}

/** What admission decided about a new stack. */
export interface AdmittedStack {
  /** The user or service the stack is recorded as created by. */
  createdBy: string;
  /** The owner group's entity ref, in the catalog's lower-case form. */
  owner: string;
}

function principalOf(credentials: BackstageCredentials) {
  return credentials.principal as {
    type: string;
    userEntityRef?: string;
    subject?: string;
  };
}

/** Who a call is recorded as made by: the user, or the service. */
export function actorOf(credentials: BackstageCredentials): string {
  const principal = principalOf(credentials);
  return principal.userEntityRef ?? principal.subject ?? 'unknown';
}

const lower = (ref: string) => ref.toLocaleLowerCase('en-US');

/**
 * Decides whether a caller may create a stack as asked: users own stacks
 * only through their groups (nested groups count) unless they may assign
 * any owner, and run only the provider's runtimes unless they may use raw
 * commands; a service, such as the scaffolder running a template for the
 * store, may name any existing group and use raw commands.
 */
export class StackAdmission {
  private constructor(
    private readonly permissions: PermissionsService,
    private readonly catalog: CatalogService,
    private readonly userInfo: UserInfoService,
    private readonly groups: GroupAncestryResolver,
  ) {}

  static create(options: {
    permissions: PermissionsService;
    catalog: CatalogService;
    userInfo: UserInfoService;
    groups: GroupAncestryResolver;
  }) {
    return new StackAdmission(
      options.permissions,
      options.catalog,
      options.userInfo,
      options.groups,
    );
  }

  async admit(
    request: { owner: string; spec: StackSpec },
    caller: StackCaller,
  ): Promise<AdmittedStack> {
    const { credentials } = caller;
    const createdBy = this.creatorOf(caller);
    const owner = await this.existingGroup(request.owner, credentials);
    if (principalOf(credentials).type === 'service') {
      return { createdBy, owner };
    }

    const { ownershipEntityRefs } = await this.userInfo.getUserInfo(
      credentials,
    );
    const claims = await this.groups.resolve(ownershipEntityRefs);
    const needed: Array<{ permission: BasicPermission; refusal: string }> = [];
    if (!claims.includes(owner)) {
      needed.push({
        permission: cloudStackOwnerAssignPermission,
        refusal: `You are not a member of ${owner}, so you cannot create a stack it owns`,
      });
    }
    if (request.spec.roles.some(role => role.command !== undefined)) {
      needed.push({
        permission: cloudCommandUsePermission,
        refusal: `Roles with a raw command need the ${cloudCommandUsePermission.name} permission; name one of the provider's runtimes instead`,
      });
    }
    if (needed.length > 0) {
      const decisions = await this.permissions.authorize(
        needed.map(({ permission }) => ({ permission })),
        { credentials },
      );
      for (const [i, decision] of decisions.entries()) {
        if (decision.result !== AuthorizeResult.ALLOW) {
          throw new NotAllowedError(needed[i].refusal);
        }
      }
    }
    return { createdBy, owner };
  }

  private creatorOf({ credentials, requestedBy }: StackCaller): string {
    if (!requestedBy) {
      return actorOf(credentials);
    }
    if (principalOf(credentials).type !== 'service') {
      throw new InputError(
        'requestedBy may only be set by a service; users deploy as themselves',
      );
    }
    let ref;
    try {
      ref = parseEntityRef(requestedBy);
    } catch {
      ref = undefined;
    }
    if (ref?.kind.toLocaleLowerCase('en-US') !== 'user') {
      throw new InputError(
        `requestedBy must be a user entity ref, got '${requestedBy}'`,
      );
    }
    return stringifyEntityRef(ref);
  }

  /** The owner as a group ref, once the catalog shows it to the caller. */
  private async existingGroup(
    owner: unknown,
    credentials: BackstageCredentials,
  ): Promise<string> {
    let ref;
    try {
      ref = parseEntityRef(String(owner ?? ''), {
        defaultKind: 'group',
        defaultNamespace: 'default',
      });
    } catch {
      throw new InputError(
        `owner must be a group entity ref, got '${owner ?? ''}'`,
      );
    }
    if (lower(ref.kind) !== 'group') {
      throw new InputError(
        `owner must be a group entity ref, got '${stringifyEntityRef(ref)}'`,
      );
    }
    const groupRef = lower(stringifyEntityRef(ref));
    const group = await this.catalog.getEntityByRef(groupRef, {
      credentials,
    });
    if (!group) {
      throw new InputError(`No group '${groupRef}' in the catalog`);
    }
    return groupRef;
  }
}
