import { type Kysely, sql } from 'kysely'

// Frozen in time once landed: never import application code here.
export async function up(db: Kysely<any>): Promise<void> {
  // Presets are amounts in minor units of the currency (cents, kopecks; yen have none).
  await db.schema
    .alterTable('organisations')
    .addColumn('donation_currency', 'text', (c) =>
      c
        .notNull()
        .defaultTo('EUR')
        .check(sql`donation_currency ~ '^[A-Z]{3}$'`),
    )
    .addColumn('donation_presets', sql`integer[]`, (c) => c.notNull().defaultTo(sql`'{1000,2500,5000,10000}'::integer[]`))
    .execute()
  // Null means "use the organisation's".
  await db.schema
    .alterTable('campaigns')
    .addColumn('donation_currency', 'text', (c) => c.check(sql`donation_currency ~ '^[A-Z]{3}$'`))
    .addColumn('donation_presets', sql`integer[]`)
    .addColumn('show_donation_totals', 'boolean', (c) => c.notNull().defaultTo(false))
    .execute()

  await db.schema
    .createTable('donations')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('campaign_id', 'bigint', (c) => c.notNull().references('campaigns.id').onDelete('restrict'))
    .addColumn('frequency', 'text', (c) => c.notNull().check(sql`frequency in ('one_off', 'monthly')`))
    .addColumn('amount_minor', 'integer', (c) => c.notNull().check(sql`amount_minor > 0`))
    .addColumn('currency', 'text', (c) => c.notNull().check(sql`currency ~ '^[A-Z]{3}$'`))
    .addColumn('status', 'text', (c) =>
      c
        .notNull()
        .defaultTo('pending')
        .check(sql`status in ('pending', 'processing', 'paid', 'active', 'past_due', 'failed', 'expired', 'cancelled', 'refunded', 'disputed')`),
    )
    .addColumn('donor_name', 'text', (c) => c.notNull())
    .addColumn('donor_email', 'text', (c) => c.notNull())
    .addColumn('locale', 'text', (c) => c.notNull().defaultTo('en'))
    .addColumn('stripe_checkout_session_id', 'text', (c) => c.unique())
    .addColumn('stripe_customer_id', 'text')
    .addColumn('stripe_subscription_id', 'text', (c) => c.unique())
    .addColumn('stripe_payment_intent_id', 'text')
    // Facts learnt from Stripe's events. Each is only ever set (never cleared), and the status is
    // derived from them, so the events' order does not change the outcome (decision 0007).
    .addColumn('checkout_completed_at', 'timestamptz')
    .addColumn('async_failed_at', 'timestamptz')
    .addColumn('expired_at', 'timestamptz')
    .addColumn('cancelled_at', 'timestamptz')
    .addColumn('last_invoice_failed_at', 'timestamptz')
    .addColumn('cancel_requested_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute()
  await db.schema.createIndex('donations_campaign_idx').on('donations').columns(['campaign_id', 'created_at']).execute()
  await db.schema.createIndex('donations_payment_intent_idx').on('donations').column('stripe_payment_intent_id').execute()

  // One row per successful charge: one for a one-off gift, one per paid invoice for a monthly one.
  // The unique Stripe ids make a replayed or reordered event unable to add a second row.
  await db.schema
    .createTable('donation_payments')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('donation_id', 'bigint', (c) => c.notNull().references('donations.id').onDelete('restrict'))
    .addColumn('campaign_id', 'bigint', (c) => c.notNull().references('campaigns.id').onDelete('restrict'))
    .addColumn('amount_minor', 'integer', (c) => c.notNull().check(sql`amount_minor >= 0`))
    .addColumn('refunded_minor', 'integer', (c) =>
      c
        .notNull()
        .defaultTo(0)
        .check(sql`refunded_minor >= 0 and refunded_minor <= amount_minor`),
    )
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('stripe_checkout_session_id', 'text', (c) => c.unique())
    .addColumn('stripe_invoice_id', 'text', (c) => c.unique())
    .addColumn('stripe_payment_intent_id', 'text', (c) => c.unique())
    .addColumn('stripe_charge_id', 'text', (c) => c.unique())
    .addColumn('dispute_status', 'text')
    .addColumn('paid_at', 'timestamptz', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('donation_payments_one_source', sql`stripe_checkout_session_id is not null or stripe_invoice_id is not null`)
    .execute()
  await db.schema.createIndex('donation_payments_donation_idx').on('donation_payments').column('donation_id').execute()
  await db.schema.createIndex('donation_payments_campaign_idx').on('donation_payments').columns(['campaign_id', 'currency']).execute()

  // The public totals, recomputed from donation_payments in the same transaction as each change,
  // so the campaign page reads one row by primary key.
  await db.schema
    .createTable('campaign_donation_totals')
    .addColumn('campaign_id', 'bigint', (c) => c.notNull().references('campaigns.id').onDelete('cascade'))
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('total_minor', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('donor_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('campaign_donation_totals_pkey', ['campaign_id', 'currency'])
    .execute()

  await db.schema
    .createTable('stripe_events')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('received_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    // False while the event waits for a row it refers to (a refund before its payment, say).
    .addColumn('processed', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('object_ref', 'text')
    // Kept only while waiting: a processed event's payload (with the donor's details) is dropped.
    .addColumn('payload', 'jsonb')
    .execute()
  await sql`create index stripe_events_waiting_idx on stripe_events (object_ref) where not processed and object_ref is not null`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['stripe_events', 'campaign_donation_totals', 'donation_payments', 'donations']) {
    await db.schema.dropTable(table).ifExists().execute()
  }
  await db.schema.alterTable('campaigns').dropColumn('donation_currency').dropColumn('donation_presets').dropColumn('show_donation_totals').execute()
  await db.schema.alterTable('organisations').dropColumn('donation_currency').dropColumn('donation_presets').execute()
}
