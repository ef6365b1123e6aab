import { mockServices } from '@backstage/backend-test-utils';
import { StoreProductCollatorFactory } from './StoreProductCollatorFactory';

function product(name: string) {
  return {
    ref: `product:default/${name}`,
    namespace: 'default',
    name,
    title: `${name} title`,
    summary: `${name} summary`,
    type: 'resource',
    category: 'Databases',
    owner: 'group:default/platform-admins',
    providers: ['local'],
    tags: ['sql'],
    lifecycle: 'published',
    hasFreePlan: true,
    needsApproval: false,
    orderable: true,
    orderCount: 0,
    createdAt: '2026-11-25T00:00:00.000Z',
  };
}

describe('StoreProductCollatorFactory', () => {
  it('pages through the store and links each product to its store page', async () => {
    const fetchFn = jest.fn(async (url: string) => {
      const cursor = new URL(url).searchParams.get('cursor');
      const body = cursor
        ? { items: [product('redis')] }
        : { items: [product('postgresql')], nextCursor: 'next' };
      return new Response(JSON.stringify(body), {
        headers: { 'Content-Type': 'application/json' },
      });
    });
    const factory = StoreProductCollatorFactory.create({
      discovery: mockServices.discovery(),
      auth: mockServices.auth(),
      fetch: fetchFn as unknown as typeof fetch,
    });
    expect(factory.visibilityPermission.name).toBe('store.product.read');

    const documents = [];
    for await (const document of await factory.getCollator()) {
      documents.push(document);
    }
    expect(fetchFn).toHaveBeenCalledTimes(2);
    expect(fetchFn.mock.calls[1][0]).toMatch(
      /\/api\/store\/products\?limit=100&cursor=next$/,
    );
    expect(documents).toEqual([
      expect.objectContaining({
        title: 'postgresql title',
        text: 'postgresql summary',
        location: '/store/products/default/postgresql',
        authorization: { resourceRef: 'product:default/postgresql' },
      }),
      expect.objectContaining({
        title: 'redis title',
        location: '/store/products/default/redis',
      }),
    ]);
  });

  it('fails when the store does', async () => {
    const factory = StoreProductCollatorFactory.create({
      discovery: mockServices.discovery(),
      auth: mockServices.auth(),
      fetch: (async () =>
        new Response('{"error":{"name":"Error","message":"down"}}', {
          status: 503,
        })) as unknown as typeof fetch,
    });
    const collator = await factory.getCollator();
    await expect(async () => {
      for await (const _ of collator) {
        // draining
      }
    }).rejects.toThrow(/503/);
  });
});
