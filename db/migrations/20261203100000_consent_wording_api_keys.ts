import { type Kysely, sql } from 'kysely'

// Frozen in time once landed: never import application code here.
export async function up(db: Kysely<any>): Promise<void> {
  // The standard "show my name" wording now also says the name goes to the organisation's systems
  // its privacy notice lists (API keys, decision 0047): a new wording, so a new consent version for
  // campaigns using it. Campaigns with their own wording keep theirs.
  await sql`alter table campaigns alter column consent_version set default '2026-12-v3'`.execute(db)
  await sql`update campaigns set consent_version = '2026-12-v3' where consent_version = '2026-11-v2'`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`update campaigns set consent_version = '2026-11-v2' where consent_version = '2026-12-v3'`.execute(db)
  await sql`alter table campaigns alter column consent_version set default '2026-11-v2'`.execute(db)
}
