import {
  LoggerService,
  RootConfigService,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import {
  AuthorizeResult,
  Permission,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import {
  PermissionPolicy,
  PolicyQuery,
  PolicyQueryUser,
} from '@backstage/plugin-permission-node';
import { GroupAncestryResolver } from '@internal/plugin-catalog-node-groups';
import { AccessRules, ExplainedDecision } from './access/AccessRules';
import { readAccessConfig } from './access/readAccessConfig';
import { GovernedTemplates } from './GovernedTemplates';
import { governedTemplateCriteria } from './governedTemplateVisibility';

/**
 * The Cloud Store permission policy: the managed and custom policies of
 * `cloudStore.access`, bound to users and groups (membership is nested), with
 * deny over allow and conditional decisions that the plugins turn into
 * database filters. A change of the configuration applies without a
 * restart; a change that does not read is refused and the policy in force
 * stays. Calls between backend plugins carry no user and are allowed, as
 * Backstage plugins expect of one another.
 */
export class AccessPolicy implements PermissionPolicy {
  private rules: AccessRules;

  private constructor(
    rules: AccessRules,
    private readonly userInfo: UserInfoService,
    private readonly groups: GroupAncestryResolver,
    private readonly governedTemplates?: GovernedTemplates,
  ) {
    this.rules = rules;
  }

  /**
   * Reads the policies from config; throws, so that the backend does not
   * start, when they are wrong.
   */
  static create(options: {
    config: RootConfigService;
    userInfo: UserInfoService;
    groups: GroupAncestryResolver;
    logger: LoggerService;
    /** Templates that only the store itself and those allowed may run. */
    governedTemplates?: GovernedTemplates;
  }): AccessPolicy {
    const { config, logger } = options;
    const read = () =>
      AccessRules.create(
        readAccessConfig(config.getOptional('cloudStore.access')),
      );
    const policy = new AccessPolicy(
      read(),
      options.userInfo,
      options.groups,
      options.governedTemplates,
    );
    config.subscribe?.(() => {
      try {
        policy.rules = read();
        logger.info('Applied the changed access policies of cloudStore.access');
      } catch (error) {
        logger.error(
          `Refused the changed access policies, the previous ones stay in force: ${error}`,
        );
      }
    });
    return policy;
  }

  /** The policies and their bindings in force. */
  get current(): AccessRules {
    return this.rules;
  }

  async handle(
    request: PolicyQuery,
    user?: PolicyQueryUser,
  ): Promise<PolicyDecision> {
    if (!user) {
      return { result: AuthorizeResult.ALLOW };
    }
    return (await this.explain(request.permission, user)).decision;
  }

  /** Decides a permission for a user and says which statements decided. */
  async explain(
    permission: Permission,
    user: PolicyQueryUser,
  ): Promise<ExplainedDecision> {
    const { ownershipEntityRefs } = await this.userInfo.getUserInfo(
      user.credentials,
    );
    return this.explainFor(permission, user.info.userEntityRef, [
      user.info.userEntityRef,
      ...ownershipEntityRefs,
    ]);
  }

  /**
   * Decides a permission for a user with the given ownership refs, whose
   * groups are resolved up to the root: a member of a child group belongs
   * to every ancestor group.
   */
  async explainFor(
    permission: Permission,
    userEntityRef: string,
    ownershipEntityRefs: string[],
  ): Promise<ExplainedDecision> {
    const claims = await this.groups.resolve(ownershipEntityRefs);
    return this.rules.decide(
      permission,
      { userEntityRef, claims },
      {
        IS_GOVERNED_TEMPLATE: async () =>
          governedTemplateCriteria(
            (await this.governedTemplates?.list()) ?? [],
          ),
      },
    );
  }
}
