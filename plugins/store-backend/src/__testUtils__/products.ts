import { ProductEntity, ProductSpec } from '@internal/plugin-store-common';
import { Entity } from '@backstage/catalog-model';

/** A Product entity for tests, with three plans unless told otherwise. */
export function makeProduct(
  name: string,
  spec: Partial<ProductSpec> = {},
  metadata: Partial<ProductEntity['metadata']> = {},
): ProductEntity {
  return {
    apiVersion: 'cloudstore.io/v1alpha1',
    kind: 'Product',
    metadata: {
      name,
      namespace: 'default',
      title: name,
      description: `The ${name} product`,
      tags: [],
      ...metadata,
    },
    spec: {
      type: 'resource',
      category: 'Databases',
      owner: 'group:default/platform-admins',
      template: `template:default/${name}`,
      providers: ['local'],
      lifecycle: 'published',
      approval: {
        policy: 'above-threshold',
        threshold: { amount: '500.00', currency: 'USD' },
        approverGroups: ['group:default/platform-admins'],
      },
      plans: [
        {
          id: 'free',
          title: 'Free',
          price: { amount: '0.00', currency: 'USD', interval: 'month' },
        },
        {
          id: 'standard',
          title: 'Standard',
          price: { amount: '49.00', currency: 'USD', interval: 'month' },
        },
        {
          id: 'enterprise',
          title: 'Enterprise',
          price: { amount: '999.00', currency: 'USD', interval: 'month' },
        },
      ],
      ...spec,
    },
  };
}

/** A scaffolder template entity for tests. */
export function makeTemplate(name: string): Entity {
  return {
    apiVersion: 'scaffolder.backstage.io/v1beta3',
    kind: 'Template',
    metadata: { name, namespace: 'default' },
    spec: {
      owner: 'group:default/platform-admins',
      type: 'service',
      parameters: [
        {
          title: 'Instance',
          required: ['name'],
          properties: { name: { type: 'string', title: 'Name' } },
        },
      ],
      steps: [],
    },
  };
}
