import { NotFoundError } from '@backstage/errors';
import { StoreClient } from './StoreClient';

describe('StoreClient', () => {
  const discoveryApi = {
    getBaseUrl: async () => 'http://localhost:7007/api/store',
  };

  function clientReturning(status: number, body: unknown) {
    const fetch = jest.fn(
      async (_url: string, _init?: RequestInit) =>
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

  it('writes spaces as %20, which the API accepts, and never a raw +', async () => {
    const { fetch, client } = clientReturning(200, { items: [] });
    await client.listProducts({
      query: { q: 'c++ build', category: ['Web apps'] },
    });
    await client.getFacets({ query: { category: ['Web apps'] } });
    const [list, facets] = fetch.mock.calls.map(([u]) => u);
    expect(list).toContain('q=c%2B%2B%20build');
    expect(list).toContain('category=Web%20apps');
    expect(facets).toContain('category=Web%20apps');
    expect(list).not.toContain('+');
    expect(new URL(list).searchParams.get('q')).toBe('c++ build');
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

  it("reads the regions of each provider from the cloud backend's list", async () => {
    const fetch = jest.fn(
      async (_url: string) =>
        new Response(
          JSON.stringify({
            items: [
              { id: 'local', title: 'Local', regions: ['local'] },
              {
                id: 'openstack',
                title: 'OpenStack',
                regions: ['RegionOne', 'RegionTwo'],
              },
            ],
          }),
          { status: 200, headers: { 'Content-Type': 'application/json' } },
        ),
    );
    const client = new StoreClient({
      discoveryApi: {
        getBaseUrl: async (pluginId: string) =>
          `http://localhost:7007/api/${pluginId}`,
      },
      fetchApi: { fetch } as any,
    });
    await expect(client.listProviderRegions()).resolves.toEqual({
      local: ['local'],
      openstack: ['RegionOne', 'RegionTwo'],
    });
    expect(fetch.mock.calls[0][0]).toBe(
      'http://localhost:7007/api/cloud/providers',
    );
  });

  describe('orders', () => {
    function request(fetch: jest.Mock, index = 0) {
      const [url, init] = fetch.mock.calls[index] as [string, RequestInit];
      const headers = new Headers(init?.headers);
      return {
        url: new URL(url),
        method: init?.method,
        headers,
        body: init?.body ? JSON.parse(String(init.body)) : undefined,
      };
    }

    it('previews an order', async () => {
      const { fetch, client } = clientReturning(200, { plan: 'standard' });
      await client.previewOrder({
        product: 'product:default/postgresql',
        plan: 'standard',
      });
      const sent = request(fetch);
      expect(sent.method).toBe('POST');
      expect(sent.url.pathname).toBe('/api/store/orders/preview');
      expect(sent.body).toEqual({
        product: 'product:default/postgresql',
        plan: 'standard',
      });
    });

    it('places an order with an Idempotency-Key, a new one per order', async () => {
      const { fetch, client } = clientReturning(201, { id: 'o1' });
      const order = {
        product: 'product:default/postgresql',
        plan: 'standard',
        provider: 'local',
        parameters: { name: 'db1' },
        secrets: { password: 's3cret' },
      };
      await client.createOrder(order);
      await client.createOrder(order);
      await client.createOrder(order, { idempotencyKey: 'fixed' });
      const first = request(fetch, 0);
      expect(first.method).toBe('POST');
      expect(first.url.pathname).toBe('/api/store/orders');
      expect(first.body).toEqual(order);
      const key = first.headers.get('Idempotency-Key');
      expect(key).toMatch(/^[0-9a-f-]{32,36}$/);
      expect(request(fetch, 1).headers.get('Idempotency-Key')).not.toBe(key);
      expect(request(fetch, 2).headers.get('Idempotency-Key')).toBe('fixed');
    });

    it('lists orders of a scope and status', async () => {
      const { fetch, client } = clientReturning(200, {
        items: [],
        totalItems: 0,
      });
      await client.listOrders({
        scope: 'inbox',
        status: ['pending_approval', 'approved'],
        limit: 20,
      });
      const { url, method } = request(fetch);
      expect(method).toBe('GET');
      expect(url.pathname).toBe('/api/store/orders');
      expect(url.searchParams.get('scope')).toBe('inbox');
      expect(url.searchParams.getAll('status')).toEqual([
        'pending_approval',
        'approved',
      ]);
      expect(url.searchParams.get('limit')).toBe('20');
    });

    it('reads one order', async () => {
      const { fetch, client } = clientReturning(200, { id: 'a/b' });
      await client.getOrder({ id: 'a/b' });
      expect(request(fetch).url.pathname).toBe('/api/store/orders/a%2Fb');
    });

    it.each(['approve', 'reject', 'cancel', 'retry'] as const)(
      'sends %s with its comment',
      async action => {
        const { fetch, client } = clientReturning(200, { id: 'o1' });
        await client.decideOrder({ id: 'o1', action, comment: 'Looks fine' });
        const sent = request(fetch);
        expect(sent.method).toBe('POST');
        expect(sent.url.pathname).toBe(`/api/store/orders/o1/${action}`);
        expect(sent.body).toEqual({ comment: 'Looks fine' });
        expect(sent.headers.get('Idempotency-Key')).toBeTruthy();
      },
    );

    it('turns a conflicting decision into an error', async () => {
      const { client } = clientReturning(409, {
        error: { name: 'ConflictError', message: 'Someone else decided' },
        response: { statusCode: 409 },
      });
      const error = await client
        .decideOrder({ id: 'o1', action: 'approve' })
        .catch(e => e);
      expect(error.cause).toMatchObject({ name: 'ConflictError' });
    });
  });
  describe('subscriptions', () => {
    function request(fetch: jest.Mock, index = 0) {
      const [url, init] = fetch.mock.calls[index] as [string, RequestInit];
      return {
        url: new URL(url),
        method: init?.method,
        headers: new Headers(init?.headers),
        body: init?.body ? JSON.parse(String(init.body)) : undefined,
      };
    }

    it('lists subscriptions of an owner and status from a cursor', async () => {
      const { fetch, client } = clientReturning(200, { items: [] });
      await client.listSubscriptions({
        owner: ['group:default/team a', 'group:default/team-b'],
        status: ['active', 'expiring'],
        limit: 25,
        cursor: 'next',
      });
      const { url, method } = request(fetch);
      expect(method).toBe('GET');
      expect(url.pathname).toBe('/api/store/subscriptions');
      expect(url.search).not.toContain('+');
      expect(url.searchParams.getAll('owner')).toEqual([
        'group:default/team a',
        'group:default/team-b',
      ]);
      expect(url.searchParams.getAll('status')).toEqual(['active', 'expiring']);
      expect(url.searchParams.get('limit')).toBe('25');
      expect(url.searchParams.get('cursor')).toBe('next');
    });

    it('lists without a query string when nothing is filtered', async () => {
      const { fetch, client } = clientReturning(200, { items: [] });
      await client.listSubscriptions();
      expect(fetch.mock.calls[0][0]).toBe(
        'http://localhost:7007/api/store/subscriptions',
      );
    });

    it('reads one subscription', async () => {
      const { fetch, client } = clientReturning(200, { id: 's/1' });
      await client.getSubscription({ id: 's/1' });
      expect(request(fetch).url.pathname).toBe(
        '/api/store/subscriptions/s%2F1',
      );
    });

    it('asks for quotes of each action, without an Idempotency-Key', async () => {
      const { fetch, client } = clientReturning(200, {});
      await client.quoteRenewal({ id: 's1', periods: 3 });
      await client.quotePlanChange({ id: 's1', planId: 'enterprise' });
      await client.quoteCancellation({ id: 's1', when: 'now' });
      const sent = fetch.mock.calls.map((_, i) => request(fetch, i));
      for (const { url, method, headers } of sent) {
        expect(method).toBe('POST');
        expect(url.pathname).toBe('/api/store/subscriptions/s1/quote');
        expect(headers.get('Idempotency-Key')).toBeNull();
      }
      expect(sent.map(s => s.body)).toEqual([
        { action: 'renew', periods: 3 },
        { action: 'change-plan', planId: 'enterprise' },
        { action: 'cancel', when: 'now' },
      ]);
    });

    it('renews, changes the plan and cancels with an Idempotency-Key', async () => {
      const { fetch, client } = clientReturning(200, { id: 's1' });
      await client.renewSubscription({ id: 's1', periods: 2 });
      await client.changeSubscriptionPlan({
        id: 's1',
        planId: 'enterprise',
        version: 7,
        idempotencyKey: 'fixed',
      });
      await client.cancelSubscription({ id: 's1', when: 'period-end' });
      const [renew, change, cancel] = fetch.mock.calls.map((_, i) =>
        request(fetch, i),
      );
      expect(renew.url.pathname).toBe('/api/store/subscriptions/s1/renew');
      expect(renew.body).toEqual({ periods: 2 });
      expect(change.url.pathname).toBe(
        '/api/store/subscriptions/s1/change-plan',
      );
      // The version the caller read goes along only when it is given.
      expect(change.body).toEqual({ planId: 'enterprise', version: 7 });
      expect(change.headers.get('Idempotency-Key')).toBe('fixed');
      expect(cancel.url.pathname).toBe('/api/store/subscriptions/s1/cancel');
      expect(cancel.body).toEqual({ when: 'period-end' });
      for (const sent of [renew, change, cancel]) {
        expect(sent.method).toBe('POST');
        expect(sent.headers.get('Content-Type')).toBe('application/json');
      }
      const key = renew.headers.get('Idempotency-Key');
      expect(key).toMatch(/^[0-9a-f-]{32,36}$/);
      expect(cancel.headers.get('Idempotency-Key')).toMatch(
        /^[0-9a-f-]{32,36}$/,
      );
      expect(cancel.headers.get('Idempotency-Key')).not.toBe(key);
    });

    it('switches auto-renewal with a PUT', async () => {
      const { fetch, client } = clientReturning(200, { id: 's1' });
      await client.setSubscriptionAutoRenew({
        id: 's1',
        autoRenew: false,
        version: 3,
      });
      const sent = request(fetch);
      expect(sent.method).toBe('PUT');
      expect(sent.url.pathname).toBe('/api/store/subscriptions/s1/auto-renew');
      expect(sent.body).toEqual({ autoRenew: false, version: 3 });
      expect(sent.headers.get('Idempotency-Key')).toMatch(/^[0-9a-f-]{32,36}$/);
    });

    it('turns a refused plan change into an error with its message', async () => {
      const { client } = clientReturning(409, {
        error: { name: 'ConflictError', message: 'The subscription changed' },
        response: { statusCode: 409 },
      });
      const error = await client
        .changeSubscriptionPlan({ id: 's1', planId: 'enterprise' })
        .catch(e => e);
      expect(error.statusCode).toBe(409);
      expect(error.cause).toMatchObject({
        name: 'ConflictError',
        message: 'The subscription changed',
      });
    });
  });

  describe('billing', () => {
    function sent(fetch: jest.Mock, index = 0) {
      const [url, init] = fetch.mock.calls[index] as [string, RequestInit];
      return {
        url: new URL(url),
        method: init?.method,
        body: init?.body ? JSON.parse(String(init.body)) : undefined,
      };
    }

    it('lists invoices of an account and period', async () => {
      const { fetch, client } = clientReturning(200, { items: [] });
      await client.listInvoices({
        account: 'group:default/team a',
        period: '2026-11',
        cursor: 'c1',
        limit: 25,
      });
      await client.listInvoices();
      const { url, method } = sent(fetch);
      expect(method).toBe('GET');
      expect(url.pathname).toBe('/api/store/invoices');
      expect(String(url)).toContain('account=group%3Adefault%2Fteam%20a');
      expect(url.searchParams.get('period')).toBe('2026-11');
      expect(url.searchParams.get('cursor')).toBe('c1');
      expect(url.searchParams.get('limit')).toBe('25');
      expect(fetch.mock.calls[1][0]).toBe(
        'http://localhost:7007/api/store/invoices',
      );
    });

    it('reads one invoice and its CSV', async () => {
      const { fetch, client } = clientReturning(200, { id: 'i/1' });
      await client.getInvoice({ id: 'i/1' });
      const csv = await client.getInvoiceCsv({ id: 'i/1' });
      expect(sent(fetch, 0).url.pathname).toBe('/api/store/invoices/i%2F1');
      expect(sent(fetch, 1).url.pathname).toBe('/api/store/invoices/i%2F1/csv');
      expect(await csv.text()).toBe('{"id":"i/1"}');
    });

    it('posts a credit note', async () => {
      const { fetch, client } = clientReturning(201, { id: 'cn1' });
      const request = {
        reason: 'Outage',
        lines: [{ description: 'Two days of downtime', amount: '12.50' }],
      };
      await expect(
        client.createCreditNote({ id: 'i1', request }),
      ).resolves.toEqual({ id: 'cn1' });
      const { url, method, body } = sent(fetch);
      expect(method).toBe('POST');
      expect(url.pathname).toBe('/api/store/invoices/i1/credit-notes');
      expect(body).toEqual(request);
    });

    it('runs the invoices of a month', async () => {
      const { fetch, client } = clientReturning(200, {
        period: '2026-01',
        issued: [],
      });
      await expect(client.runInvoices({ period: '2026-01' })).resolves.toEqual({
        period: '2026-01',
        issued: [],
      });
      const { url, method, body } = sent(fetch);
      expect(method).toBe('POST');
      expect(url.pathname).toBe('/api/store/invoices/run');
      expect(body).toEqual({ period: '2026-01' });
    });

    it('refuses a credit note with the backend error', async () => {
      const { client } = clientReturning(403, {
        error: { name: 'NotAllowedError', message: 'Finance only' },
        response: { statusCode: 403 },
      });
      const error = await client
        .createCreditNote({ id: 'i1', request: { reason: 'x', lines: [] } })
        .catch(e => e);
      expect(error.cause).toMatchObject({ message: 'Finance only' });
    });

    it('reads costs grouped, of one account', async () => {
      const { fetch, client } = clientReturning(200, {
        currency: 'USD',
        rows: [],
      });
      await client.getCosts({
        from: '2026-01',
        to: '2026-06',
        groupBy: 'product',
        account: 'group:default/team-a',
      });
      await client.getCosts({
        from: '2026-01',
        to: '2026-06',
        groupBy: 'month',
      });
      const first = sent(fetch, 0).url;
      expect(first.pathname).toBe('/api/store/billing/costs');
      expect(Object.fromEntries(first.searchParams)).toEqual({
        from: '2026-01',
        to: '2026-06',
        groupBy: 'product',
        account: 'group:default/team-a',
      });
      expect(sent(fetch, 1).url.searchParams.has('account')).toBe(false);
    });
  });
});
