import { NotFoundError } from '@backstage/errors';
import { StoreClient } from './StoreClient';

describe('StoreClient', () => {
  const discoveryApi = {
    getBaseUrl: async () => 'http://localhost:7007/api/store',
  };

  function clientReturning(status: number, body: unknown) {
    const fetch = jest.fn(
      async (_url: string) =>
        new Response(JSON.stringify(body), {
          status,
          headers: { 'Content-Type': 'application/json' },
        }),
    );
    return {
      fetch,
      client: new StoreClient({ discoveryApi, fetchApi: { fetch } as any }),
    };
  }

  it('sends filters the way the store API reads them', async () => {
    const { fetch, client } = clientReturning(200, { items: [] });
    await client.listProducts({
      query: {
        q: 'postgres db',
        tag: ['sql', 'ha'],
        freePlan: true,
        maxPrice: '50.00',
      },
      sort: 'price',
      cursor: 'abc',
      limit: 10,
    });
    const url = new URL(fetch.mock.calls[0][0]);
    expect(url.pathname).toBe('/api/store/products');
    expect(url.searchParams.get('q')).toBe('postgres db');
    expect(url.searchParams.getAll('tag')).toEqual(['sql', 'ha']);
    expect(url.searchParams.get('freePlan')).toBe('true');
    expect(url.searchParams.get('maxPrice')).toBe('50.00');
    expect(url.searchParams.get('sort')).toBe('price');
    expect(url.searchParams.get('cursor')).toBe('abc');
    expect(url.searchParams.get('limit')).toBe('10');
  });

  it('turns error responses into errors of the same kind', async () => {
    const { client } = clientReturning(404, {
      error: { name: 'NotFoundError', message: 'No product product:default/x' },
      response: { statusCode: 404 },
    });
    const error = await client
      .getProduct({ namespace: 'default', name: 'x' })
      .catch(e => e);
    expect(error.name).toBe('ResponseError');
    expect(error.cause).toMatchObject({
      name: NotFoundError.name,
      message: 'No product product:default/x',
    });
  });
});
