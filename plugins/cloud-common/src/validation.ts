import { stackSpecSchema, StackLimits, StackSpec } from './schema';

/** The runtime of a role that balances the nodes of another role. @public */
export const LOAD_BALANCER_RUNTIME = 'load-balancer';

function isRelativePath(path: unknown): boolean {
  return (
    typeof path === 'string' &&
    path.length > 0 &&
    !path.startsWith('/') &&
    !path.split(/[\\/]/).includes('..')
  );
}

/**
 * Checks a stack spec and returns what is wrong with it, one message per
 * problem; an empty list means the spec is valid. The shape comes from
 * `stackSpecSchema`; this adds what spans fields: a runtime or a command,
 * unique role names, what a load balancer balances, relative paths and the
 * most nodes a role may have.
 *
 * @public
 */
export function validateStackSpec(
  spec: StackSpec,
  options: { maxNodesPerRole?: number } = {},
): string[] {
  const parsed = stackSpecSchema.safeParse(spec);
  if (!parsed.success) {
    return parsed.error.issues.map(
      issue => `${['spec', ...issue.path].join('.')}: ${issue.message}`,
    );
  }
  const problems: string[] = [];
  const names = new Set<string>();
  const { maxNodesPerRole } = options;
  for (const [i, role] of spec.roles.entries()) {
    const at = `spec.roles.${i}`;
    if (names.has(role.name)) {
      problems.push(`${at}.name: '${role.name}' is a duplicate role`);
    }
    names.add(role.name);
    if (maxNodesPerRole !== undefined && role.count > maxNodesPerRole) {
      problems.push(`${at}.count: must be from 0 to ${maxNodesPerRole}`);
    }
    if (spec.template) {
      // the template says what runs; a role is a group of its nodes
      if (role.command !== undefined || role.runtime !== undefined) {
        problems.push(
          `${at}: a role of a stack made by a template names no runtime or command`,
        );
      }
    } else if ((role.command === undefined) === (role.runtime === undefined)) {
      problems.push(`${at}: must name a runtime or give a command, not both`);
    } else if (role.runtime === LOAD_BALANCER_RUNTIME && !role.balances) {
      problems.push(`${at}.balances: must name the role to balance`);
    }
    if (role.entry !== undefined && !isRelativePath(role.entry)) {
      problems.push(`${at}.entry: '${role.entry}' must be a relative path`);
    }
    for (const file of Object.keys(role.files ?? {})) {
      if (!isRelativePath(file)) {
        problems.push(`${at}.files: '${file}' must be a relative path`);
      }
    }
  }
  for (const [i, role] of spec.roles.entries()) {
    if (role.runtime === LOAD_BALANCER_RUNTIME && role.balances) {
      const target = spec.roles.find(r => r.name === role.balances);
      if (!target || target.runtime === LOAD_BALANCER_RUNTIME) {
        problems.push(
          `spec.roles.${i}.balances: '${role.balances}' is not a role of nodes to balance`,
        );
      }
    }
  }
  if (spec.entryRole && !names.has(spec.entryRole)) {
    problems.push(`spec.entryRole: '${spec.entryRole}' is not a role`);
  }
  return problems;
}

/**
 * The roles whose nodes count as instances of a plan: those a load balancer
 * balances, which is where a plan's capacity goes (the app nodes of a
 * three-tier stack, as its order's node count says); a role of a stack made
 * by a template names what it balances without a runtime. In a stack
 * without a load balancer, every role.
 *
 * @public
 */
export function instanceRoles(spec: StackSpec): StackSpec['roles'] {
  const balanced = new Set(
    spec.roles
      // a load balancer, or a template's role that says what it balances
      .filter(role => role.runtime === LOAD_BALANCER_RUNTIME || spec.template)
      .map(role => role.balances),
  );
  const served = spec.roles.filter(role => balanced.has(role.name));
  return served.length > 0
    ? served
    : spec.roles.filter(role => role.runtime !== LOAD_BALANCER_RUNTIME);
}

/**
 * The nodes of a spec that count as instances of a plan: those of the roles
 * behind a load balancer, or of every role when there is none.
 *
 * @public
 */
export function countInstances(spec: StackSpec): number {
  return instanceRoles(spec).reduce((sum, role) => sum + role.count, 0);
}

/**
 * Why a spec exceeds a stack's limits, in a sentence that names the limit
 * and the way to more; undefined when it is within them.
 *
 * @public
 */
export function stackLimitProblem(
  spec: StackSpec,
  limits: StackLimits | undefined,
): string | undefined {
  const allowed = limits?.instances;
  if (allowed === undefined) {
    return undefined;
  }
  const instances = countInstances(spec);
  if (instances <= allowed) {
    return undefined;
  }
  const counted = instanceRoles(spec)
    .filter(role => role.count > 0)
    .map(role => `${role.name}: ${role.count}`)
    .join(', ');
  const hint = limits?.upgradeHint ? `; ${limits.upgradeHint}` : '';
  return `The stack's plan allows at most ${allowed} instances, and this would make ${instances} (${counted}). The limit is the plan's and binds administrators too${hint}`;
}
