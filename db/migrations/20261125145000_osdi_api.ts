import { sql, type Kysely } from 'kysely'

// Frozen in time once landed: never import application code here.
// The OSDI API pages through a petition's confirmed signatures in confirmation order
// (decision 0014): new confirmations append to the last page, so offset paging stays stable.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create index signatures_confirmed_order_idx on signatures (campaign_id, confirmed_at, id) where state = 'confirmed'`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists signatures_confirmed_order_idx`.execute(db)
}
