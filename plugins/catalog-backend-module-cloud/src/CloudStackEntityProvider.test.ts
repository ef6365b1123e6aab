import { mockServices } from '@backstage/backend-test-utils';
import { EntityProviderConnection } from '@backstage/plugin-catalog-node';
import { Stack } from '@internal/plugin-cloud-common';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { CloudStackEntityProvider } from './CloudStackEntityProvider';

const CLOUD = 'http://cloud.test/api/cloud';

function makeStack(overrides: Partial<Stack>): Stack {
  return {
    id: 'id-1',
    name: 'shop',
    owner: 'group:default/team-a',
    provider: 'local',
    region: 'local-1',
    status: 'running',
    spec: { roles: [{ name: 'app', count: 1 }] },
    createdBy: 'user:default/alice',
    createdAt: '2026-11-25T10:00:00.000Z',
    ...overrides,
  };
}

describe('CloudStackEntityProvider', () => {
  const server = setupServer();
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  afterEach(() => server.resetHandlers());
  afterAll(() => server.close());

  const connection = {
    applyMutation: jest.fn(),
    refresh: jest.fn(),
  } satisfies EntityProviderConnection;

  function createProvider(defaultOwner?: string) {
    return CloudStackEntityProvider.create({
      auth: mockServices.auth({ pluginId: 'catalog' }),
      discovery: {
        getBaseUrl: async () => CLOUD,
        getExternalBaseUrl: async () => CLOUD,
      },
      logger: mockServices.logger.mock(),
      appBaseUrl: 'http://app.test',
      defaultOwner,
    });
  }

  beforeEach(() => jest.resetAllMocks());

  it('replaces the catalog set with the live stacks of every page, as a service', async () => {
    let authorization: string | null = null;
    const asked: string[] = [];
    server.use(
      http.get(`${CLOUD}/stacks`, ({ request }) => {
        authorization = request.headers.get('authorization');
        const url = new URL(request.url);
        asked.push(url.search);
        if (url.searchParams.get('cursor') === 'page-2') {
          return HttpResponse.json({
            items: [makeStack({ id: 'nobody', name: 'orphan', owner: '' })],
          });
        }
        return HttpResponse.json({
          items: [
            makeStack({ id: 'live', name: 'shop', url: 'http://shop.test' }),
            makeStack({ id: 'gone', name: 'old', status: 'deleted' }),
          ],
          nextCursor: 'page-2',
        });
      }),
    );
    const provider = createProvider();
    await provider.connect(connection);
    await provider.refresh();

    expect(asked).toEqual(['?limit=500', '?limit=500&cursor=page-2']);
    expect(authorization).toMatch(/^Bearer /);
    expect(authorization).toContain('plugin:catalog');
    expect(authorization).toContain('"target":"cloud"');
    expect(connection.applyMutation).toHaveBeenCalledTimes(1);
    const mutation = connection.applyMutation.mock.calls[0][0];
    expect(mutation.type).toBe('full');
    const entities = mutation.entities.map(
      (e: { entity: { metadata: { name: string }; spec: object } }) => ({
        name: e.entity.metadata.name,
        spec: e.entity.spec,
      }),
    );
    expect(entities).toEqual([
      {
        name: 'shop',
        spec: { type: 'cloud-stack', owner: 'group:default/team-a' },
      },
      {
        name: 'orphan',
        spec: { type: 'cloud-stack', owner: 'user:default/alice' },
      },
    ]);
    expect(mutation.entities[0].locationKey).toBe('cloud-stacks');
    expect(mutation.entities[0].entity.metadata.links).toEqual([
      expect.objectContaining({ url: 'http://app.test/cloud/stacks/live' }),
      expect.objectContaining({ url: 'http://shop.test' }),
    ]);
  });

  it('gives owner-less stacks the configured default owner', async () => {
    server.use(
      http.get(`${CLOUD}/stacks`, () =>
        HttpResponse.json({ items: [makeStack({ owner: '' })] }),
      ),
    );
    const provider = createProvider('group:default/platform');
    await provider.connect(connection);
    await provider.refresh();
    const [{ entities }] = connection.applyMutation.mock.calls[0];
    expect(entities[0].entity.spec.owner).toBe('group:default/platform');
  });

  it('keeps entity names unique when stack names clash', async () => {
    server.use(
      http.get(`${CLOUD}/stacks`, () =>
        HttpResponse.json({
          items: [
            makeStack({ id: 'second', createdAt: '2026-11-25T11:00:00Z' }),
            makeStack({ id: 'first', createdAt: '2026-11-25T10:00:00Z' }),
          ],
        }),
      ),
    );
    const provider = createProvider();
    await provider.connect(connection);
    await provider.refresh();
    const [{ entities }] = connection.applyMutation.mock.calls[0];
    expect(
      entities.map((e: { entity: { metadata: { name: string } } }) => [
        e.entity.metadata.name,
      ]),
    ).toEqual([['shop'], ['shop-second']]);
  });

  it('leaves the catalog alone when the cloud backend fails', async () => {
    server.use(
      http.get(`${CLOUD}/stacks`, () =>
        HttpResponse.json(
          { error: { name: 'Error', message: 'boom' } },
          { status: 500 },
        ),
      ),
    );
    const provider = createProvider();
    await provider.connect(connection);
    await expect(provider.refresh()).rejects.toThrow(/500/);
    expect(connection.applyMutation).not.toHaveBeenCalled();
  });
});
