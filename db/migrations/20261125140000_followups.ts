import { type Kysely, sql } from 'kysely'

// Frozen in time once landed: never import application code here.
// Follow-ups and delivery: updates to signers, unsubscribes and suppressions, milestone
// crossings, authority responses, delivery packs and deliveries, and partners' API keys.
export async function up(db: Kysely<any>): Promise<void> {
  // An update to a campaign's signers. Milestone, response and delivery notices are updates too
  // (kind), so they share one sending pipeline and one place on the timeline.
  await db.schema
    .createTable('campaign_updates')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('campaign_id', 'bigint', (c) => c.notNull().references('campaigns.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) =>
      c
        .notNull()
        .defaultTo('update')
        .check(sql`kind in ('update', 'milestone', 'response', 'delivery')`),
    )
    .addColumn('status', 'text', (c) =>
      c
        .notNull()
        .defaultTo('draft')
        .check(sql`status in ('draft', 'sending', 'sent', 'cancelled')`),
    )
    // Shown on the public timeline once sent.
    .addColumn('public', 'boolean', (c) => c.notNull().defaultTo(true))
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('audience_size', 'integer')
    .addColumn('sent_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('failed_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_by', 'bigint', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('sent_by', 'bigint', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('send_started_at', 'timestamptz')
    .addColumn('sent_at', 'timestamptz')
    .execute()
  await sql`create index campaign_updates_campaign_idx on campaign_updates (campaign_id, created_at desc, id desc)`.execute(db)
  await db.schema
    .createTable('campaign_update_translations')
    .addColumn('update_id', 'bigint', (c) => c.notNull().references('campaign_updates.id').onDelete('cascade'))
    .addColumn('locale', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    // Markdown, sanitised when rendered.
    .addColumn('body', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('campaign_update_translations_pkey', ['update_id', 'locale'])
    .execute()

  // email_messages is the one record of every email, bulk ones included: an update's recipients
  // are queued here (status 'queued', in numbered batches), which makes the fan-out resumable.
  await sql`alter table email_messages drop constraint if exists email_messages_status_check`.execute(db)
  await sql`alter table email_messages add constraint email_messages_status_check check (status in
    ('queued', 'sending', 'sent', 'failed', 'skipped', 'delivered', 'delayed', 'bounced', 'complained'))`.execute(db)
  await db.schema
    .alterTable('email_messages')
    .addColumn('update_id', 'bigint', (c) => c.references('campaign_updates.id').onDelete('cascade'))
    .addColumn('batch_no', 'integer')
    .addColumn('last_event_at', 'timestamptz')
    .execute()
  await sql`create unique index email_messages_update_signature_key on email_messages (update_id, signature_id) where update_id is not null`.execute(db)
  await sql`create index email_messages_update_batch_idx on email_messages (update_id, batch_no) where update_id is not null`.execute(db)
  await sql`create index email_messages_provider_idx on email_messages (provider_id) where provider_id is not null`.execute(db)

  // Someone who asked for no more updates: from one campaign, or (campaign_id null) from the
  // whole organisation. Keyed by canonical email so it outlives the signature.
  await db.schema
    .createTable('email_unsubscribes')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('organisation_id', 'bigint', (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('canonical_email', 'text', (c) => c.notNull())
    .addColumn('campaign_id', 'bigint', (c) => c.references('campaigns.id').onDelete('cascade'))
    .addColumn('source', 'text', (c) => c.notNull().check(sql`source in ('one-click', 'page', 'admin', 'api')`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute()
  await sql`create unique index email_unsubscribes_scope_key on email_unsubscribes (organisation_id, canonical_email, coalesce(campaign_id, 0))`.execute(db)

  // Addresses an organisation must not email again: hard bounces, spam complaints, or by hand.
  await db.schema
    .createTable('email_suppressions')
    .addColumn('organisation_id', 'bigint', (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('canonical_email', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull().check(sql`reason in ('bounce', 'complaint', 'manual')`))
    .addColumn('email_message_id', 'bigint', (c) => c.references('email_messages.id').onDelete('set null'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('email_suppressions_pkey', ['organisation_id', 'canonical_email'])
    .execute()

  // Whether signers who opted in hear when a milestone is crossed.
  await db.schema
    .alterTable('campaigns')
    .addColumn('milestone_updates', 'boolean', (c) => c.notNull().defaultTo(false))
    .execute()

  // Each milestone is crossed at most once (unique milestone_id), with the time it happened.
  await db.schema
    .createTable('campaign_milestone_crossings')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('milestone_id', 'bigint', (c) => c.notNull().unique().references('campaign_milestones.id').onDelete('cascade'))
    .addColumn('campaign_id', 'bigint', (c) => c.notNull().references('campaigns.id').onDelete('cascade'))
    .addColumn('threshold', 'integer', (c) => c.notNull())
    .addColumn('signature_count', 'integer', (c) => c.notNull())
    .addColumn('crossed_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('update_id', 'bigint', (c) => c.references('campaign_updates.id').onDelete('set null'))
    .execute()
  await db.schema.createIndex('campaign_milestone_crossings_campaign_idx').on('campaign_milestone_crossings').columns(['campaign_id', 'crossed_at']).execute()

  // What the authority said, in its own words, with where it was said.
  await db.schema
    .createTable('campaign_responses')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('campaign_id', 'bigint', (c) => c.notNull().references('campaigns.id').onDelete('cascade'))
    .addColumn('responded_on', 'date', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('source_url', 'text')
    .addColumn('update_id', 'bigint', (c) => c.references('campaign_updates.id').onDelete('set null'))
    .addColumn('created_by', 'bigint', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute()
  await db.schema.createIndex('campaign_responses_campaign_idx').on('campaign_responses').columns(['campaign_id', 'responded_on']).execute()

  // A delivery pack: the signatures as they stood when it was built, and the code that proves it.
  await db.schema
    .createTable('delivery_packs')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('campaign_id', 'bigint', (c) => c.notNull().references('campaigns.id').onDelete('cascade'))
    .addColumn('locale', 'text', (c) => c.notNull())
    .addColumn('confirmed_total', 'integer', (c) => c.notNull())
    .addColumn('named_count', 'integer', (c) => c.notNull())
    .addColumn('country_counts', 'jsonb', (c) => c.notNull())
    // The highest signature id and the time the list was cut at: the list can be rebuilt.
    .addColumn('max_signature_id', 'bigint', (c) => c.notNull())
    .addColumn('verification_code', 'text', (c) => c.notNull().unique())
    .addColumn('created_by', 'bigint', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute()
  await db.schema.createIndex('delivery_packs_campaign_idx').on('delivery_packs').columns(['campaign_id', 'created_at']).execute()

  await db.schema
    .createTable('campaign_deliveries')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('campaign_id', 'bigint', (c) => c.notNull().references('campaigns.id').onDelete('cascade'))
    .addColumn('pack_id', 'bigint', (c) => c.references('delivery_packs.id').onDelete('set null'))
    .addColumn('delivered_on', 'date', (c) => c.notNull())
    .addColumn('recipient', 'text', (c) => c.notNull())
    .addColumn('method', 'text', (c) => c.notNull().check(sql`method in ('in_person', 'email', 'post', 'online', 'other')`))
    .addColumn('notes', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('signature_count', 'integer', (c) => c.notNull())
    .addColumn('update_id', 'bigint', (c) => c.references('campaign_updates.id').onDelete('set null'))
    .addColumn('created_by', 'bigint', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute()
  await db.schema.createIndex('campaign_deliveries_campaign_idx').on('campaign_deliveries').columns(['campaign_id', 'delivered_on']).execute()

  // Keys for an organisation's own systems (OSDI API). Only a hash is kept; the prefix names it.
  await db.schema
    .createTable('api_keys')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('organisation_id', 'bigint', (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('prefix', 'text', (c) => c.notNull())
    .addColumn('key_hash', 'bytea', (c) => c.notNull().unique())
    .addColumn('scope', 'text', (c) => c.notNull().check(sql`scope in ('read', 'write')`))
    .addColumn('created_by', 'bigint', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('last_used_at', 'timestamptz')
    .addColumn('revoked_at', 'timestamptz')
    .addColumn('revoked_by', 'bigint', (c) => c.references('users.id').onDelete('set null'))
    .execute()
  await db.schema.createIndex('api_keys_organisation_idx').on('api_keys').columns(['organisation_id', 'created_at']).execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of [
    'api_keys',
    'campaign_deliveries',
    'delivery_packs',
    'campaign_responses',
    'campaign_milestone_crossings',
    'email_suppressions',
    'email_unsubscribes',
  ]) {
    await db.schema.dropTable(table).ifExists().execute()
  }
  await db.schema.alterTable('campaigns').dropColumn('milestone_updates').execute()
  await sql`drop index if exists email_messages_provider_idx`.execute(db)
  await db.schema.alterTable('email_messages').dropColumn('update_id').dropColumn('batch_no').dropColumn('last_event_at').execute()
  await sql`alter table email_messages drop constraint if exists email_messages_status_check`.execute(db)
  await sql`alter table email_messages add constraint email_messages_status_check check (status in
    ('sending', 'sent', 'failed', 'delivered', 'bounced', 'complained'))`.execute(db)
  await db.schema.dropTable('campaign_update_translations').ifExists().execute()
  await db.schema.dropTable('campaign_updates').ifExists().execute()
}
