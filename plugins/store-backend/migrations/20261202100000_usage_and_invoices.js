// @ts-check

/**
 * Metering and invoices. Usage quantities are integer micro-units; money is
 * integer minor units. Issued invoices, their lines and credit notes never
 * change: triggers refuse any UPDATE or DELETE of them (PostgreSQL and
 * SQLite), and a charge, once invoiced, keeps its invoice.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('store_subscription_stacks', table => {
    table.comment('Which subscription each cloud stack belongs to');
    table.string('stack_id').primary().notNullable();
    table.string('subscription_id').notNullable().index();
  });
  const subscriptions = await knex('store_subscriptions').select(
    'id',
    'stacks_json',
  );
  const stacks = subscriptions.flatMap(s =>
    /** @type {string[]} */ (JSON.parse(s.stacks_json)).map(stackId => ({
      stack_id: stackId,
      subscription_id: s.id,
    })),
  );
  for (let i = 0; i < stacks.length; i += 500) {
    await knex('store_subscription_stacks')
      .insert(stacks.slice(i, i + 500))
      .onConflict('stack_id')
      .ignore();
  }

  await knex.schema.createTable('store_usage_events', table => {
    table.comment('Usage reported for subscriptions; one row per event id');
    table.string('id').primary().notNullable();
    table.string('subscription_id').notNullable();
    table.string('dimension').notNullable();
    table
      .bigInteger('quantity_micro')
      .notNullable()
      .comment('Millionths of the dimension unit');
    table.timestamp('occurred_at', { useTz: true }).notNullable();
    table.string('period', 7).notNullable().comment('YYYY-MM of occurred_at');
    table
      .string('payload_hash', 64)
      .notNullable()
      .comment('Tells a duplicate from another event under the same id');
    table.timestamp('received_at', { useTz: true }).notNullable();
    table.index(['period', 'subscription_id', 'dimension']);
  });

  await knex.schema.createTable('store_billing_counters', table => {
    table.comment('Gapless document numbers, e.g. INV-2026');
    table.string('name').primary().notNullable();
    table.integer('value').notNullable();
  });

  await knex.schema.createTable('store_invoices', table => {
    table.comment('Issued invoices; never changed');
    table.string('id').primary().notNullable();
    table.string('number').notNullable().unique();
    table.string('account').notNullable();
    table.string('period', 7).notNullable();
    table.string('currency', 3).notNullable();
    table.bigInteger('total_minor').notNullable();
    table.string('status').notNullable();
    table.timestamp('issued_at', { useTz: true }).notNullable();
    table.unique(['account', 'period', 'currency']);
    table.index(['period', 'account']);
  });
  await knex.schema.createTable('store_invoice_lines', table => {
    table.string('id').primary().notNullable();
    table.string('invoice_id').notNullable().index();
    table.integer('position').notNullable();
    table.string('kind').notNullable();
    table.text('description').notNullable();
    table.string('subscription_id').notNullable();
    table.string('product_ref').notNullable();
    table.string('product_title').notNullable();
    table.string('dimension').nullable();
    table.bigInteger('quantity_micro').nullable();
    table.string('charge_id').nullable().unique();
    table.bigInteger('amount_minor').notNullable();
    table.string('currency', 3).notNullable();
  });
  await knex.schema.createTable('store_credit_notes', table => {
    table.comment('Corrections of issued invoices; never changed');
    table.string('id').primary().notNullable();
    table.string('number').notNullable().unique();
    table.string('invoice_id').notNullable().index();
    table.text('reason').notNullable();
    table.text('lines_json').notNullable();
    table.bigInteger('total_minor').notNullable();
    table.string('currency', 3).notNullable();
    table.string('created_by').notNullable();
    table.timestamp('created_at', { useTz: true }).notNullable();
  });

  const immutable = [
    'store_invoices',
    'store_invoice_lines',
    'store_credit_notes',
  ];
  const client = String(knex.client.config.client);
  if (client === 'pg') {
    await knex.raw(`
      CREATE FUNCTION store_refuse_change() RETURNS trigger AS $$
      BEGIN
        RAISE EXCEPTION 'Issued invoices and credit notes cannot change';
      END;
      $$ LANGUAGE plpgsql`);
    await knex.raw(`
      CREATE FUNCTION store_keep_invoice() RETURNS trigger AS $$
      BEGIN
        IF OLD.invoice_id IS NOT NULL AND NEW.invoice_id IS DISTINCT FROM OLD.invoice_id THEN
          RAISE EXCEPTION 'An invoiced charge cannot change its invoice';
        END IF;
        RETURN NEW;
      END;
      $$ LANGUAGE plpgsql`);
    for (const table of immutable) {
      await knex.raw(
        `CREATE TRIGGER ${table}_immutable BEFORE UPDATE OR DELETE ON ${table} FOR EACH ROW EXECUTE FUNCTION store_refuse_change()`,
      );
    }
    await knex.raw(
      `CREATE TRIGGER store_subscription_charges_invoiced BEFORE UPDATE ON store_subscription_charges FOR EACH ROW EXECUTE FUNCTION store_keep_invoice()`,
    );
  } else if (client.includes('sqlite')) {
    for (const table of immutable) {
      for (const verb of ['UPDATE', 'DELETE']) {
        await knex.raw(
          `CREATE TRIGGER ${table}_no_${verb.toLowerCase()} BEFORE ${verb} ON ${table} BEGIN SELECT RAISE(ABORT, 'Issued invoices and credit notes cannot change'); END`,
        );
      }
    }
    await knex.raw(
      `CREATE TRIGGER store_subscription_charges_invoiced BEFORE UPDATE ON store_subscription_charges WHEN OLD.invoice_id IS NOT NULL AND NEW.invoice_id IS NOT OLD.invoice_id BEGIN SELECT RAISE(ABORT, 'An invoiced charge cannot change its invoice'); END`,
    );
  }
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  const client = String(knex.client.config.client);
  if (client === 'pg') {
    await knex.raw(
      'DROP TRIGGER IF EXISTS store_subscription_charges_invoiced ON store_subscription_charges',
    );
  } else if (client.includes('sqlite')) {
    await knex.raw(
      'DROP TRIGGER IF EXISTS store_subscription_charges_invoiced',
    );
  }
  await knex.schema.dropTable('store_credit_notes');
  await knex.schema.dropTable('store_invoice_lines');
  await knex.schema.dropTable('store_invoices');
  await knex.schema.dropTable('store_billing_counters');
  await knex.schema.dropTable('store_usage_events');
  await knex.schema.dropTable('store_subscription_stacks');
  if (client === 'pg') {
    await knex.raw('DROP FUNCTION store_refuse_change()');
    await knex.raw('DROP FUNCTION store_keep_invoice()');
  }
};
