import {
  filtersFromParams,
  filtersProblem,
  filtersToParams,
  toListFilters,
} from './ordersAdminFilters';

describe('ordersAdminFilters', () => {
  it('round-trips through the URL and drops what it does not know', () => {
    const filters = filtersFromParams(
      new URLSearchParams(
        'status=failed&status=shipped&requester=developer&from=2026-01-01&to=junk',
      ),
    );
    expect(filters).toEqual({
      status: ['failed'],
      product: '',
      requester: 'developer',
      group: '',
      from: '2026-01-01',
      to: '',
    });
    expect(filtersToParams(filters).toString()).toBe(
      'status=failed&requester=developer&from=2026-01-01',
    );
  });

  it('turns days into a half-open range of UTC times, the last day included', () => {
    const filters = filtersFromParams(
      new URLSearchParams('from=2026-02-28&to=2026-02-28'),
    );
    expect(toListFilters(filters)).toMatchObject({
      createdAfter: '2026-02-28T00:00:00Z',
      createdBefore: '2026-03-01T00:00:00Z',
    });
    expect(filtersProblem(filters)).toBeUndefined();
    expect(
      filtersProblem({ ...filters, from: '2026-03-01', to: '2026-02-01' }),
    ).toMatch(/after the end date/);
  });
});
