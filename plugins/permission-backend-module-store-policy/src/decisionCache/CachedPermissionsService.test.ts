import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import {
  AuthorizeResult,
  createPermission,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import { CachedPermissionsService } from './CachedPermissionsService';

const read = createPermission({
  name: 'store.product.read',
  attributes: { action: 'read' },
  resourceType: 'store-product',
});
const create = createPermission({
  name: 'store.order.create',
  attributes: { action: 'create' },
});
const filter: PolicyDecision = {
  result: AuthorizeResult.CONDITIONAL,
  pluginId: 'store',
  resourceType: 'store-product',
  conditions: {
    rule: 'HAS_LIFECYCLE',
    resourceType: 'store-product',
    params: { lifecycles: ['published'] },
  },
};

function setup() {
  let now = 1_000_000;
  let answer: PolicyDecision = filter;
  const backend = mockServices.permissions.mock({
    authorizeConditional: jest.fn(async requests =>
      requests.map(() => answer as any),
    ),
    authorize: jest.fn(async requests =>
      requests.map(() => ({ result: AuthorizeResult.ALLOW })),
    ),
  });
  const listeners: Array<() => void> = [];
  const changes = {
    notifyChanged: () => listeners.forEach(l => l()),
    subscribe: (l: () => void) => {
      listeners.push(l);
      return () => {};
    },
  };
  const service = CachedPermissionsService.create({
    permissions: backend,
    auth: mockServices.auth(),
    policyChanges: changes,
    ttl: { seconds: 5 },
    now: () => now,
  });
  return {
    backend,
    service,
    changes,
    tick: (ms: number) => {
      now += ms;
    },
    answer: (decision: PolicyDecision) => {
      answer = decision;
    },
  };
}

describe('CachedPermissionsService', () => {
  const alice = mockCredentials.user('user:default/alice');
  const bob = mockCredentials.user('user:default/bob');

  it('asks the permission backend once for a user and permission within the time to live', async () => {
    const { backend, service, tick } = setup();
    const first = await service.authorizeConditional([{ permission: read }], {
      credentials: alice,
    });
    tick(4_000);
    const second = await service.authorizeConditional([{ permission: read }], {
      credentials: alice,
    });
    expect(first).toEqual([filter]);
    expect(second).toEqual([filter]);
    expect(backend.authorizeConditional).toHaveBeenCalledTimes(1);

    tick(1_000);
    await service.authorizeConditional([{ permission: read }], {
      credentials: alice,
    });
    expect(backend.authorizeConditional).toHaveBeenCalledTimes(2);
  });

  it('keeps the decisions of each user apart', async () => {
    const { backend, service, answer } = setup();
    await service.authorizeConditional([{ permission: read }], {
      credentials: alice,
    });
    answer({ result: AuthorizeResult.DENY });
    await expect(
      service.authorizeConditional([{ permission: read }], {
        credentials: bob,
      }),
    ).resolves.toEqual([{ result: AuthorizeResult.DENY }]);
    await expect(
      service.authorizeConditional([{ permission: read }], {
        credentials: alice,
      }),
    ).resolves.toEqual([filter]);
    expect(backend.authorizeConditional).toHaveBeenCalledTimes(2);
  });

  it('shares one round trip between concurrent requests, and asks only for what it does not keep', async () => {
    const { backend, service } = setup();
    await Promise.all(
      Array.from({ length: 10 }, () =>
        service.authorize([{ permission: create }], { credentials: alice }),
      ),
    );
    expect(backend.authorize).toHaveBeenCalledTimes(1);

    const both = await service.authorizeConditional(
      [{ permission: read }, { permission: read }],
      { credentials: alice },
    );
    expect(both).toEqual([filter, filter]);
    expect(backend.authorizeConditional).toHaveBeenCalledTimes(1);
  });

  it('drops every decision when the access policy changes, and keeps none asked before', async () => {
    const { backend, service, changes, answer } = setup();
    await service.authorizeConditional([{ permission: read }], {
      credentials: alice,
    });
    // A decision asked before a change, answered after it.
    let release = () => {};
    const asked = new Promise<void>(resolveAsked => {
      backend.authorizeConditional.mockImplementationOnce(
        requests =>
          new Promise(resolve => {
            release = () => resolve(requests.map(() => filter as any));
            resolveAsked();
          }),
      );
    });
    changes.notifyChanged();
    const inFlight = service.authorizeConditional([{ permission: read }], {
      credentials: bob,
    });
    await asked;
    changes.notifyChanged();
    release();
    await expect(inFlight).resolves.toEqual([filter]);

    answer({ result: AuthorizeResult.DENY });
    await expect(
      service.authorizeConditional([{ permission: read }], {
        credentials: alice,
      }),
    ).resolves.toEqual([{ result: AuthorizeResult.DENY }]);
    await expect(
      service.authorizeConditional([{ permission: read }], {
        credentials: bob,
      }),
    ).resolves.toEqual([{ result: AuthorizeResult.DENY }]);
    expect(backend.authorizeConditional).toHaveBeenCalledTimes(4);
  });

  it('always asks about a resource, and for services', async () => {
    const { backend, service } = setup();
    for (let i = 0; i < 2; i++) {
      await service.authorize(
        [{ permission: read, resourceRef: 'product:default/a' }],
        { credentials: alice },
      );
      await service.authorize([{ permission: create }], {
        credentials: mockCredentials.service(),
      });
    }
    expect(backend.authorize).toHaveBeenCalledTimes(4);
  });

  it('does not keep a failed answer', async () => {
    const { backend, service } = setup();
    backend.authorizeConditional.mockRejectedValueOnce(new Error('down'));
    await expect(
      service.authorizeConditional([{ permission: read }], {
        credentials: alice,
      }),
    ).rejects.toThrow('down');
    await expect(
      service.authorizeConditional([{ permission: read }], {
        credentials: alice,
      }),
    ).resolves.toEqual([filter]);
  });
});
