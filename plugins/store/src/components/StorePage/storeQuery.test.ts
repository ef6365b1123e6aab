import { formatStoreView, parseStoreView, toggleValue } from './storeQuery';

describe('storeQuery', () => {
  it('round-trips a filtered view through the URL', () => {
    const params = new URLSearchParams(
      'q=postgres&category=Databases&tag=sql&tag=database&freePlan=true&maxPrice=50&sort=price',
    );
    const view = parseStoreView(params);
    expect(view).toEqual({
      query: {
        q: 'postgres',
        category: ['Databases'],
        tag: ['sql', 'database'],
        freePlan: true,
        maxPrice: '50',
      },
      sort: 'price',
    });
    expect(formatStoreView(view).toString()).toBe(
      'q=postgres&category=Databases&tag=sql&tag=database&maxPrice=50&freePlan=true&sort=price',
    );
  });

  it('falls back to sorting by name', () => {
    expect(parseStoreView(new URLSearchParams('sort=bogus')).sort).toBe('name');
  });

  it('toggles filter values', () => {
    const view = parseStoreView(new URLSearchParams('tag=sql'));
    expect(toggleValue(view, 'tag', 'cache').query.tag).toEqual([
      'sql',
      'cache',
    ]);
    expect(toggleValue(view, 'tag', 'sql').query.tag).toBeUndefined();
  });
});
