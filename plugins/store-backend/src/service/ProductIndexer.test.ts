import {
  mockServices,
  TestDatabaseId,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { ProductEntity } from '@internal/plugin-store-common';
import { makeProduct } from '../__testUtils__/products';
import { ProductsStore } from '../database/ProductsStore';
import { ProductIndexer } from './ProductIndexer';

jest.setTimeout(60_000);

function withEtag(product: ProductEntity, etag: string): ProductEntity {
  return { ...product, metadata: { ...product.metadata, etag } };
}

describe('ProductIndexer', () => {
  const databases = TestDatabases.create();

  async function setUp(databaseId: TestDatabaseId, entities: ProductEntity[]) {
    const knex = await databases.init(databaseId);
    const store = await ProductsStore.create({
      database: mockServices.database({ knex }),
    });
    const indexerFor = (catalogEntities: ProductEntity[]) => {
      const catalog = catalogServiceMock({ entities: catalogEntities });
      const getEntitiesByRefs = jest.spyOn(catalog, 'getEntitiesByRefs');
      const indexer = ProductIndexer.create({
        store,
        catalog,
        auth: mockServices.auth(),
        logger: mockServices.logger.mock(),
      });
      return { indexer, getEntitiesByRefs };
    };
    return { store, ...indexerFor(entities), indexerFor };
  }

  describe.each(databases.eachSupportedId())('%p', databaseId => {
    it('reads full entities only for new and changed products', async () => {
      const entities = [
        withEtag(makeProduct('a'), 'a1'),
        withEtag(makeProduct('b'), 'b1'),
      ];
      const { store, indexer, getEntitiesByRefs } = await setUp(
        databaseId,
        entities,
      );

      await indexer.refresh();
      expect(await store.getContentHashes()).toEqual(
        new Map([
          ['product:default/a', 'a1'],
          ['product:default/b', 'b1'],
        ]),
      );
      expect(getEntitiesByRefs).toHaveBeenCalledTimes(1);

      getEntitiesByRefs.mockClear();
      await indexer.refresh();
      expect(getEntitiesByRefs).not.toHaveBeenCalled();
    });

    it('follows changes and removals in the catalog', async () => {
      const entities = [
        withEtag(makeProduct('a'), 'a1'),
        withEtag(makeProduct('b'), 'b1'),
      ];
      const { store, indexer, indexerFor } = await setUp(databaseId, entities);
      await indexer.refresh();

      // The catalog now has a changed product a, and no product b.
      const changed = indexerFor([
        withEtag(makeProduct('a', { category: 'Caches' }), 'a2'),
      ]);
      await changed.indexer.refresh();
      const getEntitiesByRefs = changed.getEntitiesByRefs;

      expect(getEntitiesByRefs).toHaveBeenCalledWith(
        { entityRefs: ['product:default/a'] },
        expect.anything(),
      );
      expect(await store.getContentHashes()).toEqual(
        new Map([['product:default/a', 'a2']]),
      );
      const a = await store.getProduct({
        id: 'product:default/a',
        permissionFilter: undefined,
      });
      expect(a?.category).toBe('Caches');
    });
  });
});
