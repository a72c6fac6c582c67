import { type Kysely, sql } from 'kysely'

// Frozen in time: never import application code here.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('organisations')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('slug', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('privacy_url', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute()

  await db.schema
    .createTable('campaigns')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('organisation_id', 'bigint', (c) => c.notNull().references('organisations.id').onDelete('restrict'))
    .addColumn('slug', 'text', (c) => c.notNull().unique())
    .addColumn('locale', 'text', (c) => c.notNull().defaultTo('en'))
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('summary', 'text', (c) => c.notNull())
    .addColumn('story', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('target_name', 'text', (c) => c.notNull())
    .addColumn('target_role', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('demand', 'text', (c) => c.notNull())
    .addColumn('signature_goal', 'integer', (c) => c.notNull().check(sql`signature_goal > 0`))
    .addColumn('status', 'text', (c) =>
      c
        .notNull()
        .defaultTo('draft')
        .check(sql`status in ('draft', 'live', 'closed')`),
    )
    .addColumn('show_recent_signers', 'boolean', (c) => c.notNull().defaultTo(true))
    .addColumn('consent_version', 'text', (c) => c.notNull().defaultTo('2026-11-v1'))
    .addColumn('opens_at', 'timestamptz')
    .addColumn('closes_at', 'timestamptz')
    .addColumn('signature_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('counted_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute()
  await db.schema.createIndex('campaigns_status_idx').on('campaigns').columns(['status', 'created_at']).execute()

  await db.schema
    .createTable('campaign_translations')
    .addColumn('campaign_id', 'bigint', (c) => c.notNull().references('campaigns.id').onDelete('cascade'))
    .addColumn('locale', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('summary', 'text', (c) => c.notNull())
    .addColumn('story', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('target_name', 'text', (c) => c.notNull())
    .addColumn('target_role', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('demand', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('campaign_translations_pkey', ['campaign_id', 'locale'])
    .execute()

  await db.schema
    .createTable('signatures')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('campaign_id', 'bigint', (c) => c.notNull().references('campaigns.id').onDelete('cascade'))
    .addColumn('full_name', 'text', (c) => c.notNull())
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('canonical_email', 'text', (c) => c.notNull())
    .addColumn('country', 'char(2)', (c) => c.notNull())
    .addColumn('postcode', 'text')
    .addColumn('locale', 'text', (c) => c.notNull().defaultTo('en'))
    .addColumn('consent_updates', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('consent_show_name', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('consent_version', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) =>
      c
        .notNull()
        .defaultTo('pending')
        .check(sql`state in ('pending', 'confirmed', 'invalidated')`),
    )
    .addColumn('confirmation_token_hash', 'bytea')
    .addColumn('ip_hash', 'bytea')
    .addColumn('source', 'text')
    .addColumn('utm_source', 'text')
    .addColumn('utm_medium', 'text')
    .addColumn('utm_campaign', 'text')
    .addColumn('sends_in_window', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('send_window_started_at', 'timestamptz')
    .addColumn('counted_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('confirmed_at', 'timestamptz')
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('signatures_campaign_canonical_email_key', ['campaign_id', 'canonical_email'])
    .execute()
  await sql`create unique index signatures_token_hash_idx on signatures (confirmation_token_hash) where confirmation_token_hash is not null`.execute(db)
  // The counter job's queue: confirmed signatures not yet folded into the cached counts.
  await sql`create index signatures_uncounted_idx on signatures (id) where state = 'confirmed' and counted_at is null`.execute(db)
  await sql`create index signatures_recent_public_idx on signatures (campaign_id, confirmed_at desc) where state = 'confirmed' and consent_show_name`.execute(
    db,
  )
  await sql`create index signatures_campaign_state_idx on signatures (campaign_id, state)`.execute(db)

  await db.schema
    .createTable('campaign_country_counts')
    .addColumn('campaign_id', 'bigint', (c) => c.notNull().references('campaigns.id').onDelete('cascade'))
    .addColumn('country', 'char(2)', (c) => c.notNull())
    .addColumn('signature_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('campaign_country_counts_pkey', ['campaign_id', 'country'])
    .execute()

  await db.schema
    .createTable('email_messages')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('idempotency_key', 'text', (c) => c.notNull().unique())
    .addColumn('recipient', 'text', (c) => c.notNull())
    .addColumn('template', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('locale', 'text', (c) => c.notNull())
    .addColumn('transport', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) =>
      c
        .notNull()
        .defaultTo('sending')
        .check(sql`status in ('sending', 'sent', 'failed', 'delivered', 'bounced', 'complained')`),
    )
    .addColumn('provider_id', 'text')
    .addColumn('error', 'text')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('signature_id', 'bigint', (c) => c.references('signatures.id').onDelete('set null'))
    .addColumn('campaign_id', 'bigint', (c) => c.references('campaigns.id').onDelete('set null'))
    // Bodies are kept only by the development mailbox transport.
    .addColumn('html', 'text')
    .addColumn('text', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('sent_at', 'timestamptz')
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute()
  await db.schema.createIndex('email_messages_recipient_idx').on('email_messages').columns(['recipient', 'created_at']).execute()
  await db.schema.createIndex('email_messages_signature_idx').on('email_messages').column('signature_id').execute()

  await db.schema
    .createTable('rate_limits')
    .addColumn('bucket', 'text', (c) => c.notNull())
    .addColumn('window_start', 'timestamptz', (c) => c.notNull())
    .addColumn('hits', 'integer', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('rate_limits_pkey', ['bucket', 'window_start'])
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['rate_limits', 'email_messages', 'campaign_country_counts', 'signatures', 'campaign_translations', 'campaigns', 'organisations']) {
    await db.schema.dropTable(table).ifExists().execute()
  }
}
