import { createBackendModule } from '@backstage/backend-plugin-api';
import { Entity } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import {
  PaymentRequest,
  storePaymentsExtensionPoint,
} from '@internal/plugin-store-node';
import type { StoreTestBackend } from './backend';
import { makeGroup, makeRunnableTemplate, makeUser } from './orders';
import { makeProduct } from './products';

/**
 * A payment module for tests: it records what it settles, and refuses to
 * settle while `failing` is set, as a chargeback module does for a billing
 * account without a cost centre.
 */
export function createTestPaymentsModule() {
  const settled: PaymentRequest[] = [];
  const control = { failing: false };
  const module = createBackendModule({
    pluginId: 'store',
    moduleId: 'test-payments',
    register(env) {
      env.registerInit({
        deps: { payments: storePaymentsExtensionPoint },
        async init({ payments }) {
          payments.setPaymentMethod({
            id: 'test',
            async settle(request) {
              if (control.failing) {
                throw new InputError(
                  `Billing account ${request.billingAccount} cannot be charged`,
                );
              }
              settled.push(request);
              return { reference: `ref-${settled.length}`, status: 'settled' };
            },
          });
        },
      });
    },
  });
  return { module, settled, control };
}

/**
 * Places an order as `user` and waits for the subscription that its
 * fulfilment starts; returns the subscription as `admin` lists it.
 */
export async function subscriptionOfOrder(
  backend: Pick<StoreTestBackend, 'as'>,
  options: { user: string; admin: string; order: object },
) {
  const { as } = backend;
  const created = await as(options.user).post('/orders', options.order);
  expect(created.status).toBe(201);
  const deadline = Date.now() + 60_000;
  for (;;) {
    const list = await as(options.admin).get('/subscriptions');
    const found = list.body.items?.find(
      (s: { orderId: string }) => s.orderId === created.body.id,
    );
    if (found) {
      return found as { id: string; stacks: string[] };
    }
    const order = await as(options.user).get(`/orders/${created.body.id}`);
    if (['failed', 'rejected'].includes(order.body.status)) {
      throw new Error(`Order ${created.body.id} is ${order.body.status}`);
    }
    if (Date.now() > deadline) {
      throw new Error(`Order ${created.body.id} started no subscription`);
    }
    await new Promise(resolve => setTimeout(resolve, 50));
  }
}

/** A template that deploys one stack and outputs its id, as the real ones do. */
export function makeStackTemplate(name: string): Entity {
  const template = makeRunnableTemplate(name);
  const spec = template.spec as {
    parameters: Array<{ properties: Record<string, unknown> }>;
    output: Record<string, unknown>;
  };
  spec.parameters[0].properties.owner = { type: 'string' };
  spec.output.stackIds = 'st-${{ parameters.name }}';
  return template;
}

/** The catalog of the subscription tests. */
export const subscriptionEntities: Entity[] = [
  makeProduct('db', {
    approval: { policy: 'none' },
    plans: [
      {
        id: 'free',
        title: 'Free',
        price: { amount: '0.00', currency: 'USD', interval: 'month' },
        limits: { instances: 1 },
      },
      {
        id: 'standard',
        title: 'Standard',
        price: { amount: '49.00', currency: 'USD', interval: 'month' },
        limits: { instances: 2 },
      },
      {
        id: 'enterprise',
        title: 'Enterprise',
        price: { amount: '999.00', currency: 'USD', interval: 'month' },
        limits: { instances: 5 },
      },
      {
        id: 'trial',
        title: 'Pro trial',
        trialDays: 14,
        price: { amount: '49.00', currency: 'USD', interval: 'month' },
      },
      {
        id: 'euro',
        title: 'Euro',
        price: { amount: '40.00', currency: 'EUR', interval: 'month' },
      },
    ],
  }),
  makeStackTemplate('db'),
  makeUser('developer', ['team-web']),
  makeUser('colleague', ['team-web']),
  makeUser('outsider', ['team-data']),
  makeUser('platform-admin', ['platform-admins']),
  {
    ...makeGroup('team-web'),
    metadata: {
      name: 'team-web',
      namespace: 'default',
      annotations: { 'cloudstore.io/cost-center': 'CC-4711' },
    },
  },
  makeGroup('team-data'),
  makeGroup('platform-admins'),
];
