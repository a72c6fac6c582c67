import { type Kysely, sql } from 'kysely'

// Frozen in time once landed: never import application code here.
// Decision 0049: every signature written updates each index its row falls in, so the indexes
// no query needs go. The per-state partial indexes count and page each state (the
// (campaign_id, state) index duplicated them); the confirmed order index, read backwards, is the
// newest-first one; the two nightly jobs share one index on created_at whose predicate holds
// the rows either may want; nothing looks email_messages up by its sealed recipient.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create index signatures_retention_idx on signatures (created_at)
    where ip_hash is not null or (state in ('pending', 'held') and confirmed_at is null and contact_erased_at is null)`.execute(db)
  await sql`drop index if exists signatures_address_hash_expiry_idx`.execute(db)
  await sql`drop index if exists signatures_unconfirmed_retention_idx`.execute(db)
  await sql`drop index if exists signatures_campaign_state_idx`.execute(db)
  await sql`drop index if exists signatures_confirmed_recent_idx`.execute(db)
  await sql`drop index if exists email_messages_recipient_idx`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`create index email_messages_recipient_idx on email_messages (recipient, created_at)`.execute(db)
  await sql`create index signatures_confirmed_recent_idx on signatures (campaign_id, confirmed_at desc) where state = 'confirmed'`.execute(db)
  await sql`create index signatures_campaign_state_idx on signatures (campaign_id, state)`.execute(db)
  await sql`create index signatures_unconfirmed_retention_idx on signatures (created_at) where state = 'pending' and contact_erased_at is null`.execute(db)
  await sql`create index signatures_address_hash_expiry_idx on signatures (created_at) where ip_hash is not null`.execute(db)
  await sql`drop index if exists signatures_retention_idx`.execute(db)
}
