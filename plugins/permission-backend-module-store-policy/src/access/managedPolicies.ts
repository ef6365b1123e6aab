import { AccessPolicyDocument, PolicyStatement } from './types';

const allow = (
  statement: Omit<PolicyStatement, 'effect'>,
): PolicyStatement => ({ effect: 'allow', ...statement });

const $claims = '$claims';

/** Reading and using what every Backstage user reads and uses. */
const BACKSTAGE_USER: PolicyStatement[] = [
  allow({
    description: 'Catalog entities, except the templates the store governs',
    permissions: ['catalog.entity.read'],
    conditions: { not: { rule: 'IS_GOVERNED_TEMPLATE' } },
  }),
  allow({
    description: 'Register, refresh and validate entities; read locations',
    permissions: [
      'catalog.entity.create',
      'catalog.entity.refresh',
      'catalog.entity.validate',
      'catalog.location.read',
      'catalog.location.analyze',
    ],
  }),
  allow({
    description: 'Run the templates one sees and follow their tasks',
    permissions: [
      'scaffolder.action.execute',
      'scaffolder.template.parameter.read',
      'scaffolder.template.step.read',
      'scaffolder.task.create',
      'scaffolder.task.read',
      'scaffolder.task.cancel',
    ],
  }),
];

/**
 * The built-in policies, with the names that administrators of cloud
 * platforms know. Each is a documented set of statements; a binding in
 * `cloudStore.access.bindings` gives it to users and groups.
 */
export const MANAGED_POLICIES: ReadonlyArray<AccessPolicyDocument> = [
  {
    name: 'AdministratorAccess',
    type: 'managed',
    description: 'Everything, in every plugin.',
    statements: [allow({ permissions: ['*'] })],
  },
  {
    name: 'ReadOnlyAccess',
    type: 'managed',
    description:
      "Read everything of the catalog, scaffolder, store and cloud, every group's included; not the audit log.",
    statements: [
      allow({
        permissions: ['catalog.*', 'scaffolder.*', 'store.*', 'cloud.*'],
        actions: ['read'],
      }),
    ],
  },
  {
    name: 'DeploymentReadOnlyAccess',
    type: 'managed',
    description: 'Read every stack, its nodes and their metrics.',
    statements: [
      allow({ permissions: ['cloud.stack.read', 'cloud.metrics.read'] }),
    ],
  },
  {
    name: 'DeploymentFullAccess',
    type: 'managed',
    description:
      "Create, read, operate, scale, give away and delete every stack; read metrics. Not the limits a stack's plan gives it.",
    statements: [
      allow({
        permissions: [
          'cloud.stack.read',
          'cloud.stack.create',
          'cloud.stack.delete',
          'cloud.stack.owner.assign',
          'cloud.node.operate',
          'cloud.metrics.read',
        ],
      }),
    ],
  },
  {
    name: 'ApplicationTemplateFullAccess',
    type: 'managed',
    description:
      'Manage templates: every scaffolder permission and registering, refreshing and removing catalog locations and entities.',
    statements: [
      allow({
        permissions: ['scaffolder.*', 'catalog.entity.*', 'catalog.location.*'],
      }),
    ],
  },
  {
    name: 'CloudAccountReadOnlyAccess',
    type: 'managed',
    description:
      'Read everything the cloud plugin holds: stacks, metrics and usage records.',
    statements: [allow({ permissions: ['cloud.*'], actions: ['read'] })],
  },
  {
    name: 'InstanceReadOnlyAccess',
    type: 'managed',
    description: 'Read every node and its metrics.',
    statements: [
      allow({ permissions: ['cloud.stack.read', 'cloud.metrics.read'] }),
    ],
  },
  {
    name: 'InstanceFullAccess',
    type: 'managed',
    description: 'Read, start, stop and restart every node; read metrics.',
    statements: [
      allow({
        permissions: [
          'cloud.stack.read',
          'cloud.node.operate',
          'cloud.metrics.read',
        ],
      }),
    ],
  },
  {
    name: 'ScriptRunAccess',
    type: 'managed',
    description: 'Run scripts on the nodes of every stack one may read.',
    statements: [allow({ permissions: ['cloud.node.script.run'] })],
  },
  {
    name: 'UsageRecordReadOnlyAccess',
    type: 'managed',
    description: 'Read and export the usage records of every stack and node.',
    statements: [allow({ permissions: ['cloud.usage.read'] })],
  },
  {
    name: 'StoreConsumer',
    type: 'managed',
    description:
      "Use Backstage and order from the store: the products of one's audience, one's own orders, the subscriptions, billing and stacks of one's groups, scripts on the stacks one created.",
    statements: [
      ...BACKSTAGE_USER,
      allow({
        description:
          "Published products of one's audience, deprecated ones one subscribes to, and one's own",
        permissions: ['store.product.read'],
        conditions: {
          anyOf: [
            {
              allOf: [
                {
                  rule: 'HAS_LIFECYCLE',
                  params: { lifecycles: ['published'] },
                },
                { rule: 'IS_IN_AUDIENCE', params: { claims: $claims } },
              ],
            },
            {
              allOf: [
                {
                  rule: 'HAS_LIFECYCLE',
                  params: { lifecycles: ['deprecated'] },
                },
                { rule: 'IS_SUBSCRIBER', params: { claims: $claims } },
              ],
            },
            { rule: 'IS_PRODUCT_OWNER', params: { claims: $claims } },
          ],
        },
      }),
      allow({ permissions: ['store.order.create', 'cloud.stack.create'] }),
      allow({
        description: "One's own orders",
        permissions: ['store.order.read'],
        conditions: {
          rule: 'IS_ORDER_REQUESTER',
          params: { claims: ['$user'] },
        },
      }),
      allow({
        description: "The subscriptions and billing of one's groups",
        permissions: [
          'store.subscription.read',
          'store.subscription.manage',
          'store.billing.read',
        ],
        conditions: {
          rule: 'IS_SUBSCRIPTION_OWNER',
          params: { claims: $claims },
        },
      }),
      allow({
        description: "The stacks of one's groups and those one created",
        permissions: [
          'cloud.stack.read',
          'cloud.stack.delete',
          'cloud.node.operate',
        ],
        conditions: {
          anyOf: [
            { rule: 'IS_STACK_OWNER', params: { owners: $claims } },
            { rule: 'IS_STACK_CREATOR', params: { users: ['$user'] } },
          ],
        },
      }),
      allow({
        description: "Scripts run anything on a node: only on one's own stacks",
        permissions: ['cloud.node.script.run'],
        conditions: { rule: 'IS_STACK_CREATOR', params: { users: ['$user'] } },
      }),
    ],
  },
  {
    name: 'StoreApprover',
    type: 'managed',
    description:
      "Approve or reject the orders that one's groups approve, and read them.",
    statements: [
      allow({ permissions: ['store.order.approve'] }),
      allow({
        permissions: ['store.order.read'],
        conditions: {
          rule: 'IS_ORDER_APPROVER',
          params: { claims: $claims },
        },
      }),
    ],
  },
  {
    name: 'StorePublisher',
    type: 'managed',
    description:
      'See every product, drafts included, to review it before it is published.',
    statements: [allow({ permissions: ['store.product.read'] })],
  },
  {
    name: 'StoreOrderAdmin',
    type: 'managed',
    description: 'Read, approve and administer every order.',
    statements: [allow({ permissions: ['store.order.*'] })],
  },
  {
    name: 'BillingReadOnlyAccess',
    type: 'managed',
    description:
      'Read the invoices, credit notes, costs and subscriptions of every billing account.',
    statements: [
      allow({
        permissions: ['store.billing.read', 'store.subscription.read'],
      }),
    ],
  },
  {
    name: 'BillingFullAccess',
    type: 'managed',
    description: 'Read and manage every subscription, invoice and credit note.',
    statements: [
      allow({ permissions: ['store.billing.*', 'store.subscription.*'] }),
    ],
  },
  {
    name: 'AuditLogReadAccess',
    type: 'managed',
    description: 'Read, export and verify the audit log.',
    statements: [allow({ permissions: ['audit.log.read'] })],
  },
];
