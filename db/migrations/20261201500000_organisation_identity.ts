import { type Kysely, sql } from 'kysely'

// Frozen in time: never import application code here.
// Decision 0035: the organisation's own identity (logo, brand colour, website, contact
// address, sender name and, once confirmed, its own sender address), and the From each email
// was sent with.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table organisations
    add column logo_bytes bytea,
    add column logo_content_type text check (logo_content_type in ('image/png', 'image/jpeg', 'image/webp')),
    add column logo_sha256 text,
    add column logo_byte_size integer,
    add column logo_width integer,
    add column logo_height integer,
    add column brand_colour text check (brand_colour ~ '^#[0-9a-f]{6}$'),
    add column website_url text,
    add column contact_email text,
    add column sender_name text,
    add column sender_email text,
    add column sender_email_verified boolean not null default false,
    add column sender_verify_token_hash bytea,
    add column sender_verify_sent_at timestamptz`.execute(db)
  await sql`alter table email_messages add column sender text`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table email_messages drop column if exists sender`.execute(db)
  await sql`alter table organisations
    drop column if exists logo_bytes, drop column if exists logo_content_type, drop column if exists logo_sha256,
    drop column if exists logo_byte_size, drop column if exists logo_width, drop column if exists logo_height,
    drop column if exists brand_colour, drop column if exists website_url, drop column if exists contact_email,
    drop column if exists sender_name, drop column if exists sender_email, drop column if exists sender_email_verified,
    drop column if exists sender_verify_token_hash, drop column if exists sender_verify_sent_at`.execute(db)
}
