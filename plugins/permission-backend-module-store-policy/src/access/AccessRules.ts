import {
  AuthorizeResult,
  Permission,
  PermissionCondition,
  PermissionCriteria,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import { RESOURCE_TYPES, resourceTypeOf } from './permissionCatalog';
import { AccessConfig, matchesPermissionName } from './readAccessConfig';
import {
  AccessPolicyDocument,
  ConditionExpression,
  PolicyStatement,
} from './types';

/** Who asks: the user and everything they may claim to be. */
export interface AccessSubject {
  userEntityRef: string;
  /** The user and every group they belong to, nested groups included. */
  claims: string[];
}

/**
 * Conditions as they are combined: a criteria of plugin rules, or a
 * constant where a virtual rule or a fold decided already.
 */
type Folded = boolean | PermissionCriteria<PermissionCondition>;

/**
 * Replaces the conditions of rules that this policy evaluates itself (see
 * `virtual` in the permission catalog) when a decision is made.
 */
export type VirtualRules = Record<string, () => Promise<Folded>>;

/** A statement that took part in a decision. */
export interface DecidingStatement {
  policy: string;
  policyType: AccessPolicyDocument['type'];
  /** Its index in the policy's statements. */
  statement: number;
  effect: PolicyStatement['effect'];
  conditional: boolean;
  description?: string;
}

/** A decision and the statements that made it. */
export interface ExplainedDecision {
  decision: PolicyDecision;
  /**
   * The statement that denied it outright, or those that allowed it (on
   * conditions or not) and those that deny it on conditions; empty when no
   * statement matched, which denies.
   */
  statements: DecidingStatement[];
  /** In a sentence, for people. */
  reason: string;
}

function and(a: Folded, b: Folded): Folded {
  if (a === false || b === false) return false;
  if (a === true) return b;
  if (b === true) return a;
  return { allOf: [a, b] };
}

function or(items: Folded[]): Folded {
  if (items.some(i => i === true)) return true;
  const rest = items.filter(
    (i): i is PermissionCriteria<PermissionCondition> => i !== false,
  );
  const [first, ...others] = rest;
  if (!first) return false;
  return others.length === 0 ? first : { anyOf: [first, ...others] };
}

function not(a: Folded): Folded {
  return typeof a === 'boolean' ? !a : { not: a };
}

/**
 * The decisions of a set of policies bound to users and groups. What no
 * statement allows is denied; a deny wins over any allow; statements with
 * conditions give conditional decisions, which the plugins turn into
 * database filters.
 */
export class AccessRules {
  private constructor(
    private readonly policies: AccessPolicyDocument[],
    private readonly bound: Map<string, Set<string>>,
  ) {}

  static create(config: AccessConfig): AccessRules {
    const bound = new Map<string, Set<string>>();
    for (const binding of config.bindings) {
      for (const principal of binding.principals) {
        const set = bound.get(principal) ?? new Set<string>();
        set.add(binding.policy);
        bound.set(principal, set);
      }
    }
    return new AccessRules(config.policies, bound);
  }

  /** Every policy, managed then custom. */
  listPolicies(): AccessPolicyDocument[] {
    return this.policies;
  }

  /** The users and groups (or `*`) each policy is bound to. */
  bindingsOf(policy: string): string[] {
    return [...this.bound.entries()]
      .filter(([, policies]) => policies.has(policy))
      .map(([principal]) => principal);
  }

  /** The policies that apply to a user with these claims. */
  policiesFor(claims: string[]): AccessPolicyDocument[] {
    const names = new Set<string>();
    for (const principal of ['*', ...claims]) {
      this.bound.get(principal)?.forEach(name => names.add(name));
    }
    return this.policies.filter(p => names.has(p.name));
  }

  /** Decides a permission for a user and says which statements decided. */
  async decide(
    permission: Permission,
    subject: AccessSubject,
    virtualRules: VirtualRules = {},
  ): Promise<ExplainedDecision> {
    const resourceType = resourceTypeOf(permission);
    const matching: Array<DecidingStatement & { source: PolicyStatement }> = [];
    for (const policy of this.policiesFor(subject.claims)) {
      policy.statements.forEach((source, index) => {
        if (!this.matches(source, permission, resourceType)) {
          return;
        }
        matching.push({
          policy: policy.name,
          policyType: policy.type,
          statement: index,
          effect: source.effect,
          conditional: source.conditions !== undefined,
          description: source.description,
          source,
        });
      });
    }
    const strip = ({ source: _, ...statement }: (typeof matching)[number]) =>
      statement;
    const denial = matching.find(s => s.effect === 'deny' && !s.conditional);
    if (denial) {
      return {
        decision: { result: AuthorizeResult.DENY },
        statements: [strip(denial)],
        reason: `Denied by statement ${denial.statement + 1} of ${
          denial.policy
        }`,
      };
    }
    const allows = matching.filter(s => s.effect === 'allow');
    const unconditional = allows.find(s => !s.conditional);
    const conditionalDenials = matching.filter(s => s.effect === 'deny');
    if (allows.length === 0) {
      return {
        decision: { result: AuthorizeResult.DENY },
        statements: [],
        reason: `No statement of the policies bound to the user allows ${permission.name}`,
      };
    }
    const resolve = (s: (typeof matching)[number]) =>
      this.resolve(s.source.conditions!, subject, virtualRules);
    const allowed: Folded = unconditional
      ? true
      : or(await Promise.all(allows.map(resolve)));
    const denied = or(await Promise.all(conditionalDenials.map(resolve)));
    const criteria = and(allowed, not(denied));
    const statements = [
      ...(unconditional ? [unconditional] : allows),
      ...conditionalDenials,
    ].map(strip);
    const names = statements
      .map(s => `statement ${s.statement + 1} of ${s.policy}`)
      .join(', ');
    if (criteria === true) {
      return {
        decision: { result: AuthorizeResult.ALLOW },
        statements,
        reason: `Allowed by ${names}`,
      };
    }
    if (criteria === false) {
      return {
        decision: { result: AuthorizeResult.DENY },
        statements,
        reason: `Denied: the conditions of ${names} leave nothing`,
      };
    }
    return {
      decision: {
        result: AuthorizeResult.CONDITIONAL,
        pluginId: RESOURCE_TYPES[resourceType!].pluginId,
        resourceType: resourceType!,
        conditions: criteria,
      },
      statements,
      reason: `Allowed on the conditions of ${names}`,
    };
  }

  private matches(
    statement: PolicyStatement,
    permission: Permission,
    resourceType: string | undefined,
  ): boolean {
    if (
      statement.permissions &&
      !statement.permissions.some(p =>
        matchesPermissionName(p, permission.name),
      )
    ) {
      return false;
    }
    if (
      statement.resourceTypes &&
      (!resourceType || !statement.resourceTypes.includes(resourceType))
    ) {
      return false;
    }
    const action = permission.attributes.action ?? 'use';
    if (statement.actions && !statement.actions.includes(action)) {
      return false;
    }
    // A condition filters resources of its own type: it does not apply to
    // permissions of other types or to basic permissions.
    if (statement.conditions) {
      return (
        resourceType !== undefined &&
        conditionTypes(statement.conditions).every(t => t === resourceType)
      );
    }
    return true;
  }

  private async resolve(
    expression: ConditionExpression,
    subject: AccessSubject,
    virtualRules: VirtualRules,
  ): Promise<Folded> {
    if ('anyOf' in expression) {
      return or(
        await Promise.all(
          expression.anyOf.map(e => this.resolve(e, subject, virtualRules)),
        ),
      );
    }
    if ('allOf' in expression) {
      const items = await Promise.all(
        expression.allOf.map(e => this.resolve(e, subject, virtualRules)),
      );
      return items.reduce<Folded>((acc, item) => and(acc, item), true);
    }
    if ('not' in expression) {
      return not(await this.resolve(expression.not, subject, virtualRules));
    }
    const type = conditionTypes(expression)[0];
    if (RESOURCE_TYPES[type].rules[expression.rule].virtual) {
      const virtual = virtualRules[expression.rule];
      if (!virtual) {
        throw new Error(`No evaluator for the rule ${expression.rule}`);
      }
      return virtual();
    }
    const params = Object.fromEntries(
      Object.entries(expression.params ?? {}).map(([name, value]) => [
        name,
        substitute(value, subject),
      ]),
    );
    return { rule: expression.rule, resourceType: type, params };
  }
}

/** A parameter with `$user` and `$claims` replaced by the caller's. */
function substitute(
  value: string | string[],
  subject: AccessSubject,
): string | string[] {
  if (value === '$claims') {
    return subject.claims;
  }
  if (value === '$user') {
    return subject.userEntityRef;
  }
  if (typeof value === 'string') {
    return value;
  }
  return value.flatMap(v => {
    if (v === '$claims') return subject.claims;
    if (v === '$user') return [subject.userEntityRef];
    return [v];
  });
}

/** The resource types of the rules a condition uses. */
function conditionTypes(expression: ConditionExpression): string[] {
  if ('anyOf' in expression) return expression.anyOf.flatMap(conditionTypes);
  if ('allOf' in expression) return expression.allOf.flatMap(conditionTypes);
  if ('not' in expression) return conditionTypes(expression.not);
  return Object.entries(RESOURCE_TYPES)
    .filter(([, type]) => expression.rule in type.rules)
    .map(([type]) => type);
}
