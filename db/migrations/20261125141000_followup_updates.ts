import { type Kysely, sql } from 'kysely'

// Frozen in time once landed: never import application code here.
// Updates to signers (decision 0010): the audience of an update is read in signature
// order from the confirmed signers who opted in; this index serves that scan and its count.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create index signatures_update_audience_idx on signatures (campaign_id, id) where state = 'confirmed' and consent_updates`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists signatures_update_audience_idx`.execute(db)
}
