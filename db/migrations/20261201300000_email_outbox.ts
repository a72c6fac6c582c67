import { type Kysely, sql } from 'kysely'

// Frozen in time once landed: never import application code here.
// One outbox for every email (decision 0025): email_messages rows wait as 'queued' with a
// priority (0 transactional, 10 update fan-out) and what their sender needs to render them; one
// sender claims what is due in batches of up to 100, each recorded in email_batches with its
// idempotency key before Resend is called. email_send_throttle is the one rate gate every process
// shares. worker_heartbeats lets any process notice a dead worker and release what it held
// (decision 0026).
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('email_batches')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('idempotency_key', 'text', (c) => c.notNull().unique())
    .addColumn('status', 'text', (c) =>
      c
        .notNull()
        .defaultTo('sending')
        .check(sql`status in ('sending', 'sent', 'failed')`),
    )
    // The process holding the batch (worker_heartbeats.worker_id); null: free for any sender.
    .addColumn('worker_id', 'text')
    .addColumn('leased_at', 'timestamptz')
    .addColumn('prepared_at', 'timestamptz')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('sent_at', 'timestamptz')
    .execute()
  await sql`create index email_batches_unfinished_idx on email_batches (id) where status = 'sending'`.execute(db)
  await db.schema.createIndex('email_batches_created_idx').on('email_batches').column('created_at').execute()

  await sql`alter table email_messages
    add column priority smallint not null default 0,
    add column payload jsonb,
    add column headers jsonb,
    add column batch_id bigint references email_batches (id) on delete set null,
    add column send_alone boolean not null default false`.execute(db)
  await sql`create index email_messages_due_idx on email_messages (priority, id) where status = 'queued'`.execute(db)
  await sql`create index email_messages_batch_idx on email_messages (batch_id) where batch_id is not null`.execute(db)

  // Update batches that were in flight under the old per-update sender keep their Resend key, so
  // resending them after this release replays instead of sending twice.
  await sql`insert into email_batches (idempotency_key, status)
    select distinct 'campaign-update/' || update_id || '/batch/' || batch_no, 'sending'
    from email_messages where status = 'sending' and update_id is not null and batch_no is not null`.execute(db)
  await sql`update email_messages m set batch_id = b.id, priority = 10
    from email_batches b
    where m.status = 'sending' and m.update_id is not null
      and b.idempotency_key = 'campaign-update/' || m.update_id || '/batch/' || m.batch_no`.execute(db)
  await sql`update email_messages set priority = 10 where update_id is not null and status = 'queued'`.execute(db)

  await db.schema
    .createTable('email_send_throttle')
    .addColumn('id', 'integer', (c) => c.primaryKey().check(sql`id = 1`))
    // The earliest moment the next request to the provider may leave, whichever process sends it.
    .addColumn('next_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('reason', 'text')
    .execute()
  await sql`insert into email_send_throttle (id) values (1)`.execute(db)

  await db.schema
    .createTable('worker_heartbeats')
    .addColumn('worker_id', 'text', (c) => c.primaryKey())
    .addColumn('host', 'text', (c) => c.notNull())
    .addColumn('pid', 'integer', (c) => c.notNull())
    // graphile-worker's own ids of this process's workers, for force_unlock_workers.
    .addColumn('job_worker_ids', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
    .addColumn('draining', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('started_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('beat_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('worker_heartbeats').ifExists().execute()
  await db.schema.dropTable('email_send_throttle').ifExists().execute()
  await sql`drop index if exists email_messages_due_idx`.execute(db)
  await sql`drop index if exists email_messages_batch_idx`.execute(db)
  await sql`alter table email_messages drop column if exists priority, drop column if exists payload,
    drop column if exists headers, drop column if exists batch_id, drop column if exists send_alone`.execute(db)
  await db.schema.dropTable('email_batches').ifExists().execute()
}
