import {
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import {
  createMockDirectory,
  mockCredentials,
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import eventsPlugin from '@backstage/plugin-events-backend';
import { eventsServiceFactory } from '@backstage/plugin-events-node';
import catalogModuleStore from '@internal/plugin-catalog-backend-module-store';
import { Knex } from 'knex';
import request from 'supertest';
import { stringify } from 'yaml';
import { makeProduct } from './__testUtils__/products';
import { eventually } from './__testUtils__/eventually';
import { storePlugin } from './plugin';
import { createFakeCloudPlugin } from './__testUtils__/cloud';

jest.setTimeout(180_000);

// Created at the top level, after the import of the test utilities: its
// databases close after the test backends that use them have stopped, not
// under their still-running loops (which then fail with "Unable to acquire
// a connection" and crash the jest worker that runs the next suite).
const databases = TestDatabases.create();

describe('product index refresh on catalog changes', () => {
  const directory = createMockDirectory();

  describe.each(databases.eachSupportedId())('%p', databaseId => {
    it('lists a product changed in the catalog without waiting for the schedule', async () => {
      // Each plugin has its own database, as in production.
      const knexes: Record<string, Knex> = {
        catalog: await databases.init(databaseId),
        store: await databases.init(databaseId),
        events: await databases.init(databaseId),
      };
      const writeProducts = (title: string) =>
        directory.setContent({
          'products.yaml': [
            makeProduct('postgresql', {}, { title }),
            makeProduct('redis', { category: 'Caches' }),
          ]
            .map(entity => stringify(entity))
            .join('---\n'),
        });
      writeProducts('PostgreSQL');

      const backend = await startTestBackend({
        features: [
          createFakeCloudPlugin(),
          catalogPlugin,
          catalogModuleStore,
          eventsPlugin,
          // The real events service: one bus for all plugins of the backend.
          eventsServiceFactory,
          storePlugin,
          createServiceFactory({
            service: coreServices.database,
            deps: { plugin: coreServices.pluginMetadata },
            factory: ({ plugin }) =>
              mockServices.database({ knex: knexes[plugin.getId()] }),
          }),
          mockServices.rootConfig.factory({
            data: {
              // One backend instance: events stay in the process.
              events: { useEventBus: 'never' },
              catalog: {
                rules: [{ allow: ['Product', 'Location'] }],
                locations: [
                  {
                    type: 'file',
                    target: directory.resolve('products.yaml'),
                  },
                ],
              },
              // The schedule would take an hour: only events refresh here.
              store: {
                products: {
                  refresh: {
                    frequency: { hours: 1 },
                    timeout: { minutes: 5 },
                    initialDelay: { hours: 1 },
                  },
                },
              },
            },
          }),
        ],
      });
      const { server } = backend;
      try {
        const user = mockCredentials.user.header('user:default/developer');
        const titles = async () => {
          const res = await request(server)
            .get('/api/store/products?limit=10')
            .set('Authorization', user);
          expect(res.status).toBe(200);
          return res.body.items.map((p: { title: string }) => p.title);
        };

        // The catalog's first processing can be slow on a loaded machine.
        const waitMs = 90_000;
        await eventually(
          async () => expect(await titles()).toEqual(['PostgreSQL', 'redis']),
          waitMs,
        );

        writeProducts('PostgreSQL 16');
        // What the catalog does when its location is refreshed, on a
        // webhook or its own schedule; the store learns of it by an event.
        const refreshed = await request(server)
          .post('/api/catalog/refresh')
          .set('Authorization', user)
          .send({ entityRef: 'product:default/postgresql' });
        expect(refreshed.status).toBe(200);

        await eventually(
          async () =>
            expect(await titles()).toEqual(['PostgreSQL 16', 'redis']),
          waitMs,
        );
      } finally {
        await backend.stop();
      }
    });
  });
});
