import { type Kysely, sql } from 'kysely'

// Frozen in time: never import application code here.
// Which API keys are the organisation's CRM sync (decision 0047): only they receive signers'
// email addresses from the OSDI API. Existing keys start without it, so no key gains addresses
// it did not ask for; an owner turns it on where a CRM needs them.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table api_keys add column crm_sync boolean not null default false`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table api_keys drop column if exists crm_sync`.execute(db)
}
