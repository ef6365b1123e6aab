import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { AccessRules } from './AccessRules';
import { MANAGED_POLICIES } from './managedPolicies';
import { KNOWN_PERMISSIONS } from './permissionCatalog';

const USER = 'user:default/someone';
const subject = { userEntityRef: USER, claims: [USER, 'group:default/team'] };

/** What each managed policy, bound alone, allows and allows on conditions. */
const TABLE: Record<string, { allow: string[]; conditional?: string[] }> = {
  AdministratorAccess: { allow: KNOWN_PERMISSIONS.map(p => p.name) },
  ReadOnlyAccess: {
    allow: [
      'catalog.entity.read',
      'catalog.location.read',
      'catalog.ingestion.read',
      'scaffolder.template.parameter.read',
      'scaffolder.template.step.read',
      'scaffolder.task.read',
      'store.product.read',
      'store.order.read',
      'store.subscription.read',
      'store.billing.read',
      'cloud.stack.read',
      'cloud.usage.read',
      'cloud.metrics.read',
    ],
  },
  DeploymentReadOnlyAccess: {
    allow: ['cloud.stack.read', 'cloud.metrics.read'],
  },
  DeploymentFullAccess: {
    allow: [
      'cloud.stack.read',
      'cloud.stack.create',
      'cloud.stack.delete',
      'cloud.node.operate',
      'cloud.metrics.read',
      'cloud.stack.owner.assign',
    ],
  },
  ApplicationTemplateFullAccess: {
    allow: KNOWN_PERMISSIONS.map(p => p.name).filter(
      n =>
        n.startsWith('scaffolder.') ||
        n.startsWith('catalog.entity.') ||
        n.startsWith('catalog.location.'),
    ),
  },
  CloudAccountReadOnlyAccess: {
    allow: ['cloud.stack.read', 'cloud.usage.read', 'cloud.metrics.read'],
  },
  InstanceReadOnlyAccess: {
    allow: ['cloud.stack.read', 'cloud.metrics.read'],
  },
  InstanceFullAccess: {
    allow: ['cloud.stack.read', 'cloud.node.operate', 'cloud.metrics.read'],
  },
  ScriptRunAccess: { allow: ['cloud.node.script.run'] },
  UsageRecordReadOnlyAccess: { allow: ['cloud.usage.read'] },
  StoreConsumer: {
    allow: [
      // No template is governed in this table: every entity is visible.
      'catalog.entity.read',
      'catalog.entity.create',
      'catalog.entity.refresh',
      'catalog.entity.validate',
      'catalog.location.read',
      'catalog.location.analyze',
      'scaffolder.action.execute',
      'scaffolder.template.parameter.read',
      'scaffolder.template.step.read',
      'scaffolder.task.create',
      'scaffolder.task.read',
      'scaffolder.task.cancel',
      'store.order.create',
      'cloud.stack.create',
    ],
    conditional: [
      'store.product.read',
      'store.order.read',
      'store.subscription.read',
      'store.subscription.manage',
      'store.billing.read',
      'cloud.stack.read',
      'cloud.stack.delete',
      'cloud.node.operate',
      'cloud.node.script.run',
    ],
  },
  StoreApprover: {
    allow: ['store.order.approve'],
    conditional: ['store.order.read'],
  },
  StorePublisher: { allow: ['store.product.read'] },
  StoreOrderAdmin: {
    allow: [
      'store.order.create',
      'store.order.read',
      'store.order.approve',
      'store.order.admin',
    ],
  },
  BillingReadOnlyAccess: {
    allow: ['store.billing.read', 'store.subscription.read'],
  },
  BillingFullAccess: {
    allow: KNOWN_PERMISSIONS.map(p => p.name).filter(
      n =>
        n.startsWith('store.billing.') || n.startsWith('store.subscription.'),
    ),
  },
  AuditLogReadAccess: { allow: ['audit.log.read'] },
};

describe('managed policies', () => {
  it('are all in the table below, and the table names only real permissions', () => {
    expect(Object.keys(TABLE).sort()).toEqual(
      MANAGED_POLICIES.map(p => p.name).sort(),
    );
    const names = new Set(KNOWN_PERMISSIONS.map(p => p.name));
    for (const { allow, conditional = [] } of Object.values(TABLE)) {
      [...allow, ...conditional].forEach(n => expect(names).toContain(n));
    }
  });

  it.each(MANAGED_POLICIES.map(p => [p.name]))(
    '%s allows, denies or makes conditional exactly what it documents',
    async name => {
      const rules = AccessRules.create({
        policies: [...MANAGED_POLICIES],
        bindings: [{ policy: name, principals: ['group:default/team'] }],
      });
      const actual: Record<string, string[]> = {
        ALLOW: [],
        CONDITIONAL: [],
      };
      for (const permission of KNOWN_PERMISSIONS) {
        const { decision } = await rules.decide(permission, subject, {
          IS_GOVERNED_TEMPLATE: async () => false,
        });
        if (decision.result !== AuthorizeResult.DENY) {
          actual[decision.result].push(permission.name);
        }
      }
      expect(actual.ALLOW.sort()).toEqual([...TABLE[name].allow].sort());
      expect(actual.CONDITIONAL.sort()).toEqual(
        [...(TABLE[name].conditional ?? [])].sort(),
      );
    },
  );
});
