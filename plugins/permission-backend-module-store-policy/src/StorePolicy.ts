import { UserInfoService } from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import {
  catalogEntityDeletePermission,
  catalogEntityReadPermission,
  catalogLocationCreatePermission,
  catalogLocationDeletePermission,
} from '@backstage/plugin-catalog-common/alpha';
import {
  AuthorizeResult,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import {
  consumerOrderVisibility,
  consumerProductVisibility,
  STORE_ORDER_RESOURCE_TYPE,
  STORE_PRODUCT_RESOURCE_TYPE,
  storeOrderAdminPermission,
  storeOrderReadPermission,
  storeProductReadPermission,
} from '@internal/plugin-store-common';
import { GovernedTemplates } from './GovernedTemplates';
import { governedTemplateVisibility } from './governedTemplateVisibility';
import {
  PermissionPolicy,
  PolicyQuery,
  PolicyQueryUser,
} from '@backstage/plugin-permission-node';
import { GroupAncestryResolver } from './GroupAncestryResolver';

/**
 * Permissions that change what the catalog holds; only administrators have
 * them.
 */
const ADMIN_ONLY_PERMISSIONS = new Set(
  [
    catalogEntityDeletePermission,
    catalogLocationCreatePermission,
    catalogLocationDeletePermission,
    storeOrderAdminPermission,
  ].map(p => p.name),
);

/**
 * The interim Cloud Store policy: members of the configured admin groups, or
 * of groups nested in them, may
 * do everything; other signed-in users may do everything except change the
 * catalog's locations and delete entities, and see only the store products
 * meant for them. Service-to-service calls carry no
 * user and are allowed, as Backstage plugins expect of one another.
 */
export class StorePolicy implements PermissionPolicy {
  private constructor(
    private readonly adminRefs: Set<string>,
    private readonly publisherRefs: Set<string>,
    private readonly userInfo: UserInfoService,
    private readonly groups: GroupAncestryResolver,
    private readonly governedTemplates?: GovernedTemplates,
  ) {}

  static create(options: {
    config: Config;
    userInfo: UserInfoService;
    groups: GroupAncestryResolver;
    /** Templates that only admins and the store itself may run. */
    governedTemplates?: GovernedTemplates;
  }): StorePolicy {
    const refs = (key: string) =>
      new Set(
        (options.config.getOptionalStringArray(key) ?? []).map(g =>
          g.toLocaleLowerCase('en-US'),
        ),
      );
    return new StorePolicy(
      refs('cloudStore.admins.groups'),
      refs('cloudStore.publishers.groups'),
      options.userInfo,
      options.groups,
      options.governedTemplates,
    );
  }

  async handle(
    request: PolicyQuery,
    user?: PolicyQueryUser,
  ): Promise<PolicyDecision> {
    const isProductRead =
      request.permission.name === storeProductReadPermission.name;
    const isOrderRead =
      request.permission.name === storeOrderReadPermission.name;
    const isCatalogRead =
      request.permission.name === catalogEntityReadPermission.name &&
      this.governedTemplates !== undefined;
    if (
      !isProductRead &&
      !isOrderRead &&
      !isCatalogRead &&
      !ADMIN_ONLY_PERMISSIONS.has(request.permission.name)
    ) {
      return { result: AuthorizeResult.ALLOW };
    }
    if (!user) {
      return { result: AuthorizeResult.ALLOW };
    }
    const { ownershipEntityRefs } = await this.userInfo.getUserInfo(
      user.credentials,
    );
    // Membership is nested: a member of a child group also belongs to every
    // ancestor group, for audiences and owners as for the admin groups.
    const claims = await this.groups.resolve(ownershipEntityRefs);
    const isIn = (refs: Set<string>) => claims.some(ref => refs.has(ref));
    if (isIn(this.adminRefs)) {
      return { result: AuthorizeResult.ALLOW };
    }
    if (isCatalogRead) {
      // Templates that a product governs are run through the store: users
      // cannot see them, so the scaffolder cannot run them for users; the
      // store creates their tasks with its own service credentials.
      return governedTemplateVisibility(await this.governedTemplates!.list());
    }
    if (isOrderRead) {
      // Users see their own orders and those their groups approve; the
      // store turns this into a filter of its order lists.
      return {
        result: AuthorizeResult.CONDITIONAL,
        pluginId: 'store',
        resourceType: STORE_ORDER_RESOURCE_TYPE,
        conditions: consumerOrderVisibility({
          userEntityRef: user.info.userEntityRef,
          claims,
        }),
      };
    }
    if (isProductRead) {
      // Publishers review products before they are published: they see
      // every product, drafts included.
      if (isIn(this.publisherRefs)) {
        return { result: AuthorizeResult.ALLOW };
      }
      // Consumers see the published products of their audience, owners also
      // their drafts; the store backend turns this into a database filter.
      return {
        result: AuthorizeResult.CONDITIONAL,
        pluginId: 'store',
        resourceType: STORE_PRODUCT_RESOURCE_TYPE,
        conditions: consumerProductVisibility(claims),
      };
    }
    return { result: AuthorizeResult.DENY };
  }
}
