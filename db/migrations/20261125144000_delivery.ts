import { type Kysely, sql } from 'kysely'

// Frozen in time once landed: never import application code here.
export async function up(db: Kysely<any>): Promise<void> {
  // The SHA-256 of the pack's CSV as built, so the public verification page can show the whole
  // manifest the code covers and check an uploaded CSV without reading anyone's name (decision 0013).
  await db.schema.alterTable('delivery_packs').addColumn('list_sha256', 'text').execute()

  // The standard "show my name" wording now says the name goes into the list delivered to the
  // people the petition addresses: a new wording, so a new consent version for campaigns using it.
  await sql`alter table campaigns alter column consent_version set default '2026-11-v2'`.execute(db)
  await sql`update campaigns set consent_version = '2026-11-v2' where consent_version = '2026-11-v1'`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`update campaigns set consent_version = '2026-11-v1' where consent_version = '2026-11-v2'`.execute(db)
  await sql`alter table campaigns alter column consent_version set default '2026-11-v1'`.execute(db)
  await db.schema.alterTable('delivery_packs').dropColumn('list_sha256').execute()
}
