import { type Kysely, sql } from 'kysely'

// Frozen in time: never import application code here.
// Decision 0015: signatures keep their client-address hash for 30 days; the nightly
// job finds the ones to erase through this index (only rows still holding one are in it).
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create index signatures_address_hash_expiry_idx on signatures (created_at) where ip_hash is not null`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists signatures_address_hash_expiry_idx`.execute(db)
}
