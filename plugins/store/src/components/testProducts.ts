import { ProductDetails, ProductSummary } from '@internal/plugin-store-common';

export function summary(
  name: string,
  overrides: Partial<ProductSummary> = {},
): ProductSummary {
  return {
    ref: `product:default/${name}`,
    namespace: 'default',
    name,
    title: name,
    summary: `The ${name} product`,
    type: 'resource',
    category: 'Databases',
    owner: 'group:default/platform-admins',
    providers: ['local'],
    unavailableProviders: [],
    tags: [],
    lifecycle: 'published',
    fromPrice: { amount: '0.00', currency: 'USD', interval: 'month' },
    hasFreePlan: true,
    needsApproval: false,
    orderable: true,
    orderCount: 0,
    createdAt: '2026-11-25T00:00:00.000Z',
    ...overrides,
  };
}

export const postgresql: ProductDetails = {
  ...summary('postgresql', {
    title: 'PostgreSQL Database',
    summary: 'A managed PostgreSQL database',
    providers: ['kubernetes', 'local'],
    unavailableProviders: ['openstack'],
    needsApproval: true,
    tags: ['sql'],
  }),
  description: 'PostgreSQL 15 with daily backups.',
  template: 'template:default/postgresql',
  limitParameters: { instances: 'nodes' },
  sla: '99.95% monthly uptime',
  subscribed: false,
  docs: [{ title: 'User guide', url: 'https://docs.example.com/pg' }],
  approval: {
    policy: 'above-threshold',
    threshold: { amount: '500.00', currency: 'USD' },
    approverGroups: ['group:default/platform-admins'],
    reason: 'Capacity review',
  },
  plans: [
    {
      id: 'free',
      title: 'Free',
      price: { amount: '0.00', currency: 'USD', interval: 'month' },
      needsApproval: false,
    },
    {
      id: 'standard',
      title: 'Standard',
      price: { amount: '49.00', currency: 'USD', interval: 'month' },
      trialDays: 14,
      limits: { instances: 2, memory: '4Gi' },
      nodes: { app: 2 },
      needsApproval: false,
    },
    {
      id: 'enterprise',
      title: 'Enterprise',
      price: { amount: '999.00', currency: 'USD', interval: 'month' },
      meteredPrices: [
        {
          dimension: 'storage',
          unit: 'GiB-month',
          amount: '0.02',
          currency: 'USD',
        },
      ],
      needsApproval: true,
    },
  ],
};
