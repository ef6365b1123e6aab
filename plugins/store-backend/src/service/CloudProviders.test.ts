import { mockServices } from '@backstage/backend-test-utils';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { CloudProviders } from './CloudProviders';

describe('CloudProviders', () => {
  let server: Server | undefined;
  afterEach(() => server?.close());

  /** A cloud backend that answers with `status`, counting its calls. */
  async function startCloud(status: () => number) {
    const calls: string[] = [];
    server = createServer((req, res) => {
      calls.push(`${req.url} ${req.headers.authorization ? 'token' : ''}`);
      res.statusCode = status();
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify(
          status() === 200
            ? { items: [{ id: 'local', title: 'Local', regions: [] }] }
            : { error: { name: 'Error', message: 'down' } },
        ),
      );
    });
    await new Promise<void>(resolve => server!.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    return { calls, baseUrl: `http://127.0.0.1:${port}/api/cloud` };
  }

  function providersOf(baseUrl: string, cacheMs: number) {
    const logger = mockServices.logger.mock();
    const providers = CloudProviders.create({
      discovery: {
        getBaseUrl: async () => baseUrl,
        getExternalBaseUrl: async () => baseUrl,
      },
      auth: mockServices.auth(),
      logger,
      cacheMs,
    });
    return { providers, logger };
  }

  it('asks the cloud backend with a service token, and keeps the answer briefly', async () => {
    const { calls, baseUrl } = await startCloud(() => 200);
    const { providers } = providersOf(baseUrl, 60_000);
    expect([...(await providers.available())]).toEqual(['local']);
    expect([...(await providers.available())]).toEqual(['local']);
    expect(calls).toEqual(['/api/cloud/providers token']);
  });

  it('has no provider while the cloud backend fails, and says so once', async () => {
    let status = 404;
    const { baseUrl } = await startCloud(() => status);
    const { providers, logger } = providersOf(baseUrl, 0);
    expect([...(await providers.available())]).toEqual([]);
    expect([...(await providers.available())]).toEqual([]);
    expect(logger.warn).toHaveBeenCalledTimes(1);
    expect(logger.warn.mock.calls[0][0]).toMatch(
      /Could not list the providers of the cloud backend, so no product can be ordered/,
    );
    status = 200;
    expect([...(await providers.available())]).toEqual(['local']);
    expect(logger.info).toHaveBeenCalledWith(
      'The cloud backend lists its providers again',
    );
  });

  it('has no provider when nothing answers', async () => {
    const { providers, logger } = providersOf(
      'http://127.0.0.1:1/api/cloud',
      0,
    );
    expect([...(await providers.available())]).toEqual([]);
    expect(logger.warn).toHaveBeenCalledTimes(1);
  });
});
