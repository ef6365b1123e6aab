// @ts-check

/**
 * The words of each product's search text, in a table ordered by word and
 * then by the name sort, so that a search sorted by name reads one page of
 * a word's products from an index instead of sorting every match.
 *
 * The words are the full-text index's own: on PostgreSQL the lexemes of the
 * product's `search_vector`; on SQLite the tokens of FTS3's `unicode61`
 * tokenizer, which splits and folds text exactly as FTS5's `unicode61` (with
 * the same options) does. Triggers keep the table in step with the products,
 * as they keep SQLite's FTS table.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  const isPg = knex.client.config.client === 'pg';
  await knex.schema.createTable('store_product_words', table => {
    table.comment('The words of each product, for searches sorted by name');
    table
      .string('product_id')
      .notNullable()
      .references('id')
      .inTable('store_products')
      .onDelete('CASCADE');
    // Byte order, the order in which both full-text indexes compare a
    // word with a prefix.
    if (isPg) {
      table.specificType('word', 'text COLLATE "C"').notNullable();
    } else {
      table.text('word').notNullable();
    }
    table.string('title_sort').notNullable();
    table.primary(['product_id', 'word']);
    table.index(['word', 'title_sort', 'product_id']);
  });

  if (isPg) {
    // A bulk write of new products is one insert of their words, not one
    // per product.
    await knex.raw(`
      CREATE FUNCTION store_product_words_added() RETURNS trigger
      LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO store_product_words (product_id, word, title_sort)
          SELECT a.id, w.word, a.title_sort
          FROM added a, unnest(tsvector_to_array(a.search_vector)) AS w(word);
        RETURN NULL;
      END $$`);
    await knex.raw(`
      CREATE FUNCTION store_product_words_changed() RETURNS trigger
      LANGUAGE plpgsql AS $$
      BEGIN
        DELETE FROM store_product_words WHERE product_id = OLD.id;
        INSERT INTO store_product_words (product_id, word, title_sort)
          SELECT NEW.id, w.word, NEW.title_sort
          FROM unnest(tsvector_to_array(NEW.search_vector)) AS w(word);
        RETURN NULL;
      END $$`);
    await knex.raw(`
      CREATE TRIGGER store_product_words_insert AFTER INSERT ON store_products
      REFERENCING NEW TABLE AS added
      FOR EACH STATEMENT EXECUTE FUNCTION store_product_words_added()`);
    // Row by row, and only for products whose search text or name changed:
    // not for each product whose order count moves.
    await knex.raw(`
      CREATE TRIGGER store_product_words_update
      AFTER UPDATE OF search_text, title_sort ON store_products
      FOR EACH ROW
      WHEN (OLD.search_text IS DISTINCT FROM NEW.search_text
         OR OLD.title_sort IS DISTINCT FROM NEW.title_sort)
      EXECUTE FUNCTION store_product_words_changed()`);
    await knex.raw(`
      INSERT INTO store_product_words (product_id, word, title_sort)
        SELECT p.id, w.word, p.title_sort
        FROM store_products p, unnest(tsvector_to_array(p.search_vector)) AS w(word)`);
    return;
  }

  await knex.raw(`
    CREATE VIRTUAL TABLE store_product_tokens
    USING fts3tokenize('unicode61', 'remove_diacritics=0')`);
  /** @param {string} row */
  const words = row => `
    INSERT INTO store_product_words (product_id, word, title_sort)
      SELECT DISTINCT ${row}.id, t.token, ${row}.title_sort
      FROM store_product_tokens t WHERE t.input = ${row}.search_text`;
  await knex.raw(`
    CREATE TRIGGER store_product_words_insert AFTER INSERT ON store_products BEGIN
      ${words('new')};
    END`);
  await knex.raw(`
    CREATE TRIGGER store_product_words_update
    AFTER UPDATE OF search_text, title_sort ON store_products
    WHEN old.search_text IS NOT new.search_text
      OR old.title_sort IS NOT new.title_sort
    BEGIN
      DELETE FROM store_product_words WHERE product_id = old.id;
      ${words('new')};
    END`);
  await knex.raw(`
    CREATE TRIGGER store_product_words_delete AFTER DELETE ON store_products BEGIN
      DELETE FROM store_product_words WHERE product_id = old.id;
    END`);
  await knex.raw(`
    INSERT INTO store_product_words (product_id, word, title_sort)
      SELECT DISTINCT p.id, t.token, p.title_sort
      FROM store_products p, store_product_tokens t WHERE t.input = p.search_text`);
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  if (knex.client.config.client === 'pg') {
    await knex.raw('DROP TRIGGER store_product_words_insert ON store_products');
    await knex.raw('DROP TRIGGER store_product_words_update ON store_products');
    await knex.raw('DROP FUNCTION store_product_words_added()');
    await knex.raw('DROP FUNCTION store_product_words_changed()');
  } else {
    for (const trigger of ['insert', 'update', 'delete']) {
      await knex.raw(`DROP TRIGGER store_product_words_${trigger}`);
    }
    await knex.raw('DROP TABLE store_product_tokens');
  }
  await knex.schema.dropTable('store_product_words');
};
