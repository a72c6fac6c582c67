import { type Kysely, sql } from 'kysely'

// Frozen in time once landed: never import application code here.
// The workspace lists the emails the provider refused for good, by campaign and recency
// (email-outbox.server.ts, refusedEmailsForOrganisation): a few rows of a table that holds
// every email ever sent, so an index holding only those.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create index email_messages_refused_idx on email_messages (campaign_id, updated_at) where status = 'failed' and error is not null`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists email_messages_refused_idx`.execute(db)
}
