import { parseEntityRef } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import { JsonValue } from '@backstage/types';
import {
  KNOWN_PERMISSIONS,
  PERMISSION_ACTIONS,
  PermissionAction,
  RESOURCE_TYPES,
  resourceTypeOf,
} from './permissionCatalog';
import { MANAGED_POLICIES } from './managedPolicies';
import {
  AccessPolicyDocument,
  ConditionExpression,
  ConditionParam,
  PolicyBinding,
  PolicyStatement,
} from './types';

/** The policies and bindings of `cloudStore.access`, checked. */
export interface AccessConfig {
  /** The managed policies, then the custom ones. */
  policies: AccessPolicyDocument[];
  bindings: PolicyBinding[];
}

/**
 * The bindings when the config gives none: every signed-in user reads the
 * catalog, runs templates and orders from the store as a consumer.
 */
const DEFAULT_BINDINGS = [{ policy: 'StoreConsumer', principals: ['*'] }];

/** What conditions may name instead of a value: the caller's ref and claims. */
const PLACEHOLDERS = ['$user', '$claims'];

/** Collects what is wrong, each problem with where it is. */
class Problems {
  readonly list: string[] = [];
  add(where: string, problem: string) {
    this.list.push(`${where}: ${problem}`);
  }
}

type Json = JsonValue | undefined;

const isObject = (value: Json): value is { [key: string]: JsonValue } =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function stringList(
  value: Json,
  where: string,
  problems: Problems,
): string[] | undefined {
  if (value === undefined) {
    return undefined;
  }
  if (
    !Array.isArray(value) ||
    value.length === 0 ||
    value.some(v => typeof v !== 'string' || !v)
  ) {
    problems.add(where, 'must be a non-empty list of names');
    return undefined;
  }
  return value as string[];
}

/** Whether a permission name or pattern (`cloud.*`, `*`) names `name`. */
export function matchesPermissionName(pattern: string, name: string) {
  return pattern.endsWith('*')
    ? name.startsWith(pattern.slice(0, -1))
    : pattern === name;
}

function readParam(
  value: Json,
  kind: 'string' | 'string[]',
  where: string,
  problems: Problems,
): ConditionParam | undefined {
  if (kind === 'string') {
    if (typeof value !== 'string' || value === '$claims') {
      problems.add(where, 'must be one string');
      return undefined;
    }
    if (value.startsWith('$') && value !== '$user') {
      problems.add(where, `unknown placeholder '${value}' (only $user)`);
      return undefined;
    }
    return value;
  }
  if (value === '$claims') {
    return value;
  }
  if (!Array.isArray(value) || value.some(v => typeof v !== 'string')) {
    problems.add(where, "must be a list of strings, or '$claims'");
    return undefined;
  }
  const unknown = (value as string[]).find(
    v => v.startsWith('$') && !PLACEHOLDERS.includes(v),
  );
  if (unknown) {
    problems.add(
      where,
      `unknown placeholder '${unknown}' (one of ${PLACEHOLDERS.join(', ')})`,
    );
    return undefined;
  }
  return value as string[];
}

/**
 * Checks a condition against the rules of the resource types, adding the
 * resource types its rules belong to to `types`.
 */
function readCondition(
  value: Json,
  where: string,
  problems: Problems,
  types: Set<string>,
): ConditionExpression | undefined {
  if (!isObject(value)) {
    problems.add(where, 'must be an object with rule, anyOf, allOf or not');
    return undefined;
  }
  const keys = Object.keys(value);
  if ('anyOf' in value || 'allOf' in value) {
    const key = 'anyOf' in value ? 'anyOf' : 'allOf';
    const list = value[key];
    if (keys.length !== 1 || !Array.isArray(list) || list.length === 0) {
      problems.add(where, `${key} must be the only key, with a non-empty list`);
      return undefined;
    }
    const items = list.map((item, i) =>
      readCondition(item, `${where}.${key}[${i}]`, problems, types),
    );
    return items.every(Boolean)
      ? ({ [key]: items } as ConditionExpression)
      : undefined;
  }
  if ('not' in value) {
    if (keys.length !== 1) {
      problems.add(where, 'not must be the only key');
      return undefined;
    }
    const inner = readCondition(value.not, `${where}.not`, problems, types);
    return inner && { not: inner };
  }
  const { rule, params = {} } = value;
  if (
    typeof rule !== 'string' ||
    keys.some(k => k !== 'rule' && k !== 'params')
  ) {
    problems.add(where, 'must be an object with rule, anyOf, allOf or not');
    return undefined;
  }
  const owners = Object.entries(RESOURCE_TYPES).filter(
    ([, type]) => rule in type.rules,
  );
  if (owners.length === 0) {
    problems.add(`${where}.rule`, `unknown permission rule '${rule}'`);
    return undefined;
  }
  owners.forEach(([type]) => types.add(type));
  if (!isObject(params)) {
    problems.add(`${where}.params`, 'must be an object');
    return undefined;
  }
  const known = owners[0][1].rules[rule].params;
  const read: Record<string, ConditionParam> = {};
  for (const [name, param] of Object.entries(params)) {
    const kind = known[name];
    if (!kind) {
      problems.add(
        `${where}.params.${name}`,
        `rule ${rule} has no parameter '${name}' (it has: ${
          Object.keys(known).join(', ') || 'none'
        })`,
      );
      continue;
    }
    const parsed = readParam(param, kind, `${where}.params.${name}`, problems);
    if (parsed !== undefined) {
      read[name] = parsed;
    }
  }
  return { rule, params: read };
}

function readStatement(
  value: Json,
  where: string,
  problems: Problems,
): PolicyStatement | undefined {
  if (!isObject(value)) {
    problems.add(where, 'must be an object');
    return undefined;
  }
  const count = problems.list.length;
  const effect = value.effect;
  if (effect !== 'allow' && effect !== 'deny') {
    problems.add(`${where}.effect`, "must be 'allow' or 'deny'");
  }
  const permissions = stringList(
    value.permissions,
    `${where}.permissions`,
    problems,
  );
  permissions?.forEach((pattern, i) => {
    if (!KNOWN_PERMISSIONS.some(p => matchesPermissionName(pattern, p.name))) {
      problems.add(
        `${where}.permissions[${i}]`,
        `unknown permission '${pattern}'`,
      );
    }
  });
  const resourceTypes = stringList(
    value.resourceTypes,
    `${where}.resourceTypes`,
    problems,
  );
  resourceTypes?.forEach((type, i) => {
    if (!KNOWN_PERMISSIONS.some(p => resourceTypeOf(p) === type)) {
      problems.add(
        `${where}.resourceTypes[${i}]`,
        `unknown resource type '${type}'`,
      );
    }
  });
  const actions = stringList(value.actions, `${where}.actions`, problems);
  actions?.forEach((action, i) => {
    if (!(PERMISSION_ACTIONS as ReadonlyArray<string>).includes(action)) {
      problems.add(
        `${where}.actions[${i}]`,
        `unknown action '${action}' (one of ${PERMISSION_ACTIONS.join(', ')})`,
      );
    }
  });
  if (!permissions && !resourceTypes && !actions) {
    problems.add(where, 'must name permissions, resourceTypes or actions');
  }
  let conditions: ConditionExpression | undefined;
  if (value.conditions !== undefined) {
    const types = new Set<string>();
    conditions = readCondition(
      value.conditions,
      `${where}.conditions`,
      problems,
      types,
    );
    if (types.size > 1) {
      problems.add(
        `${where}.conditions`,
        `mixes rules of resource types ${[...types].join(', ')}`,
      );
    }
  }
  if (
    value.description !== undefined &&
    typeof value.description !== 'string'
  ) {
    problems.add(`${where}.description`, 'must be a string');
  }
  if (problems.list.length > count) {
    return undefined;
  }
  return {
    effect: effect as 'allow' | 'deny',
    ...(permissions && { permissions }),
    ...(resourceTypes && { resourceTypes }),
    ...(actions && { actions: actions as PermissionAction[] }),
    ...(conditions && { conditions }),
    ...(typeof value.description === 'string' && {
      description: value.description,
    }),
  };
}

function readPolicy(
  value: Json,
  where: string,
  problems: Problems,
): AccessPolicyDocument | undefined {
  if (!isObject(value) || typeof value.name !== 'string' || !value.name) {
    problems.add(where, 'must be an object with a name');
    return undefined;
  }
  const name = value.name;
  const at = `policy '${name}'`;
  const count = problems.list.length;
  if (MANAGED_POLICIES.some(p => p.name === name)) {
    problems.add(at, 'has the name of a managed policy');
  }
  if (!Array.isArray(value.statements) || value.statements.length === 0) {
    problems.add(`${at}.statements`, 'must be a non-empty list');
    return undefined;
  }
  const statements = value.statements.map((s, i) =>
    readStatement(s, `${at}.statements[${i}]`, problems),
  );
  if (problems.list.length > count) {
    return undefined;
  }
  return {
    name,
    type: 'custom',
    description: typeof value.description === 'string' ? value.description : '',
    statements: statements as PolicyStatement[],
  };
}

function readBinding(
  value: Json,
  where: string,
  policies: Set<string>,
  problems: Problems,
): PolicyBinding | undefined {
  if (!isObject(value) || typeof value.policy !== 'string') {
    problems.add(where, 'must be an object with a policy');
    return undefined;
  }
  const at = `binding of '${value.policy}'`;
  const count = problems.list.length;
  if (!policies.has(value.policy)) {
    problems.add(`${at}.policy`, `unknown policy '${value.policy}'`);
  }
  const principals =
    stringList(value.principals, `${at}.principals`, problems) ?? [];
  const refs = principals.map((principal, i) => {
    if (principal === '*') {
      return principal;
    }
    try {
      const ref = parseEntityRef(principal.toLocaleLowerCase('en-US'), {
        defaultNamespace: 'default',
      });
      if (ref.kind !== 'user' && ref.kind !== 'group') {
        throw new Error('not a user or group');
      }
      return `${ref.kind}:${ref.namespace}/${ref.name}`;
    } catch {
      problems.add(
        `${at}.principals[${i}]`,
        `'${principal}' is not a user or group entity ref, nor '*'`,
      );
      return principal;
    }
  });
  if (problems.list.length > count) {
    return undefined;
  }
  return { policy: value.policy, principals: refs };
}

/**
 * Reads `cloudStore.access`: custom policies and the bindings of policies,
 * managed or custom, to users and groups. Throws an InputError naming every
 * policy and field that is wrong, so a bad policy never half applies.
 */
export function readAccessConfig(access: JsonValue | undefined): AccessConfig {
  const problems = new Problems();
  const root = isObject(access) ? access : {};
  if (access !== undefined && !isObject(access)) {
    problems.add('cloudStore.access', 'must be an object');
  }
  const custom: AccessPolicyDocument[] = [];
  const policyList = root.policies ?? [];
  if (!Array.isArray(policyList)) {
    problems.add('cloudStore.access.policies', 'must be a list');
  } else {
    policyList.forEach((value, i) => {
      const policy = readPolicy(
        value,
        `cloudStore.access.policies[${i}]`,
        problems,
      );
      if (policy && custom.some(p => p.name === policy.name)) {
        problems.add(`policy '${policy.name}'`, 'is defined twice');
      } else if (policy) {
        custom.push(policy);
      }
    });
  }
  const names = new Set([
    ...MANAGED_POLICIES.map(p => p.name),
    ...(Array.isArray(policyList)
      ? policyList.map(p => (isObject(p) ? String(p.name) : ''))
      : []),
  ]);
  const bindings: PolicyBinding[] = [];
  const bindingList = root.bindings ?? DEFAULT_BINDINGS;
  if (!Array.isArray(bindingList)) {
    problems.add('cloudStore.access.bindings', 'must be a list');
  } else {
    bindingList.forEach((value, i) => {
      const binding = readBinding(
        value,
        `cloudStore.access.bindings[${i}]`,
        names,
        problems,
      );
      if (binding) {
        bindings.push(binding);
      }
    });
  }
  if (problems.list.length > 0) {
    throw new InputError(
      `Invalid access policy in cloudStore.access: ${problems.list.join('; ')}`,
    );
  }
  return { policies: [...MANAGED_POLICIES, ...custom], bindings };
}
