import crypto from 'node:crypto'
import { sql } from 'kysely'
import { getDb } from '~/utils/db.server'
import { BATCH_LIMIT } from '~/utils/email.server'

// The email_batches rows of the sender (email-sender.server.ts): claimed (step 1), handed back,
// split, and recorded with the provider's answer (step 4), each in one transaction.

export interface ClaimedBatch {
  id: string
  idempotency_key: string
  prepared_at: Date | null
  attempts: number
}

/** A batch a dead (or stopped) sender left unfinished: resumed first, under its own key. */
export async function takeUnfinishedBatch(workerId: string): Promise<ClaimedBatch | null> {
  const row = await sql<ClaimedBatch>`
    update email_batches set worker_id = ${workerId}, leased_at = now()
    where id = (select id from email_batches where status = 'sending' and worker_id is null order by id limit 1 for update skip locked)
    returning id, idempotency_key, prepared_at, attempts`.execute(getDb())
  return row.rows[0] ?? null
}

/**
 * Claims what is due, up to 100, first by priority then in order; a refused email goes alone.
 * One statement per kind: the batch row is inserted only when there is something to claim, so a
 * poll that finds nothing (most of them, when all is quiet) writes nothing.
 */
export async function claimBatch(workerId: string): Promise<ClaimedBatch | null> {
  const claim = async (alone: boolean, limit: number) =>
    (
      await sql<ClaimedBatch>`
        with due as (
          select id from email_messages where status = 'queued' and send_alone = ${alone}
          order by priority, id limit ${limit} for update skip locked
        ), batch as (
          insert into email_batches (idempotency_key, worker_id, leased_at)
          select ${`chorus-email-batch/${crypto.randomUUID()}`}, ${workerId}, now() where exists (select 1 from due)
          returning id, idempotency_key, prepared_at, attempts
        ), claimed as (
          update email_messages m set status = 'sending', batch_id = batch.id, updated_at = now()
          from due, batch where m.id = due.id
        )
        select id, idempotency_key, prepared_at, attempts from batch`.execute(getDb())
    ).rows[0] ?? null
  return (await claim(true, 1)) ?? (await claim(false, BATCH_LIMIT))
}

export async function releaseBatch(batchId: string, lastError?: string) {
  await getDb()
    .updateTable('email_batches')
    .set({ worker_id: null, leased_at: null, ...(lastError !== undefined ? { last_error: lastError.slice(0, 500) } : {}) })
    .where('id', '=', batchId)
    .execute()
}

/** Step 4 (and a permanent refusal): rows settle, update counts move, finished updates are marked sent. */
export async function recordBatch(
  batchId: string,
  outcome: {
    sent: { id: string; providerId: string | null; keepBody: boolean }[]
    failed: { id: string; error: string }[]
    status: 'sent' | 'failed'
    error?: string
  },
) {
  await getDb()
    .transaction()
    .execute(async (tx) => {
      if (outcome.sent.length > 0) {
        // Booleans go as text: Postgres.js types a JS boolean array as a single boolean parameter.
        await sql`update email_messages m set status = 'sent', provider_id = v.provider_id, sent_at = now(), updated_at = now(), error = null,
            html = case when v.keep then m.html else null end, text = case when v.keep then m.text else null end
          from unnest(${outcome.sent.map((s) => s.id)}::bigint[], ${outcome.sent.map((s) => s.providerId)}::text[], ${outcome.sent.map((s) => (s.keepBody ? 'true' : 'false'))}::text[]::boolean[])
            as v(id, provider_id, keep)
          where m.id = v.id and m.status = 'sending'`.execute(tx)
      }
      for (const failure of outcome.failed) {
        await tx
          .updateTable('email_messages')
          .set({ status: 'failed', error: failure.error.slice(0, 500), html: null, text: null, updated_at: sql`now()` })
          .where('id', '=', failure.id)
          .where('status', '=', 'sending')
          .execute()
      }
      // Update fan-outs count their emails as they settle; an update with none left is sent.
      await sql`update campaign_updates u set
          sent_count = u.sent_count + x.sent, failed_count = u.failed_count + x.failed, updated_at = now()
        from (select update_id, count(*) filter (where status = 'sent')::int as sent, count(*) filter (where status = 'failed')::int as failed
          from email_messages where batch_id = ${batchId} and update_id is not null group by update_id) x
        where u.id = x.update_id`.execute(tx)
      await sql`update campaign_updates u set status = 'sent', sent_at = now(), updated_at = now()
        where u.id in (select distinct update_id from email_messages where batch_id = ${batchId} and update_id is not null)
          and u.status = 'sending' and u.audience_size is not null
          and not exists (select 1 from email_messages m where m.update_id = u.id and m.status in ('queued', 'sending'))`.execute(tx)
      await tx
        .updateTable('email_batches')
        .set({ status: outcome.status, sent_at: sql`now()`, worker_id: null, leased_at: null, last_error: outcome.error?.slice(0, 500) ?? null })
        .where('id', '=', batchId)
        .execute()
    })
}

/** One bad email refuses the whole batch: its emails go back to the queue to be tried alone, so only the bad one fails. */
export async function splitBatch(batchId: string, error: string) {
  await getDb()
    .transaction()
    .execute(async (tx) => {
      await tx
        .updateTable('email_messages')
        .set({ status: 'queued', send_alone: true, batch_id: null, updated_at: sql`now()` })
        .where('batch_id', '=', batchId)
        .where('status', '=', 'sending')
        .execute()
      await tx
        .updateTable('email_batches')
        .set({ status: 'failed', worker_id: null, leased_at: null, last_error: error.slice(0, 500) })
        .where('id', '=', batchId)
        .execute()
    })
}

/** Counts a request to the provider against the batch and each of its emails. */
export async function countBatchAttempt(batchId: string) {
  await getDb()
    .updateTable('email_batches')
    .set((eb) => ({ attempts: eb('attempts', '+', 1) }))
    .where('id', '=', batchId)
    .execute()
  await getDb()
    .updateTable('email_messages')
    .set((eb) => ({ attempts: eb('attempts', '+', 1) }))
    .where('batch_id', '=', batchId)
    .where('status', '=', 'sending')
    .execute()
}
