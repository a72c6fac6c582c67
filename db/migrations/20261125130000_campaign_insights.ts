import { type Kysely, sql } from 'kysely'

// Frozen in time once landed: never import application code here.
export async function up(db: Kysely<any>): Promise<void> {
  // Confirmed signatures per campaign and UTC day of confirmation, folded by the counter job in
  // the same pass as campaigns.signature_count (decision 0002), so a dashboard reads a few rows.
  await db.schema
    .createTable('campaign_daily_counts')
    .addColumn('campaign_id', 'bigint', (c) => c.notNull().references('campaigns.id').onDelete('cascade'))
    .addColumn('day', 'date', (c) => c.notNull())
    .addColumn('signature_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('campaign_daily_counts_pkey', ['campaign_id', 'day'])
    .execute()

  // Confirmed signatures per campaign and source (utm_source, else source/ref; '' for direct).
  await db.schema
    .createTable('campaign_source_counts')
    .addColumn('campaign_id', 'bigint', (c) => c.notNull().references('campaigns.id').onDelete('cascade'))
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('signature_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('campaign_source_counts_pkey', ['campaign_id', 'source'])
    .execute()

  // Signatures counted before these tables existed, so dashboards do not wait for the nightly
  // reconciliation. The keys must match the counter's (app/models/signature-count.server.ts).
  await sql`
    insert into campaign_daily_counts (campaign_id, day, signature_count)
    select campaign_id, (coalesce(confirmed_at, created_at) at time zone 'UTC')::date, count(*)
    from signatures where state = 'confirmed' and counted_at is not null
    group by 1, 2`.execute(db)
  await sql`
    insert into campaign_source_counts (campaign_id, source, signature_count)
    select campaign_id, lower(left(coalesce(nullif(btrim(utm_source), ''), nullif(btrim(source), ''), ''), 100)), count(*)
    from signatures where state = 'confirmed' and counted_at is not null
    group by 1, 2`.execute(db)

  // Why a signature was invalidated (fraud, duplicate...): a fixed code, never free text, so no
  // personal data ends up here or in the audit log.
  await db.schema
    .alterTable('signatures')
    .addColumn('invalidated_at', 'timestamptz')
    .addColumn('invalidation_reason', 'text', (c) =>
      c.check(sql`invalidation_reason is null or invalidation_reason in ('fraud', 'duplicate', 'spam', 'other')`),
    )
    .execute()

  // Pending signatures per campaign: counted (index-only) and paged on the dashboard and the
  // supporters list. Invalidated ones are few; their own small index pages them.
  await sql`create index signatures_pending_idx on signatures (campaign_id, id) where state = 'pending'`.execute(db)
  await sql`create index signatures_invalidated_idx on signatures (campaign_id, id) where state = 'invalidated'`.execute(db)
  // The supporters list, newest first, a page at a time (keyset on id).
  await sql`create index signatures_campaign_id_idx on signatures (campaign_id, id)`.execute(db)
  // The dashboard's latest confirmations.
  await sql`create index signatures_confirmed_recent_idx on signatures (campaign_id, confirmed_at desc) where state = 'confirmed'`.execute(db)

  // Substring search by name or email in the supporters list. pg_trgm ships with PostgreSQL
  // (contrib, a trusted extension since 13, so the database owner may create it).
  await sql`create extension if not exists pg_trgm`.execute(db)
  await sql`create index signatures_search_idx on signatures using gin ((lower(full_name) || ' ' || lower(email)) gin_trgm_ops)`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const index of [
    'signatures_search_idx',
    'signatures_confirmed_recent_idx',
    'signatures_campaign_id_idx',
    'signatures_invalidated_idx',
    'signatures_pending_idx',
  ]) {
    await sql`drop index if exists ${sql.ref(index)}`.execute(db)
  }
  // The extension stays: other schemas may have come to rely on it.
  await db.schema.alterTable('signatures').dropColumn('invalidation_reason').dropColumn('invalidated_at').execute()
  await db.schema.dropTable('campaign_source_counts').ifExists().execute()
  await db.schema.dropTable('campaign_daily_counts').ifExists().execute()
}
