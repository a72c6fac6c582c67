import { type Kysely, sql } from 'kysely'

// Frozen in time: never import application code here.
// Decision 0036: the share card drawn for each campaign and language, with the count
// it shows, so it is redrawn only when the count has moved on noticeably.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create table campaign_share_cards (
    campaign_id bigint not null references campaigns(id) on delete cascade,
    locale text not null,
    png bytea not null,
    sha256 text not null,
    inputs_hash text not null,
    signature_count integer not null,
    created_at timestamptz not null default now(),
    primary key (campaign_id, locale)
  )`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table if exists campaign_share_cards`.execute(db)
}
