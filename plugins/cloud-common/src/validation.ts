import { StackSpec } from './types';

const ROLE_NAME = /^[a-z][a-z0-9-]{0,30}$/;

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

/** Lower-case DNS label used as `<stack>.localhost`. @public */
export const STACK_NAME_PATTERN = /^[a-z][a-z0-9-]{1,38}[a-z0-9]$/;

/**
 * Checks a stack spec and returns what is wrong with it, one message per
 * problem; an empty list means the spec is valid.
 *
 * @public
 */
export function validateStackSpec(
  spec: StackSpec,
  options: { maxNodesPerRole: number },
): string[] {
  const problems: string[] = [];
  if (!spec || !Array.isArray(spec.roles) || spec.roles.length === 0) {
    return ['spec.roles must list at least one role'];
  }
  const names = new Set<string>();
  for (const [i, role] of spec.roles.entries()) {
    const at = `spec.roles[${i}]`;
    if (typeof role.name !== 'string' || !ROLE_NAME.test(role.name)) {
      problems.push(`${at}.name must match ${ROLE_NAME}`);
    } else if (names.has(role.name)) {
      problems.push(`${at}.name '${role.name}' is a duplicate role`);
    }
    names.add(role.name);
    if (
      !Number.isInteger(role.count) ||
      role.count < 0 ||
      role.count > options.maxNodesPerRole
    ) {
      problems.push(
        `${at}.count must be an integer from 0 to ${options.maxNodesPerRole}`,
      );
    }
    const hasCommand = role.command !== undefined;
    if (hasCommand === (role.runtime !== undefined)) {
      problems.push(`${at} must name a runtime or give a command, not both`);
    } else if (hasCommand) {
      if (
        !Array.isArray(role.command) ||
        role.command.length === 0 ||
        role.command.some(a => typeof a !== 'string' || a.length === 0)
      ) {
        problems.push(`${at}.command must be a non-empty list of arguments`);
      }
    } else if (typeof role.runtime !== 'string' || !role.runtime) {
      problems.push(`${at}.runtime must name a runtime`);
    } else if (role.runtime === LOAD_BALANCER_RUNTIME && !role.balances) {
      problems.push(`${at}.balances must name the role to balance`);
    }
    if (role.entry !== undefined && !isRelativePath(role.entry)) {
      problems.push(`${at}.entry '${role.entry}' must be a relative path`);
    }
    for (const file of Object.keys(role.files ?? {})) {
      if (!isRelativePath(file)) {
        problems.push(`${at}.files '${file}' must be a relative path`);
      }
    }
  }
  for (const [i, role] of spec.roles.entries()) {
    if (role.runtime === LOAD_BALANCER_RUNTIME && role.balances) {
      const target = spec.roles.find(r => r.name === role.balances);
      if (!target || target.runtime === LOAD_BALANCER_RUNTIME) {
        problems.push(
          `spec.roles[${i}].balances '${role.balances}' is not a role of nodes to balance`,
        );
      }
    }
  }
  if (spec.entryRole && !names.has(spec.entryRole)) {
    problems.push(`spec.entryRole '${spec.entryRole}' is not a role`);
  }
  return problems;
}
