import { type Kysely, sql } from 'kysely'

// Frozen in time: never import application code here.
// Decision 0045: a signature or a gift whose contact details were erased (on schedule or on
// request) says so, so lists can show "erased" instead of a blank and the nightly job resumes
// where it stopped. Rows erased before this column existed are found by their erased index.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table signatures add column contact_erased_at timestamptz`.execute(db)
  await sql`alter table donations add column contact_erased_at timestamptz`.execute(db)
  await sql`update signatures set contact_erased_at = updated_at where email_index like 'erased:%'`.execute(db)
  await sql`update donations set contact_erased_at = updated_at where donor_email = '' and donor_email_index is null`.execute(db)
  // The nightly job's unconfirmed signatures: only rows still holding contact details are in it.
  await sql`create index signatures_unconfirmed_retention_idx on signatures (created_at) where state = 'pending' and contact_erased_at is null`.execute(db)
  await sql`create index donations_retention_idx on donations (created_at) where contact_erased_at is null`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists donations_retention_idx`.execute(db)
  await sql`drop index if exists signatures_unconfirmed_retention_idx`.execute(db)
  await sql`alter table donations drop column if exists contact_erased_at`.execute(db)
  await sql`alter table signatures drop column if exists contact_erased_at`.execute(db)
}
