import { createBackendModule } from '@backstage/backend-plugin-api';
import {
  createMockDirectory,
  mockCredentials,
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import { eventsServiceRef } from '@backstage/plugin-events-node';
import request from 'supertest';
import { stringify } from 'yaml';
import { catalogModuleStore } from './module';

jest.setTimeout(120_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

function product(name: string, title: string, planIds: string[]) {
  return {
    apiVersion: 'cloudstore.io/v1alpha1',
    kind: 'Product',
    metadata: { name, title },
    spec: {
      type: 'resource',
      category: 'Databases',
      owner: 'group:default/platform-admins',
      template: `template:default/${name}`,
      providers: ['local'],
      lifecycle: 'draft',
      plans: planIds.map(id => ({
        id,
        title: id,
        price: { amount: '10.00', currency: 'USD', interval: 'month' },
      })),
    },
  };
}

/** Polls until `check` passes, for at most a minute. */
async function eventually<T>(check: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) {
        throw error;
      }
      await new Promise(resolve => setTimeout(resolve, 200));
    }
  }
}

/**
 * What the store relies on when it shows publishers the catalog's errors:
 * the real catalog, with the Product kind, keeps a product whose new
 * descriptor it rejects as it last accepted it, with the errors in its
 * status; a descriptor it never accepted is not there at all.
 */
describe('the catalog with the Product kind', () => {
  it.each(databases.eachSupportedId())(
    'keeps a rejected product as last accepted, with its errors, on %p',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const dir = createMockDirectory();
      dir.setContent({
        'products.yaml': stringify(product('redis', 'Redis', ['standard'])),
      });
      const reported: Array<{ entity: string; errors: unknown[] }> = [];
      const backend = await startTestBackend({
        features: [
          catalogPlugin,
          catalogModuleStore,
          // The catalog announces every processing that failed.
          createBackendModule({
            pluginId: 'catalog',
            moduleId: 'test-errors',
            register(reg) {
              reg.registerInit({
                deps: { events: eventsServiceRef },
                async init({ events }) {
                  await events.subscribe({
                    id: 'test-errors',
                    topics: ['experimental.catalog.errors'],
                    onEvent: async ({ eventPayload }) => {
                      reported.push(
                        eventPayload as { entity: string; errors: unknown[] },
                      );
                    },
                  });
                },
              });
            },
          }),
          mockServices.database.factory({ knex }),
          mockServices.rootConfig.factory({
            data: {
              catalog: {
                processingInterval: { seconds: 1 },
                locations: [
                  {
                    type: 'file',
                    target: dir.resolve('products.yaml'),
                    rules: [{ allow: ['Product'] }],
                  },
                ],
              },
            },
          }),
        ],
      });
      const get = (name: string) =>
        request(backend.server)
          .get(`/api/catalog/entities/by-name/product/default/${name}`)
          .set('Authorization', mockCredentials.user.header());
      try {
        const accepted = await eventually(async () => {
          const response = await get('redis');
          expect(response.status).toBe(200);
          return response.body;
        });
        expect(accepted.status).toBeUndefined();

        // A new version with a duplicate plan id, and a product that was
        // never valid.
        dir.setContent({
          'products.yaml': [
            stringify(product('redis', 'Redis 7', ['standard', 'standard'])),
            stringify(product('broken', 'Broken', ['free', 'free'])),
          ].join('---\n'),
        });
        const rejected = await eventually(async () => {
          const response = await get('redis');
          expect(response.body.status?.items).toHaveLength(1);
          return response.body;
        });
        expect(rejected.metadata.title).toBe('Redis');
        expect(rejected.status.items[0]).toMatchObject({
          type: 'backstage.io/catalog-processing',
          level: 'error',
          // The processor's error is the cause of the catalog's.
          error: {
            name: 'InputError',
            message: expect.stringContaining(
              'Processor ProductEntityProcessor threw an error while validating the entity product:default/redis',
            ),
            cause: {
              name: 'InputError',
              message:
                'spec.plans[1].id "standard" duplicates the id of spec.plans[0]',
            },
          },
        });

        await eventually(async () =>
          expect(reported.map(r => r.entity)).toContain(
            'product:default/broken',
          ),
        );
        expect((await get('broken')).status).toBe(404);
      } finally {
        await backend.stop();
      }
    },
  );
});
