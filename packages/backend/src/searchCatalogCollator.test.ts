import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { ConfigReader } from '@backstage/config';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import searchModuleCatalogCollator from '@backstage/plugin-search-backend-module-catalog';
import {
  searchIndexRegistryExtensionPoint,
  SearchIndexRegistryExtensionPoint,
} from '@backstage/plugin-search-backend-node/alpha';
import { readFile } from 'node:fs/promises';
import { resolve as resolvePath } from 'node:path';
import { Readable } from 'node:stream';
import { parse } from 'yaml';

const entity = (kind: string, name: string): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind,
  metadata: { name, namespace: 'default', title: name },
  spec: {},
});

const entities = [
  entity('Component', 'cloud-store'),
  entity('Group', 'developers'),
  entity('Template', 'postgresql'),
  entity('Product', 'postgresql'),
];

async function catalogFilterOf(file: string) {
  const text = await readFile(resolvePath(__dirname, '../../..', file), 'utf8');
  return new ConfigReader(parse(text)).getOptional(
    'search.collators.catalog.filter',
  );
}

// Products are indexed by the store's own collator, which links to the store
// page; the catalog collator must leave them out or they show up twice.
describe.each(['app-config.yaml', 'app-config.production.yaml'])(
  'the catalog search collator of %s',
  file => {
    it('indexes every kind but Product', async () => {
      const filter = await catalogFilterOf(file);
      expect(filter).toBeDefined();

      const addCollator = jest.fn<
        void,
        Parameters<SearchIndexRegistryExtensionPoint['addCollator']>
      >();
      await startTestBackend({
        extensionPoints: [
          [
            searchIndexRegistryExtensionPoint,
            { addCollator, addDecorator: jest.fn() },
          ],
        ],
        features: [
          searchModuleCatalogCollator,
          catalogServiceMock.factory({ entities }),
          mockServices.rootConfig.factory({
            data: { search: { collators: { catalog: { filter } } } },
          }),
        ],
      });
      expect(addCollator).toHaveBeenCalledTimes(1);

      const collator: Readable =
        await addCollator.mock.calls[0][0].factory.getCollator();
      const locations: string[] = [];
      for await (const document of collator) {
        locations.push(document.location);
      }
      expect(locations.sort()).toEqual([
        '/catalog/default/component/cloud-store',
        '/catalog/default/group/developers',
        '/catalog/default/template/postgresql',
      ]);
    });
  },
);
