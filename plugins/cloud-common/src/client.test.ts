import { ResponseError } from '@backstage/errors';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { CloudApiClient } from './client';

const CLOUD = 'http://cloud.test/api/cloud';

type Seen = {
  method: string;
  url: string;
  authorization: string | null;
  idempotencyKey: string | null;
  contentType: string | null;
  body: unknown;
};

describe('CloudApiClient', () => {
  const server = setupServer();
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  afterEach(() => server.resetHandlers());
  afterAll(() => server.close());

  const seen: Seen[] = [];
  beforeEach(() => {
    seen.length = 0;
    server.use(
      http.all(`${CLOUD}/*`, async ({ request }) => {
        const text = await request.text();
        seen.push({
          method: request.method,
          url: request.url.slice(CLOUD.length),
          authorization: request.headers.get('authorization'),
          idempotencyKey: request.headers.get('idempotency-key'),
          contentType: request.headers.get('content-type'),
          body: text ? JSON.parse(text) : undefined,
        });
        if (request.url.includes('format=csv')) {
          return HttpResponse.text('kind,id\n');
        }
        if (request.url.endsWith('/logs')) {
          return HttpResponse.json({ logs: 'the log' });
        }
        return HttpResponse.json({ items: ['item'], id: 'stack-1' });
      }),
    );
  });

  const client = new CloudApiClient({
    discoveryApi: {
      getBaseUrl: async pluginId => `http://cloud.test/api/${pluginId}`,
    },
  });

  it('sends each call of the contract as the cloud backend expects it', async () => {
    const token = 'a-token';
    const spec = { roles: [{ name: 'app', count: 1, runtime: 'node' }] };
    await client.listProviders({ token });
    await client.listStacks({
      owner: 'group:default/a team',
      includeDeleted: true,
      limit: 20,
      cursor: 'WyJhIl0',
    });
    await client.getStack('id/1');
    await client.createStack(
      {
        name: 'shop',
        owner: 'group:default/web',
        provider: 'local',
        region: 'local',
        spec,
      },
      { token, idempotencyKey: 'key-1' },
    );
    await client.deleteStack('s1', { idempotencyKey: 'key-2' });
    await client.operate('s1', 'stop', ['app-1']);
    await client.operate('s1', 'start');
    await client.scale('s1', 'app', 3);
    await client.setStackLimits('s1', { instances: 4 }, { token });
    await client.runScript('s1', 'app-1', 'uptime', 5);
    expect(await client.getLogs('s1', 'app-1')).toBe('the log');
    await client.listUsage({ kind: 'node', from: '2026-11-01T00:00:00Z' });
    expect(await client.exportUsageCsv({ owner: 'group:default/web' })).toBe(
      'kind,id\n',
    );
    await client.getStackMetrics('s1', { range: '7d' });
    await client.getNodeMetrics('s1', 'app-1', {
      from: '2026-11-01T00:00:00Z',
      resolution: '1h',
      metric: ['cpu', 'memory'],
    });
    expect(await client.listStackAlerts('s1', { limit: 10 })).toEqual(
      expect.objectContaining({ items: ['item'] }),
    );
    await client.getMonitoringOverview({ token });

    expect(
      seen.map(s => [
        s.method,
        s.url,
        s.body,
        s.authorization,
        s.idempotencyKey,
      ]),
    ).toEqual([
      ['GET', '/providers', undefined, 'Bearer a-token', null],
      [
        'GET',
        '/stacks?owner=group%3Adefault%2Fa+team&includeDeleted=true&limit=20&cursor=WyJhIl0',
        undefined,
        null,
        null,
      ],
      ['GET', '/stacks/id%2F1', undefined, null, null],
      [
        'POST',
        '/stacks',
        {
          name: 'shop',
          owner: 'group:default/web',
          provider: 'local',
          region: 'local',
          spec,
        },
        'Bearer a-token',
        'key-1',
      ],
      ['DELETE', '/stacks/s1', undefined, null, 'key-2'],
      ['POST', '/stacks/s1/stop', { nodes: ['app-1'] }, null, null],
      ['POST', '/stacks/s1/start', {}, null, null],
      ['POST', '/stacks/s1/scale', { role: 'app', count: 3 }, null, null],
      ['PUT', '/stacks/s1/limits', { instances: 4 }, 'Bearer a-token', null],
      [
        'POST',
        '/stacks/s1/nodes/app-1/script',
        { script: 'uptime', timeoutSeconds: 5 },
        null,
        null,
      ],
      ['GET', '/stacks/s1/nodes/app-1/logs', undefined, null, null],
      [
        'GET',
        '/usage?kind=node&from=2026-11-01T00%3A00%3A00Z',
        undefined,
        null,
        null,
      ],
      [
        'GET',
        '/usage?owner=group%3Adefault%2Fweb&format=csv',
        undefined,
        null,
        null,
      ],
      ['GET', '/stacks/s1/metrics?range=7d', undefined, null, null],
      [
        'GET',
        '/stacks/s1/nodes/app-1/metrics?from=2026-11-01T00%3A00%3A00Z&resolution=1h&metric=cpu&metric=memory',
        undefined,
        null,
        null,
      ],
      ['GET', '/stacks/s1/alerts?limit=10', undefined, null, null],
      ['GET', '/monitoring/overview', undefined, 'Bearer a-token', null],
    ]);
    expect(
      seen.filter(s => s.body !== undefined).map(s => s.contentType),
    ).toEqual(Array(6).fill('application/json'));
  });

  it('throws a ResponseError that says what the backend answered', async () => {
    server.use(
      http.post(`${CLOUD}/stacks/s1/scale`, () =>
        HttpResponse.json(
          {
            error: {
              name: 'ConflictError',
              message: "Stack 'shop' is stopped",
            },
            response: { statusCode: 409 },
          },
          { status: 409, statusText: 'Conflict' },
        ),
      ),
    );
    const error = await client.scale('s1', 'app', 2).catch(e => e);
    expect(error).toBeInstanceOf(ResponseError);
    expect(error.statusCode).toBe(409);
    expect(error.message).toBe(
      "Request failed with 409 Conflict: Stack 'shop' is stopped",
    );
    expect(error.cause).toMatchObject({ name: 'ConflictError' });
  });

  it('uses the fetch it is given, e.g. the frontend fetch API that adds the user token', async () => {
    const fetchApi = {
      fetch: jest.fn((input: RequestInfo | URL, init?: RequestInit) =>
        fetch(input, {
          ...init,
          headers: {
            ...(init?.headers as object),
            authorization: 'Bearer user',
          },
        }),
      ),
    };
    const withFetch = new CloudApiClient({
      discoveryApi: { getBaseUrl: async () => CLOUD },
      fetchApi,
    });
    await withFetch.listStacks();
    expect(fetchApi.fetch).toHaveBeenCalledTimes(1);
    expect(seen[0].authorization).toBe('Bearer user');
    expect(await withFetch.usageCsvUrl({ kind: 'stack' })).toBe(
      `${CLOUD}/usage?kind=stack&format=csv`,
    );
  });
});
