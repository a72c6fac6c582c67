import { type Kysely, sql } from 'kysely'

// Frozen in time once landed: never import application code here.
export async function up(db: Kysely<any>): Promise<void> {
  // `version` is the editor's optimistic lock: every save names the version it started from and
  // is refused when the row has moved on (decision 0008). Consent wording and the hero image's alt
  // text are per locale: the base locale's live here, translations' in campaign_translations.
  await db.schema
    .alterTable('campaigns')
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('hero_image_id', 'bigint')
    .addColumn('hero_image_alt', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('consent_updates_text', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('consent_show_name_text', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('closed_at', 'timestamptz')
    .execute()
  await db.schema
    .alterTable('campaign_translations')
    .addColumn('hero_image_alt', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('consent_updates_text', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('consent_show_name_text', 'text', (c) => c.notNull().defaultTo(''))
    .execute()
  // The workspace lists an organisation's campaigns; the closing job looks for live ones past due.
  await sql`create index campaigns_organisation_idx on campaigns (organisation_id, created_at desc, id desc)`.execute(db)
  await sql`create index campaigns_due_to_close_idx on campaigns (closes_at) where status = 'live' and closes_at is not null`.execute(db)

  // Images live in PostgreSQL, so a deployment stays one database and one process to back up.
  // They are small (2 MB at most) and served with immutable caching under their hash.
  await db.schema
    .createTable('campaign_images')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('campaign_id', 'bigint', (c) => c.notNull().references('campaigns.id').onDelete('cascade'))
    .addColumn('content_type', 'text', (c) => c.notNull().check(sql`content_type in ('image/jpeg', 'image/png', 'image/webp')`))
    .addColumn('bytes', 'bytea', (c) => c.notNull())
    .addColumn('byte_size', 'integer', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull().check(sql`sha256 ~ '^[0-9a-f]{64}$'`))
    .addColumn('width', 'integer')
    .addColumn('height', 'integer')
    .addColumn('created_by', 'bigint', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute()
  await db.schema.createIndex('campaign_images_campaign_idx').on('campaign_images').column('campaign_id').execute()
  await db.schema
    .alterTable('campaigns')
    .addForeignKeyConstraint('campaigns_hero_image_fkey', ['hero_image_id'], 'campaign_images', ['id'], (c) => c.onDelete('set null'))
    .execute()

  // An old slug keeps pointing at its campaign for good, so links in old emails and posts work.
  await db.schema
    .createTable('campaign_slug_redirects')
    .addColumn('slug', 'text', (c) => c.primaryKey())
    .addColumn('campaign_id', 'bigint', (c) => c.notNull().references('campaigns.id').onDelete('cascade'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute()
  await db.schema.createIndex('campaign_slug_redirects_campaign_idx').on('campaign_slug_redirects').column('campaign_id').execute()

  // A number of signatures and, per locale, what happens when it is reached.
  await db.schema
    .createTable('campaign_milestones')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('campaign_id', 'bigint', (c) => c.notNull().references('campaigns.id').onDelete('cascade'))
    .addColumn('threshold', 'integer', (c) => c.notNull().check(sql`threshold > 0`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('campaign_milestones_campaign_threshold_key', ['campaign_id', 'threshold'])
    .execute()
  await db.schema
    .createTable('campaign_milestone_translations')
    .addColumn('milestone_id', 'bigint', (c) => c.notNull().references('campaign_milestones.id').onDelete('cascade'))
    .addColumn('locale', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('campaign_milestone_translations_pkey', ['milestone_id', 'locale'])
    .execute()

  // What the editable campaign looked like at each version: a refused save is shown what changed
  // since the version it started from.
  await db.schema
    .createTable('campaign_revisions')
    .addColumn('campaign_id', 'bigint', (c) => c.notNull().references('campaigns.id').onDelete('cascade'))
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('snapshot', 'jsonb', (c) => c.notNull())
    .addColumn('user_id', 'bigint', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('campaign_revisions_pkey', ['campaign_id', 'version'])
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('campaigns').dropConstraint('campaigns_hero_image_fkey').execute()
  for (const table of ['campaign_revisions', 'campaign_milestone_translations', 'campaign_milestones', 'campaign_slug_redirects', 'campaign_images']) {
    await db.schema.dropTable(table).ifExists().execute()
  }
  await sql`drop index if exists campaigns_due_to_close_idx`.execute(db)
  await sql`drop index if exists campaigns_organisation_idx`.execute(db)
  await db.schema
    .alterTable('campaign_translations')
    .dropColumn('hero_image_alt')
    .dropColumn('consent_updates_text')
    .dropColumn('consent_show_name_text')
    .execute()
  await db.schema
    .alterTable('campaigns')
    .dropColumn('version')
    .dropColumn('hero_image_id')
    .dropColumn('hero_image_alt')
    .dropColumn('consent_updates_text')
    .dropColumn('consent_show_name_text')
    .dropColumn('closed_at')
    .execute()
}
