import { Entity } from '@backstage/catalog-model';
import { makeProduct } from './products';
import { makeStackTemplate, subscriptionEntities } from './subscriptions';

/** The catalog of the billing tests: a product with metered plans besides the others. */
export const billingEntities: Entity[] = [
  ...subscriptionEntities,
  makeProduct('vm', {
    approval: { policy: 'none' },
    plans: [
      {
        id: 'metered',
        title: 'Metered',
        price: { amount: '10.00', currency: 'USD', interval: 'month' },
        meteredPrices: [
          {
            dimension: 'node-hours',
            unit: 'hour',
            amount: '0',
            currency: 'USD',
            tiers: [{ upTo: 100, amount: '0.10' }, { amount: '0.05' }],
          },
        ],
      },
    ],
  }),
  makeStackTemplate('vm'),
];
