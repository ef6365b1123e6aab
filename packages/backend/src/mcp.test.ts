import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import fs from 'node:fs';
import { request } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import {
  BackendProcess,
  demoToken,
  dropDatabases,
  freePort,
  pgConnection,
  poll,
} from './__testUtils__/backendProcess';

jest.setTimeout(300_000);

/** The HTTP status of a stack's URL, asked of the local router by name. */
function statusOf(url: string): Promise<number> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: Number(port),
        path: '/',
        headers: { host: hostname },
      },
      res => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** The databases the backend runs on: SQLite, and PostgreSQL when given. */
const targets: Array<{ name: string; database?: (prefix: string) => object }> =
  [{ name: 'SQLite' }];
if (pgConnection) {
  targets.push({
    name: 'PostgreSQL',
    database: prefix => ({ client: 'pg', connection: pgConnection, prefix }),
  });
}

/**
 * An agent orders through the store over MCP, with a real MCP client
 * against the real backend: it signs in as the demo `developer`, finds and
 * orders a product that needs approval, and the demo `approver`'s agent
 * approves it. The actions run through the store's own services, so the
 * order is fulfilled like any other and its stack answers.
 */
describe.each(targets)('agents over MCP on $name', target => {
  let backend: BackendProcess | undefined;
  let dataDir: string;
  let baseUrl: string;
  const clients: Client[] = [];
  // Databases of their own, dropped after: unique per process and run.
  const prefix = `cloudstore_mcp_${process.pid}_${Date.now()}_`;

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cloudstore-mcp-'));
    // Local nodes run as nobody: they must reach their folders inside.
    fs.chmodSync(dataDir, 0o755);
    const port = await freePort();
    baseUrl = `http://localhost:${port}`;
    backend = new BackendProcess({
      CLOUDSTORE_DATA_DIR: dataDir,
      CLOUDSTORE_BACKEND_PORT: String(port),
      APP_CONFIG_backend_baseUrl: baseUrl,
      ...(target.database && {
        APP_CONFIG_backend_database: JSON.stringify(target.database(prefix)),
      }),
    });
    await backend.ready(baseUrl);
  });

  afterAll(async () => {
    await Promise.all(clients.map(c => c.close()));
    // The stacks' nodes outlive the backend by design: delete them first,
    // so that nothing writes into the folder while it is removed.
    if (backend) {
      const headers = {
        authorization: `Bearer ${await demoToken(baseUrl, 'platform-admin')}`,
      };
      const stacks = await fetch(`${baseUrl}/api/cloud/stacks`, { headers })
        .then(res => res.json())
        .catch(() => ({ items: [] }));
      for (const stack of stacks.items ?? []) {
        await fetch(`${baseUrl}/api/cloud/stacks/${stack.id}`, {
          method: 'DELETE',
          headers,
        }).catch(() => undefined);
      }
    }
    await backend?.stop();
    fs.rmSync(dataDir, {
      recursive: true,
      force: true,
      maxRetries: 5,
      retryDelay: 200,
    });
    if (target.database) {
      await dropDatabases(prefix);
    }
  }, 120_000);

  /** An MCP client of a named server, signed in as a demo user. */
  async function connect(server: string, user: string) {
    const token = await demoToken(baseUrl, user);
    const client = new Client({ name: 'cloud-store-test', version: '1.0.0' });
    await client.connect(
      new StreamableHTTPClientTransport(
        new URL(`${baseUrl}/api/mcp-actions/v1/${server}`),
        { requestInit: { headers: { Authorization: `Bearer ${token}` } } },
      ),
    );
    clients.push(client);
    return client;
  }

  /** Calls a tool and answers its output; a tool error fails the test. */
  async function call(client: Client, name: string, args: object) {
    const result = await client.callTool({
      name,
      arguments: args as Record<string, unknown>,
    });
    if (result.isError) {
      throw new Error(`${name}: ${JSON.stringify(result.content)}`);
    }
    return result.structuredContent as Record<string, any>;
  }

  it('lets an agent order what needs approval, and an approver agent approve it', async () => {
    const readOnly = await connect('read-only', 'developer');
    const readOnlyTools = (await readOnly.listTools()).tools;
    expect(readOnlyTools.map(t => t.name)).toContain('store.search-products');
    expect(readOnlyTools.filter(t => !t.annotations?.readOnlyHint)).toEqual([]);
    expect(readOnlyTools.filter(t => t.annotations?.destructiveHint)).toEqual(
      [],
    );

    const developer = await connect('all', 'developer');
    const tools = (await developer.listTools()).tools.map(t => t.name);
    expect(tools).toEqual(
      expect.arrayContaining([
        'store.place-order',
        'cloud.get-stack',
        'cloud.stop-stack',
      ]),
    );
    // Who may not approve sees no approval tools, and cannot call them.
    expect(tools).not.toContain('store.approve-order');
    expect(
      await developer.callTool({
        name: 'store.approve-order',
        arguments: { id: 'any' },
      }),
    ).toMatchObject({
      isError: true,
      content: [
        {
          type: 'text',
          text: 'NotFoundError: Action "store.approve-order" not found',
        },
      ],
    });

    // The product index fills a few seconds after the start.
    const product = await poll(
      'the 3-tier web app in the product index',
      async () => {
        const { products } = await call(developer, 'store.search-products', {
          query: 'web app',
        });
        return products.find(
          (p: { ref: string }) =>
            p.ref === 'product:default/three-tier-web-app',
        );
      },
      60_000,
    );
    expect(product.plans[0].price).toMatchObject({ currency: 'USD' });

    const { preview } = await call(developer, 'store.preview-order', {
      product: product.ref,
      plan: 'standard',
    });
    expect(preview.approval).toMatchObject({
      needed: true,
      approverGroups: ['group:default/approvers'],
    });
    const order = {
      idempotencyKey: 'mcp-order-1',
      product: product.ref,
      plan: 'standard',
      provider: 'local',
      parameters: {
        name: 'agentshop',
        owner: 'group:default/developers',
        appNodes: 1,
      },
    };
    // Bad input names the field, in the words of the REST API's validation.
    const { idempotencyKey: _, ...withoutKey } = order;
    const refused = await developer.callTool({
      name: 'store.place-order',
      arguments: withoutKey,
    });
    expect(refused.isError).toBe(true);
    expect(refused.content).toEqual([
      {
        type: 'text',
        text: "InputError: input must have required property 'idempotencyKey'",
      },
    ]);

    const placed = await call(developer, 'store.place-order', order);
    expect(placed).toMatchObject({
      waitsForApproval: true,
      order: { status: 'pending_approval' },
    });
    const again = await call(developer, 'store.place-order', order);
    expect(again.order.id).toBe(placed.order.id);
    const id = placed.order.id;
    const mine = await call(developer, 'store.list-my-orders', {});
    expect(mine.orders.map((o: { id: string }) => o.id)).toContain(id);

    const approver = await connect('all', 'approver');
    const { orders } = await call(approver, 'store.list-my-approvals', {});
    expect(orders.map((o: { id: string }) => o.id)).toContain(id);
    await call(approver, 'store.approve-order', { id, comment: 'for agents' });

    const fulfilled = await poll(
      'the fulfilment of the order',
      async () => {
        const got = await call(developer, 'store.get-order', { id });
        if (['failed', 'rejected', 'cancelled'].includes(got.order.status)) {
          throw new Error(`The order is ${JSON.stringify(got.order)}`);
        }
        return got.order.status === 'fulfilled' ? got.order : undefined;
      },
      180_000,
    );
    const { stacks } = await call(developer, 'cloud.list-my-stacks', {});
    const stack = stacks.find((s: { name: string }) => s.name === 'agentshop');
    const { stack: details } = await call(developer, 'cloud.get-stack', {
      stackId: stack.id,
    });
    expect(details.status).toBe('running');
    expect(fulfilled.output.links).toContainEqual(
      expect.objectContaining({ url: details.url }),
    );
    expect(await statusOf(details.url)).toBe(200);
  });
});
