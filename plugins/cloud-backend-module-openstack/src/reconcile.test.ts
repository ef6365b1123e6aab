import {
  mockCredentials,
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
// eslint-disable-next-line @backstage/no-mixed-plugin-imports -- the test runs the real cloud backend
import cloudPlugin from '@internal/plugin-cloud-backend';
import { StackDetails } from '@internal/plugin-cloud-common';
import { mockCatalogWithOwnerGroup } from '@internal/plugin-cloud-node/testUtils';
import { Knex } from 'knex';
import { randomBytes } from 'node:crypto';
import { AddressInfo } from 'node:net';
import { cloudModuleOpenStack as openStackModule } from './module';
import {
  describeWithOpenStack,
  testCloud,
  testHeat,
} from './__testUtils__/testCloud';

jest.setTimeout(180_000);

const TEMPLATE = `
heat_template_version: 2021-04-16
resources:
  app:
    type: OS::Heat::Value
    properties:
      value: 10.60.0.1
outputs:
  app_addresses:
    value: [{ get_attr: [app, value] }]
  url:
    value: https://reconciled.example
`;

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

describeWithOpenStack('reconciliation with Heat after a restart', () => {
  describe.each(databases.eachSupportedId())('on %s', databaseId => {
    const tag = `rec${randomBytes(3).toString('hex')}`;
    const heat = testHeat();
    const user = mockCredentials.user.header('user:default/developer');
    let knex: Knex;

    const start = () =>
      startTestBackend({
        features: [
          cloudPlugin,
          openStackModule,
          mockCatalogWithOwnerGroup(),
          mockServices.database.factory({ knex }),
          mockServices.rootConfig.factory({
            data: {
              cloud: {
                openstack: {
                  tag,
                  providers: {
                    openstack: {
                      regions: {
                        [testCloud!.region]: {
                          authUrl: testCloud!.authUrl,
                          project: testCloud!.project,
                          projectDomain: testCloud!.domain,
                          credentials: {
                            type: 'password',
                            username: testCloud!.username,
                            userDomain: testCloud!.domain,
                            passwordEnv: 'CLOUDSTORE_OPENSTACK_PASSWORD',
                          },
                        },
                      },
                    },
                  },
                },
              },
            },
          }),
        ],
      });

    const api = (
      backend: Awaited<ReturnType<typeof start>>,
      method: string,
      route: string,
      body?: object,
    ) => {
      const { port } = backend.server.address() as AddressInfo;
      return fetch(`http://127.0.0.1:${port}/api/cloud${route}`, {
        method,
        headers: {
          authorization: user,
          ...(body ? { 'content-type': 'application/json' } : {}),
        },
        body: body && JSON.stringify(body),
      });
    };

    beforeAll(async () => {
      knex = await databases.init(databaseId);
    });

    afterAll(async () => {
      for (const stack of await heat.listStacks([tag])) {
        await heat.deleteStack(stack);
      }
    });

    it('adopts the stacks it knows, marks those Heat lost, and keeps those it does not know', async () => {
      const first = await start();
      const deploy = async (name: string): Promise<StackDetails> => {
        const res = await api(first, 'POST', '/stacks', {
          name,
          owner: 'group:default/web-team',
          provider: 'openstack',
          region: testCloud!.region,
          spec: {
            roles: [{ name: 'app', count: 1 }],
            template: { format: 'hot', body: TEMPLATE },
          },
        });
        expect(res.status).toBe(201);
        return res.json();
      };
      const kept = await deploy(`kept-${tag}`);
      const lost = await deploy(`lost-${tag}`);
      expect(kept.status).toBe('running');
      await first.stop();

      // meanwhile in Heat: one stack is deleted, and one appears with our tag
      const lostInHeat = (await heat.getStack(`${tag}-${lost.id}`))!;
      await heat.deleteStack(lostInHeat);
      for (let i = 0; i < 600 && (await heat.readStack(lostInHeat)); i++) {
        await new Promise(resolve => setTimeout(resolve, 100));
      }
      expect(await heat.readStack(lostInHeat)).toBeUndefined();
      await heat.createStack({
        name: `${tag}-unknown-1`,
        template: TEMPLATE,
        parameters: {},
        tags: [tag],
        timeoutMinutes: 5,
      });

      // the start reconciles before the first request is served
      const second = await start();
      try {
        const read = async (id: string): Promise<StackDetails> =>
          (await api(second, 'GET', `/stacks/${id}`)).json();
        expect(await read(kept.id)).toMatchObject({
          status: 'running',
          url: 'https://reconciled.example',
          nodes: [
            expect.objectContaining({
              name: 'app-1',
              privateAddress: '10.60.0.1',
            }),
          ],
        });
        expect(await read(lost.id)).toMatchObject({
          status: 'deleted',
          error: "The stack no longer exists at provider 'openstack'",
        });
        expect(
          (await heat.listStacks([tag])).map(s => s.stack_name).sort(),
        ).toEqual([`${tag}-${kept.id}`, `${tag}-unknown-1`].sort());

        expect(
          (await api(second, 'DELETE', `/stacks/${kept.id}`)).status,
        ).toBeLessThan(300);
      } finally {
        await second.stop();
      }
    });
  });
});
