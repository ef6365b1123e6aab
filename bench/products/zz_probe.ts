import knexFactory from 'knex';
import { performance } from 'node:perf_hooks';
import { ProductsStore } from '/work/h14idx/plugins/store-backend/src/database/ProductsStore';
import { toIndexedProduct } from '/work/h14idx/plugins/store-backend/src/service/toIndexedProduct';
import { makeProduct } from '/work/h14idx/plugins/store-backend/src/__testUtils__/products';
const W = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot'];
async function main() {
  const knex = knexFactory({ client: 'better-sqlite3', connection: { filename: ':memory:' }, useNullAsDefault: true });
  const store = await ProductsStore.create({ database: { getClient: async () => knex } as any });
  const ps = Array.from({ length: 100000 }, (_, i) => toIndexedProduct(makeProduct(`product-${i}`, {}, { title: `${W[i % 6]} product ${i}`, tags: [`tag-${i % 30}`, W[i % 6]] })));
  await store.replaceAll(ps);
  const qs: Record<string, string> = {
    in: `SELECT p.id FROM store_products p WHERE p.rowid IN (SELECT rowid FROM store_products_fts WHERE store_products_fts MATCH ?) ORDER BY title_sort, id LIMIT 25`,
    exists: `SELECT p.id FROM store_products p WHERE EXISTS (SELECT 1 FROM store_products_fts f WHERE store_products_fts MATCH ? AND f.rowid = p.rowid) ORDER BY title_sort, id LIMIT 25`,
  };
  for (const term of ['"charlie"*', '"product"*', '"99999"*', '"zzz"*']) {
    for (const [k, sql] of Object.entries(qs)) {
      const times = [];
      for (let i = 0; i < 15; i++) { const t = performance.now(); await knex.raw(sql, [term]); times.push(performance.now() - t); }
      times.sort((a, b) => a - b);
      console.log(term, k, times[7].toFixed(2));
    }
  }
  console.log(await knex.raw('EXPLAIN QUERY PLAN ' + qs.exists, ['"charlie"*']));
  await knex.destroy();
}
main();
