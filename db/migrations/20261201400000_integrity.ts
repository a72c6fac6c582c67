import { sql, type Kysely } from 'kysely'

// Frozen in time once landed: never import application code here.
// Integrity (decision 0030): held signatures, the columns and indexes the holding rules
// count over, attack mode, bulk review actions and spent proof-of-work challenges.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table signatures drop constraint if exists signatures_state_check`.execute(db)
  await sql`alter table signatures add constraint signatures_state_check check (state in ('pending', 'confirmed', 'invalidated', 'held'))`.execute(db)
  await sql`alter table signatures add column email_domain text, add column hold_reasons text[] not null default '{}'`.execute(db)
  await sql`update signatures set email_domain = lower(split_part(email, '@', 2)) where email like '%@%'`.execute(db)
  // The rules count one campaign's last hour by domain and by client address; the surge detector
  // counts a campaign's recent signatures; the review lists held ones.
  await sql`create index signatures_domain_recent_idx on signatures (campaign_id, email_domain, created_at)`.execute(db)
  await sql`create index signatures_address_recent_idx on signatures (campaign_id, ip_hash, created_at)`.execute(db)
  await sql`create index signatures_created_idx on signatures (campaign_id, created_at)`.execute(db)
  await sql`create index signatures_held_idx on signatures (campaign_id, id) where state = 'held'`.execute(db)

  await sql`alter table campaigns
    add column attack_mode_started_at timestamptz,
    add column attack_mode_origin text check (attack_mode_origin in ('auto', 'manual')),
    add column integrity_domain_hourly_limit integer check (integrity_domain_hourly_limit > 0),
    add column integrity_address_hourly_limit integer check (integrity_address_hourly_limit > 0),
    add column integrity_hold_disposable boolean`.execute(db)

  await db.schema
    .createTable('integrity_actions')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('campaign_id', 'bigint', (c) => c.notNull().references('campaigns.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('release', 'invalidate')`))
    .addColumn('filter', 'jsonb', (c) => c.notNull())
    .addColumn('up_to_id', 'bigint', (c) => c.notNull())
    .addColumn('previewed', 'integer', (c) => c.notNull())
    .addColumn('processed', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('count_change', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('status', 'text', (c) =>
      c
        .notNull()
        .defaultTo('running')
        .check(sql`status in ('running', 'done')`),
    )
    .addColumn('actor_user_id', 'bigint', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('finished_at', 'timestamptz')
    .execute()
  await sql`create index integrity_actions_campaign_idx on integrity_actions (campaign_id, id desc)`.execute(db)

  // A solved challenge counts once: its signature is remembered until the challenge expires.
  await db.schema
    .createTable('spent_challenges')
    .addColumn('signature_hash', 'bytea', (c) => c.primaryKey())
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('spent_challenges').ifExists().execute()
  await db.schema.dropTable('integrity_actions').ifExists().execute()
  await sql`alter table campaigns
    drop column if exists attack_mode_started_at, drop column if exists attack_mode_origin,
    drop column if exists integrity_domain_hourly_limit, drop column if exists integrity_address_hourly_limit,
    drop column if exists integrity_hold_disposable`.execute(db)
  for (const index of ['signatures_domain_recent_idx', 'signatures_address_recent_idx', 'signatures_created_idx', 'signatures_held_idx']) {
    await sql`drop index if exists ${sql.id(index)}`.execute(db)
  }
  await sql`update signatures set state = 'pending' where state = 'held' and confirmed_at is null`.execute(db)
  await sql`update signatures set state = 'confirmed' where state = 'held'`.execute(db)
  await sql`alter table signatures drop column if exists email_domain, drop column if exists hold_reasons`.execute(db)
  await sql`alter table signatures drop constraint if exists signatures_state_check`.execute(db)
  await sql`alter table signatures add constraint signatures_state_check check (state in ('pending', 'confirmed', 'invalidated'))`.execute(db)
}
