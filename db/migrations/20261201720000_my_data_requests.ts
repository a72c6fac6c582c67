import { type Kysely, sql } from 'kysely'

// Frozen in time: never import application code here.
// The links a supporter asks for at /my-data. Only the token's hash is kept; the
// address is sealed (decision 0040) and its blind index finds the data.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create table data_requests (
    id bigint generated always as identity primary key,
    token_hash bytea not null unique,
    email text not null,
    email_index text not null,
    locale text not null default 'en',
    created_at timestamptz not null default now(),
    expires_at timestamptz not null,
    used_at timestamptz
  )`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table if exists data_requests`.execute(db)
}
