import { Entity } from '@backstage/catalog-model';
import { mockServices } from '@backstage/backend-test-utils';
import { JsonValue } from '@backstage/types';
import {
  ProductEntityProcessor,
  validateProductEntity,
} from './ProductEntityProcessor';

function goodProduct(): Entity {
  return {
    apiVersion: 'cloudstore.io/v1alpha1',
    kind: 'Product',
    metadata: { name: 'postgresql', title: 'PostgreSQL Database' },
    spec: {
      type: 'resource',
      category: 'Databases',
      owner: 'group:default/platform-admins',
      template: 'template:default/postgresql',
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
          price: { amount: '0', currency: 'USD', interval: 'month' },
        },
        {
          id: 'enterprise',
          title: 'Enterprise',
          price: { amount: '999.00', currency: 'USD', interval: 'month' },
          trialDays: 14,
          limits: { instances: 3, cpu: '4', memory: '16Gi' },
          meteredPrices: [
            {
              dimension: 'storage',
              unit: 'GiB-month',
              amount: '0.10',
              currency: 'USD',
            },
          ],
        },
      ],
    },
  };
}

function withSpec(mutate: (spec: any) => void): Entity {
  const entity = goodProduct();
  mutate(entity.spec);
  return entity;
}

describe('validateProductEntity', () => {
  it('accepts a good product', () => {
    expect(validateProductEntity(goodProduct())).toBe(true);
  });

  it('accepts metered prices finer than their currency, and users as owners', () => {
    expect(
      validateProductEntity(
        withSpec(s => {
          s.plans[1].meteredPrices[0].amount = '0.0005';
          s.owner = 'user:default/platform-admin';
          s.audience = ['user:default/developer', 'team-web'];
        }),
      ),
    ).toBe(true);
  });

  it('accepts a product whose plan limits govern template parameters', () => {
    expect(
      validateProductEntity(
        withSpec(s => {
          s.limitParameters = { instances: 'appNodes' };
        }),
      ),
    ).toBe(true);
  });

  it('accepts a plan that provides nodes by role within its limit', () => {
    expect(
      validateProductEntity(
        withSpec(s => {
          s.plans[1].nodes = { app: 3, db: 1 };
        }),
      ),
    ).toBe(true);
  });

  it('accepts plans with alert rules, as durations in any form config takes', () => {
    expect(
      validateProductEntity(
        withSpec(s => {
          s.plans[0].alerts = { cpu: false, notReporting: { for: 'PT5M' } };
          s.plans[1].alerts = {
            cpu: { percent: 80, for: '10m' },
            memory: { percent: 95, for: { minutes: 2 } },
          };
        }),
      ),
    ).toBe(true);
  });

  it('ignores entities of other kinds', () => {
    expect(
      validateProductEntity({
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'Component',
        metadata: { name: 'x' },
      }),
    ).toBe(false);
  });

  it.each([
    [
      'a bad currency code',
      withSpec(s => {
        s.plans[1].price.currency = 'XYZ';
      }),
      /spec\.plans\[1\]\.price\.currency "XYZ" is not an ISO 4217/,
    ],
    [
      'a lower-case currency code',
      withSpec(s => {
        s.plans[0].price.currency = 'usd';
      }),
      /spec\.plans\[0\]\.price\.currency/,
    ],
    [
      'a price that is a number',
      withSpec(s => {
        s.plans[1].price.amount = 999;
      }),
      /spec\.plans\[1\]\.price\.amount/,
    ],
    [
      'a price that is not a decimal string',
      withSpec(s => {
        s.plans[1].price.amount = '9,99';
      }),
      /spec\.plans\[1\]\.price\.amount/,
    ],
    [
      'an unknown interval',
      withSpec(s => {
        s.plans[0].price.interval = 'weekly';
      }),
      /spec\.plans\[0\]\.price\.interval/,
    ],
    [
      'a duplicate plan id',
      withSpec(s => {
        s.plans[1].id = 'free';
      }),
      /spec\.plans\[1\]\.id "free" duplicates the id of spec\.plans\[0\]/,
    ],
    [
      'a missing template ref',
      withSpec(s => {
        delete s.template;
      }),
      /spec must have required property 'template'/,
    ],
    [
      'a malformed template ref',
      withSpec(s => {
        s.template = 'template:';
      }),
      /spec\.template "template:" is not a valid entity ref/,
    ],
    [
      'an unknown lifecycle',
      withSpec(s => {
        s.lifecycle = 'retired';
      }),
      /spec\.lifecycle/,
    ],
    [
      'a metered price in a bad currency',
      withSpec(s => {
        s.plans[1].meteredPrices[0].currency = 'ABC';
      }),
      /spec\.plans\[1\]\.meteredPrices\[0\]\.currency/,
    ],
    [
      'graduated tiers without an open last tier',
      withSpec(s => {
        s.plans[1].meteredPrices[0].tiers = [{ upTo: 10, amount: '1.00' }];
      }),
      /spec\.plans\[1\]\.meteredPrices\[0\] is invalid: .*last tier/,
    ],
    [
      'a threshold policy without a threshold',
      withSpec(s => {
        delete s.approval.threshold;
      }),
      /spec\.approval\.threshold is required/,
    ],
    [
      'a limit parameter for a limit that does not exist',
      withSpec(s => {
        s.limitParameters = { nodes: 'appNodes' };
      }),
      /spec\.limitParameters\.nodes is not a plan limit that can govern a parameter; use one of: instances/,
    ],
    [
      'a limit parameter for a limit that is not a number',
      withSpec(s => {
        s.limitParameters = { cpu: 'cpus' };
      }),
      /spec\.limitParameters\.cpu is not a plan limit/,
    ],
    [
      'more nodes of a role than the plan allows',
      withSpec(s => {
        s.plans[1].nodes = { app: 4 };
      }),
      /spec\.plans\[1\]\.nodes\.app 4 is above the plan's limits\.instances 3/,
    ],
    [
      'a node count that is not a whole number',
      withSpec(s => {
        s.plans[1].nodes = { app: 1.5 };
      }),
      /spec\.plans\[1\]\.nodes\.app must be integer/,
    ],
    [
      'a node count for a name that is not a role',
      withSpec(s => {
        s.plans[1].nodes = { 'App Nodes': 1 };
      }),
      /spec\.plans\[1\]\.nodes/,
    ],
    [
      'a limit parameter that is not a parameter name',
      withSpec(s => {
        s.limitParameters = { instances: 3 };
      }),
      /spec\.limitParameters\.instances/,
    ],
    [
      'an alert duration that is not one',
      withSpec(s => {
        s.plans[1].alerts = { cpu: { percent: 80, for: 'soon' } };
      }),
      /spec\.plans\[1\]\.alerts\.cpu/,
    ],
    [
      'an alert percent that is not above 0',
      withSpec(s => {
        s.plans[1].alerts = { memory: { percent: 0 } };
      }),
      /spec\.plans\[1\]\.alerts\.memory/,
    ],
    [
      'an alert rule the cloud does not know',
      withSpec(s => {
        s.plans[1].alerts = { disk: { percent: 90 } };
      }),
      /spec\.plans\[1\]\.alerts/,
    ],
    [
      'a price finer than its currency',
      withSpec(s => {
        s.plans[1].price.amount = '999.005';
      }),
      /spec\.plans\[1\]\.price\.amount "999\.005" has more decimals than USD's 2/,
    ],
    [
      'a threshold finer than its currency',
      withSpec(s => {
        s.approval.threshold = { amount: '500.5', currency: 'JPY' };
      }),
      /spec\.approval\.threshold\.amount "500\.5" has more decimals than JPY's 0/,
    ],
    [
      'an approver that is not a group',
      withSpec(s => {
        s.approval.approverGroups = ['user:default/approver'];
      }),
      /spec\.approval\.approverGroups\[0\] "user:default\/approver" is a user, not a group/,
    ],
    [
      'a template ref of another kind',
      withSpec(s => {
        s.template = 'component:default/postgresql';
      }),
      /spec\.template "component:default\/postgresql" is a component, not a template/,
    ],
  ])('rejects %s, naming the field', (_, entity, message) => {
    expect(() => validateProductEntity(entity)).toThrow(message);
  });
});

describe('ProductEntityProcessor', () => {
  it('relates a product to its owner and template', async () => {
    const emit = jest.fn();
    const processor = new ProductEntityProcessor();
    await processor.postProcessEntity(
      goodProduct(),
      { type: 'url', target: 'x' },
      emit,
    );
    const relations = emit.mock.calls.map(([r]) => [
      r.relation.type,
      `${r.relation.source.kind}:${r.relation.source.name}`,
      `${r.relation.target.kind}:${r.relation.target.name}`,
    ]);
    expect(relations).toEqual([
      ['ownedBy', 'Product:postgresql', 'group:platform-admins'],
      ['ownerOf', 'group:platform-admins', 'Product:postgresql'],
      ['dependsOn', 'Product:postgresql', 'template:postgresql'],
      ['dependencyOf', 'template:postgresql', 'Product:postgresql'],
    ]);
  });
});

describe('ProductEntityProcessor events', () => {
  it('announces a product when its content is new, not on every processing', async () => {
    const events = mockServices.events.mock();
    const processor = new ProductEntityProcessor({ events });
    const stored = new Map<string, JsonValue>();
    const cache = {
      get: async <T extends JsonValue>(key: string) =>
        stored.get(key) as T | undefined,
      set: async <T extends JsonValue>(key: string, value: T) => {
        stored.set(key, value);
      },
    };
    const location = { type: 'url', target: 'https://example.com/p.yaml' };
    const process = (entity: Entity) =>
      processor.postProcessEntity(entity, location, () => {}, cache);

    await process(goodProduct());
    await process(goodProduct());
    expect(events.publish).toHaveBeenCalledTimes(1);
    expect(events.publish).toHaveBeenCalledWith({
      topic: 'store.product.changed',
      eventPayload: { entityRef: 'product:default/postgresql' },
    });

    const changed = goodProduct();
    changed.metadata.title = 'PostgreSQL 16';
    await process(changed);
    expect(events.publish).toHaveBeenCalledTimes(2);

    // Other kinds are none of the store's business.
    await process({ ...changed, kind: 'Component' });
    expect(events.publish).toHaveBeenCalledTimes(2);
  });
});
