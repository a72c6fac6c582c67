import { type Kysely, sql } from 'kysely'

// Frozen in time: never import application code here.
// How long each organisation keeps supporters' contact details (decision 0045):
//   - signers' name, email and postcode: this many months after the campaign closes;
//   - unconfirmed signatures: this many days after they were made;
//   - donors' name and email: this many years after the gift (what accounting needs stays).
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table organisations
    add column signer_retention_months integer not null default 6
      check (signer_retention_months between 1 and 120),
    add column unconfirmed_retention_days integer not null default 30
      check (unconfirmed_retention_days between 1 and 365),
    add column financial_retention_years integer not null default 7
      check (financial_retention_years between 1 and 30)`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table organisations
    drop column if exists signer_retention_months,
    drop column if exists unconfirmed_retention_days,
    drop column if exists financial_retention_years`.execute(db)
}
