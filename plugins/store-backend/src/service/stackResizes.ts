import {
  countInstances,
  instanceRoles,
  StackDetails,
  StackLimits,
} from '@internal/plugin-cloud-common';
import { planStackLimits, ProductPlan } from '@internal/plugin-store-common';

/** A role that a plan change scales, with its nodes before and after. */
export type RoleResize = {
  role: string;
  /** The role's count before the change, to scale back to if it fails. */
  from: number;
  /** The nodes of the role that run now, as people are told. */
  running: number;
  to: number;
};

/** What a plan change does to one stack of a subscription. */
export type StackResize = {
  stackId: string;
  stackName: string;
  /** The stack's limits before the change, to restore if it fails. */
  fromLimits: StackLimits;
  toLimits: StackLimits;
  /** The roles whose count the new plan changes. */
  roles: RoleResize[];
};

/**
 * What moving stacks to a plan does to each of them: the plan's limits
 * replace theirs (none lifts them), and each role that the plan sizes in
 * its `nodes` is scaled to that count; the roles it does not size keep
 * their nodes. A stack that this would leave above the plan's instances is
 * a problem, in a sentence that names the limit and what to scale down:
 * the change must wait until it is done.
 */
export function planStackResizes(options: {
  stacks: StackDetails[];
  plans: ProductPlan[];
  planId: string;
}): { resizes: StackResize[]; problems: string[] } {
  const { stacks, plans, planId } = options;
  const plan = plans.find(p => p.id === planId);
  if (!plan) {
    return { resizes: [], problems: [] };
  }
  const toLimits: StackLimits = planStackLimits(plans, planId) ?? {};
  const sized = plan.nodes ?? {};
  const resizes: StackResize[] = [];
  const problems: string[] = [];
  for (const stack of stacks) {
    const spec = {
      ...stack.spec,
      roles: stack.spec.roles.map(role => ({
        ...role,
        count: sized[role.name] ?? role.count,
      })),
    };
    const allowed = toLimits.instances;
    const instances = countInstances(spec);
    if (allowed !== undefined && instances > allowed) {
      const counted = instanceRoles(spec).filter(role => role.count > 0);
      const unsized = counted
        .filter(role => sized[role.name] === undefined)
        .map(role => role.name);
      const what = unsized.length ? unsized.join(' and ') : 'its nodes';
      problems.push(
        `The ${
          plan.title
        } plan allows at most ${allowed} instances, and stack '${
          stack.name
        }' runs ${instances} (${counted
          .map(role => `${role.name}: ${role.count}`)
          .join(', ')}); scale ${what} down to ${allowed} in all first`,
      );
      continue;
    }
    resizes.push({
      stackId: stack.id,
      stackName: stack.name,
      fromLimits: stack.limits ?? {},
      toLimits,
      roles: stack.spec.roles
        .filter(role => (sized[role.name] ?? role.count) !== role.count)
        .map(role => ({
          role: role.name,
          from: role.count,
          running: stack.nodes.filter(node => node.role === role.name).length,
          to: sized[role.name],
        })),
    });
  }
  return { resizes, problems };
}

/** What a plan change does to the nodes of stacks, as "web: app: 2 → 4 nodes". */
export function describeResizes(resizes: StackResize[]): string[] {
  return resizes.flatMap(resize =>
    resize.roles.map(
      role =>
        `${resize.stackName}: ${role.role}: ${role.running} → ${role.to} nodes`,
    ),
  );
}
