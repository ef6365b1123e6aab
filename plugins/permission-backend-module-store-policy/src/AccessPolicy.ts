import {
  LoggerService,
  RootConfigService,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import { readDurationFromConfig } from '@backstage/config';
import { InputError, isError } from '@backstage/errors';
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
import { durationToMilliseconds } from '@backstage/types';
import { GroupAncestryResolver } from '@internal/plugin-catalog-node-groups';
import { AccessRules, ExplainedDecision } from './access/AccessRules';
import { AccessConfig, readAccessConfig } from './access/readAccessConfig';
import { CatalogPrincipals } from './service/CatalogPrincipals';
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
  private readonly claimsByUser = new WeakMap<
    PolicyQueryUser,
    Promise<string[]>
  >();

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
    /**
     * Where a changed config's bindings are checked to name users and groups
     * that exist before it applies (see also `checkBindingsAtStartUp`).
     */
    principals?: CatalogPrincipals;
    /** Told once a changed configuration is in force. */
    onChange?: () => void;
  }): AccessPolicy {
    const { config, logger, principals } = options;
    const read = () =>
      readAccessConfig(config.getOptional('cloudStore.access'));
    const policy = new AccessPolicy(
      AccessRules.create(read()),
      options.userInfo,
      options.groups,
      options.governedTemplates,
    );
    config.subscribe?.(async () => {
      try {
        const changed = read();
        if (principals) {
          await checkPrincipals(changed, principals);
        }
        policy.rules = AccessRules.create(changed);
        options.onChange?.();
        logger.info('Applied the changed access policies of cloudStore.access');
      } catch (error) {
        logger.error(
          `Refused the changed access policies, the previous ones stay in force: ${error}`,
        );
      }
    });
    return policy;
  }

  /**
   * Checks that the bindings of the start-up config name users and groups
   * of the catalog. When the catalog answers with groups (a restart), a
   * missing one stops start-up; on a first start, before the catalog has
   * ingested them, the check runs once it has, and logs an error naming the
   * binding (a binding to nobody grants nothing). The catalog may itself
   * still be starting, slowly on a busy machine: its answer is awaited as
   * long as Backstage holds requests to a plugin that is starting.
   */
  static async checkBindingsAtStartUp(options: {
    config: RootConfigService;
    principals: CatalogPrincipals;
    logger: LoggerService;
    waitMs?: number;
  }): Promise<void> {
    const { principals, logger } = options;
    const access = readAccessConfig(
      options.config.getOptional('cloudStore.access'),
    );
    const groups = await Promise.race([
      principals.listGroups().catch(() => []),
      new Promise<[]>(resolve =>
        setTimeout(
          () => resolve([]),
          options.waitMs ?? startupPauseMs(options.config),
        ).unref(),
      ),
    ]);
    if (groups.length > 0) {
      await checkPrincipals(access, principals);
    } else {
      checkWhenCatalogHasGroups(access, principals, logger);
    }
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
    return this.decide(
      permission,
      user.info.userEntityRef,
      await this.claimsOf(user),
    );
  }

  /**
   * The claims of a user: the user, their groups and every ancestor group.
   * The permission backend hands the same user object to every item of a
   * batch, so a batch resolves them once.
   */
  private claimsOf(user: PolicyQueryUser): Promise<string[]> {
    let claims = this.claimsByUser.get(user);
    if (!claims) {
      claims = this.userInfo
        .getUserInfo(user.credentials)
        .then(({ ownershipEntityRefs }) =>
          this.groups.resolve([
            user.info.userEntityRef,
            ...ownershipEntityRefs,
          ]),
        );
      claims.catch(() => this.claimsByUser.delete(user));
      this.claimsByUser.set(user, claims);
    }
    return claims;
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
    return this.decide(
      permission,
      userEntityRef,
      await this.groups.resolve(ownershipEntityRefs),
    );
  }

  private decide(
    permission: Permission,
    userEntityRef: string,
    claims: string[],
  ): Promise<ExplainedDecision> {
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

/**
 * How long Backstage holds a request to a plugin that is still starting
 * (its default is 5 seconds).
 */
function startupPauseMs(config: RootConfigService): number {
  const key = 'backend.lifecycle.startupRequestPauseTimeout';
  return config.has(key)
    ? durationToMilliseconds(readDurationFromConfig(config, { key }))
    : 5_000;
}

/** Throws naming each binding whose user or group the catalog lacks. */
async function checkPrincipals(
  config: AccessConfig,
  principals: CatalogPrincipals,
): Promise<void> {
  const missing = new Set(
    await principals.missing(config.bindings.flatMap(b => b.principals)),
  );
  const problems = config.bindings.flatMap(binding =>
    binding.principals
      .filter(p => missing.has(p))
      .map(
        p =>
          `binding of '${binding.policy}'.principals: '${p}' is not in the catalog`,
      ),
  );
  if (problems.length > 0) {
    throw new InputError(
      `Invalid access policy in cloudStore.access: ${problems.join('; ')}`,
    );
  }
}

const CATALOG_WAIT_MS = 15_000;
const CATALOG_ATTEMPTS = 40;

/**
 * Checks the bindings of the start-up config once the catalog has ingested
 * groups, which on a first start comes after the backend is up; a binding to
 * a missing user or group is logged as an error (it grants nothing).
 */
function checkWhenCatalogHasGroups(
  config: AccessConfig,
  principals: CatalogPrincipals,
  logger: LoggerService,
  attempt = 1,
) {
  const retry = () => {
    if (attempt < CATALOG_ATTEMPTS) {
      setTimeout(
        () =>
          checkWhenCatalogHasGroups(config, principals, logger, attempt + 1),
        CATALOG_WAIT_MS,
      ).unref();
    }
  };
  principals
    .listGroups()
    .then(async groups => {
      if (groups.length === 0) {
        retry();
        return;
      }
      await checkPrincipals(config, principals);
    })
    .catch(error => {
      if (isError(error) && error.name === 'InputError') {
        logger.error(error.message);
      } else {
        retry();
      }
    });
}
