// @ts-check

/**
 * Full-text search of the product index, so that a search reads the
 * matching products from an index instead of scanning every product's text.
 *
 * PostgreSQL: a generated `tsvector` of the search text under a GIN index.
 * SQLite: an FTS5 table with the products table as its external content,
 * kept in step by triggers. Both see the text as runs of letters and digits,
 * so that the two databases split it, and a user's query, alike.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  if (knex.client.config.client === 'pg') {
    await knex.raw(`
      ALTER TABLE store_products ADD COLUMN search_vector tsvector
      GENERATED ALWAYS AS (
        to_tsvector('simple', regexp_replace(search_text, '[^[:alnum:]]+', ' ', 'g'))
      ) STORED`);
    await knex.raw(
      'CREATE INDEX store_products_search_idx ON store_products USING GIN (search_vector)',
    );
    return;
  }
  // The FTS table refers to the products' rowids: a later migration that
  // rebuilds store_products on SQLite must rebuild this table too.
  await knex.raw(`
    CREATE VIRTUAL TABLE store_products_fts USING fts5(
      search_text,
      content = 'store_products',
      content_rowid = 'rowid',
      tokenize = 'unicode61 remove_diacritics 0'
    )`);
  await knex.raw(`
    CREATE TRIGGER store_products_fts_insert AFTER INSERT ON store_products BEGIN
      INSERT INTO store_products_fts (rowid, search_text)
        VALUES (new.rowid, new.search_text);
    END`);
  await knex.raw(`
    CREATE TRIGGER store_products_fts_delete AFTER DELETE ON store_products BEGIN
      INSERT INTO store_products_fts (store_products_fts, rowid, search_text)
        VALUES ('delete', old.rowid, old.search_text);
    END`);
  await knex.raw(`
    CREATE TRIGGER store_products_fts_update AFTER UPDATE OF search_text ON store_products BEGIN
      INSERT INTO store_products_fts (store_products_fts, rowid, search_text)
        VALUES ('delete', old.rowid, old.search_text);
      INSERT INTO store_products_fts (rowid, search_text)
        VALUES (new.rowid, new.search_text);
    END`);
  await knex.raw(
    `INSERT INTO store_products_fts (store_products_fts) VALUES ('rebuild')`,
  );
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  if (knex.client.config.client === 'pg') {
    await knex.raw('DROP INDEX store_products_search_idx');
    await knex.raw('ALTER TABLE store_products DROP COLUMN search_vector');
    return;
  }
  for (const trigger of ['insert', 'delete', 'update']) {
    await knex.raw(`DROP TRIGGER store_products_fts_${trigger}`);
  }
  await knex.raw('DROP TABLE store_products_fts');
};
