import { type Kysely, sql } from 'kysely'

// Frozen in time once landed: never import application code here.
// Resend's webhook deliveries already applied, by their Svix message id: a replay (Resend retries
// until it gets a 2xx) changes nothing twice. No payload is kept: it holds recipients' addresses.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('resend_events')
    .addColumn('svix_id', 'text', (c) => c.primaryKey())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('provider_id', 'text')
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('received_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute()
  await db.schema.createIndex('resend_events_received_idx').on('resend_events').column('received_at').execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('resend_events').ifExists().execute()
}
