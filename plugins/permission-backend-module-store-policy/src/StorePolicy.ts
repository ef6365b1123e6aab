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
  isResourcePermission,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import {
  consumerOrderVisibility,
  consumerProductVisibility,
  consumerSubscriptionVisibility,
  STORE_ORDER_RESOURCE_TYPE,
  STORE_SUBSCRIPTION_RESOURCE_TYPE,
  storeBillingManagePermission,
  storeBillingReadPermission,
  storeSubscriptionManagePermission,
  storeSubscriptionReadPermission,
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
import { GroupAncestryResolver } from '@internal/plugin-catalog-node-groups';
import { auditLogReadPermission } from '@internal/plugin-audit-common';
import {
  CLOUD_STACK_RESOURCE_TYPE,
  cloudCommandUsePermission,
  cloudMetricsReadPermission,
  cloudNodeOperatePermission,
  cloudNodeScriptRunPermission,
  cloudStackConditions,
  cloudStackDeletePermission,
  cloudStackOwnerAssignPermission,
  cloudStackReadPermission,
  cloudUsageReadPermission,
  stackOwnerOrCreator,
} from '@internal/plugin-cloud-common';

/**
 * Permissions that change what the catalog holds, administer orders or
 * billing (invoice runs, credit notes), read everyone's cloud usage, every
 * node's metrics (the monitoring overview, the Prometheus export) or the
 * audit log, run raw host commands or give stacks
 * to groups one is not in; only administrators have them.
 */
const ADMIN_ONLY_PERMISSIONS = new Set(
  [
    catalogEntityDeletePermission,
    catalogLocationCreatePermission,
    catalogLocationDeletePermission,
    storeOrderAdminPermission,
    storeBillingManagePermission,
    cloudUsageReadPermission,
    cloudMetricsReadPermission,
    cloudCommandUsePermission,
    cloudStackOwnerAssignPermission,
    auditLogReadPermission,
  ].map(p => p.name),
);

/** Permissions that users other than administrators have on conditions. */
const CONDITIONAL_PERMISSIONS = new Set(
  [
    storeProductReadPermission,
    storeOrderReadPermission,
    storeSubscriptionReadPermission,
    storeSubscriptionManagePermission,
    storeBillingReadPermission,
    cloudStackReadPermission,
    cloudNodeOperatePermission,
    cloudStackDeletePermission,
    cloudNodeScriptRunPermission,
  ].map(p => p.name),
);

/**
 * The interim Cloud Store policy: members of the configured admin groups, or
 * of groups nested in them, may do everything. Other signed-in users may not
 * change the catalog's locations, delete entities, administer orders or read
 * usage records; they see only the store products meant for them, their own
 * orders and those they approve, the subscriptions and billing of their
 * groups (members of the configured finance groups read all billing), and
 * the stacks of their groups or that they created; they run scripts only on
 * stacks they created. Service-to-service
 * calls carry no user and are allowed, as Backstage plugins expect of one
 * another.
 */
export class StorePolicy implements PermissionPolicy {
  private constructor(
    private readonly adminRefs: Set<string>,
    private readonly publisherRefs: Set<string>,
    private readonly financeRefs: Set<string>,
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
      refs('store.billing.financeGroups'),
      options.userInfo,
      options.groups,
      options.governedTemplates,
    );
  }

  async handle(
    request: PolicyQuery,
    user?: PolicyQueryUser,
  ): Promise<PolicyDecision> {
    const { name } = request.permission;
    const isCatalogRead =
      name === catalogEntityReadPermission.name &&
      this.governedTemplates !== undefined;
    if (
      !isCatalogRead &&
      !CONDITIONAL_PERMISSIONS.has(name) &&
      !ADMIN_ONLY_PERMISSIONS.has(name)
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
    if (name === storeOrderReadPermission.name) {
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
    if (name === storeProductReadPermission.name) {
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
    if (
      isResourcePermission(request.permission, STORE_SUBSCRIPTION_RESOURCE_TYPE)
    ) {
      if (name === storeBillingReadPermission.name && isIn(this.financeRefs)) {
        return { result: AuthorizeResult.ALLOW };
      }
      // Subscriptions and their billing belong to the owning group: its
      // members (nested groups included) see and manage them, nobody else.
      return {
        result: AuthorizeResult.CONDITIONAL,
        pluginId: 'store',
        resourceType: STORE_SUBSCRIPTION_RESOURCE_TYPE,
        conditions: consumerSubscriptionVisibility({ claims }),
      };
    }
    if (name === cloudNodeScriptRunPermission.name) {
      // Scripts run anything on a node: only on stacks one created oneself.
      return {
        result: AuthorizeResult.CONDITIONAL,
        pluginId: 'cloud',
        resourceType: CLOUD_STACK_RESOURCE_TYPE,
        conditions: cloudStackConditions.isStackCreator({
          users: [user.info.userEntityRef],
        }),
      };
    }
    if (isResourcePermission(request.permission, CLOUD_STACK_RESOURCE_TYPE)) {
      // Stacks are seen, operated and deleted by their owner group's members
      // (nested groups included) and by whoever created them.
      return {
        result: AuthorizeResult.CONDITIONAL,
        pluginId: 'cloud',
        resourceType: CLOUD_STACK_RESOURCE_TYPE,
        conditions: stackOwnerOrCreator(user.info.userEntityRef, claims),
      };
    }
    return { result: AuthorizeResult.DENY };
  }
}
