import { mockServices } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { GroupAncestryResolver } from './GroupAncestryResolver';

function group(name: string, parent?: string, childOf: string[] = []): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Group',
    metadata: { name, namespace: 'default' },
    spec: { type: 'team', children: [], ...(parent ? { parent } : {}) },
    relations: childOf.map(targetRef => ({ type: 'childOf', targetRef })),
  };
}

// The demo organisation of examples/org.yaml, in part.
const org = [
  group('acme'),
  group('engineering', 'acme'),
  group('developers', 'engineering'),
  // Known only through its relation, as the catalog emits it.
  group('team-data', undefined, ['group:default/developers']),
  group('team-web', 'developers'),
  group('finance', 'acme'),
];

describe('GroupAncestryResolver', () => {
  const auth = mockServices.auth();
  const logger = mockServices.logger.mock();

  it('adds every ancestor group of a nested member', async () => {
    const resolver = GroupAncestryResolver.create({
      catalog: catalogServiceMock({ entities: org }),
      auth,
      logger,
    });
    const claims = await resolver.resolve([
      'user:default/data-scientist',
      'group:default/team-data',
    ]);
    expect(claims.sort()).toEqual([
      'group:default/acme',
      'group:default/developers',
      'group:default/engineering',
      'group:default/team-data',
      'user:default/data-scientist',
    ]);
  });

  it('adds nothing from groups the user is not in', async () => {
    const resolver = GroupAncestryResolver.create({
      catalog: catalogServiceMock({ entities: org }),
      auth,
      logger,
    });
    const claims = await resolver.resolve([
      'user:default/accountant',
      'group:default/Finance',
    ]);
    expect(claims.sort()).toEqual([
      'group:default/acme',
      'group:default/finance',
      'user:default/accountant',
    ]);
    expect(claims).not.toContain('group:default/developers');
  });

  it('stops at a cycle in the group graph', async () => {
    const resolver = GroupAncestryResolver.create({
      catalog: catalogServiceMock({
        entities: [group('a', 'b'), group('b', 'c'), group('c', 'a')],
      }),
      auth,
      logger,
    });
    const claims = await resolver.resolve(['group:default/a']);
    expect(claims.sort()).toEqual([
      'group:default/a',
      'group:default/b',
      'group:default/c',
    ]);
  });

  it('reads the group hierarchy from the catalog once per cache period', async () => {
    const catalog = catalogServiceMock({ entities: org });
    const getEntities = jest.spyOn(catalog, 'getEntities');
    let now = 0;
    const resolver = GroupAncestryResolver.create({
      catalog,
      auth,
      logger,
      cacheTtl: { seconds: 60 },
      now: () => now,
    });

    await Promise.all([
      resolver.resolve(['group:default/team-web']),
      resolver.resolve(['group:default/team-data']),
    ]);
    now = 59_000;
    await resolver.resolve(['group:default/team-web']);
    expect(getEntities).toHaveBeenCalledTimes(1);

    now = 61_000;
    await resolver.resolve(['group:default/team-web']);
    expect(getEntities).toHaveBeenCalledTimes(2);
  });

  it('falls back to the last known hierarchy when the catalog fails', async () => {
    const catalog = catalogServiceMock({ entities: org });
    let now = 0;
    const resolver = GroupAncestryResolver.create({
      catalog,
      auth,
      logger,
      now: () => now,
    });
    const getEntities = jest
      .spyOn(catalog, 'getEntities')
      .mockRejectedValueOnce(new Error('catalog down'));

    // No hierarchy known yet: direct membership only.
    expect(await resolver.resolve(['group:default/team-web'])).toEqual([
      'group:default/team-web',
    ]);
    expect(await resolver.resolve(['group:default/team-web'])).toContain(
      'group:default/developers',
    );

    now = 120_000;
    getEntities.mockRejectedValueOnce(new Error('catalog down'));
    expect(await resolver.resolve(['group:default/team-web'])).toContain(
      'group:default/developers',
    );
    expect(logger.warn).toHaveBeenCalledTimes(2);
  });
});
