import crypto from 'node:crypto'
import { sql } from 'kysely'
import { sealEmailContent } from '~/models/email-content.server'
import { getDb, type Executor } from '~/utils/db.server'
import { getEnv } from '~/utils/env.server'

// The outbox (decision 0025): every email Chorus sends is first a queued email_messages
// row, written in the transaction of the data it belongs to. One sender (email-sender.server.ts)
// drains it in batches, confirmations before update fan-outs, first in first out.

/** Lower goes first. */
export const EMAIL_PRIORITY = { transactional: 0, update: 10 } as const

export const SENDER_JOB_KEY = 'send-email-batch'

export type OutboxTemplate =
  | 'signature-confirmation'
  | 'already-signed'
  | 'signature-thanks'
  | 'sign-in-link'
  | 'invitation'
  | 'donation-receipt'
  | 'campaign-update-test'
  | 'sender-verification'
  | 'my-data-link'

export interface QueueEmailInput {
  template: OutboxTemplate
  /** What the renderer needs (ids, a one-time token); cleared once the email is rendered. */
  payload: Record<string, string>
  locale: string
  /** Known now, or filled in when rendered (a signature's address is read then). */
  recipient?: string
  signatureId?: string | null
  campaignId?: string | null
  /** A stable key makes queueing twice a no-op (a receipt per payment); otherwise unique. */
  idempotencyKey?: string
  priority?: number
}

/**
 * Queues one email in the caller's transaction, so the email and the data it is about are
 * kept or lost together. Returns false when an email with the same key was queued before.
 */
export async function queueEmail(tx: Executor, input: QueueEmailInput): Promise<boolean> {
  const content = await sealEmailContent(tx, input.campaignId ?? null, { recipient: input.recipient ?? '', subject: '', html: null, text: null })
  const inserted = await tx
    .insertInto('email_messages')
    .values({
      idempotency_key: input.idempotencyKey ?? `${input.template}/${crypto.randomUUID()}`,
      recipient: content.recipient,
      recipient_index: content.recipientIndex,
      subject: content.subject,
      template: input.template,
      locale: input.locale,
      transport: getEnv().EMAIL_TRANSPORT,
      status: 'queued',
      priority: input.priority ?? EMAIL_PRIORITY.transactional,
      payload: JSON.stringify(input.payload),
      signature_id: input.signatureId ?? null,
      campaign_id: input.campaignId ?? null,
    })
    .onConflict((oc) => oc.column('idempotency_key').doNothing())
    .returning('id')
    .executeTakeFirst()
  return Boolean(inserted)
}

/** How long an email may wait before the workspace calls it delayed. */
export const DELAY_THRESHOLD_SECONDS = { transactional: 120, update: 900 } as const

/** Why emails wait: the provider's last refusal (its own words), or no process running jobs. */
export type DelayReason = { kind: 'provider'; message: string } | { kind: 'no-worker' } | { kind: 'unknown' }

export interface DelayedEmails {
  /** Queued or being sent longer than expected (transactional and update emails). */
  waiting: number
  /** Of those, emails of updates to signers. */
  updates: number
  oldestQueuedAt: Date | null
  reason: DelayReason
}

/**
 * What is stuck in the outbox for one organisation: emails waiting longer than expected, and
 * why, as far as the sender knows (decision 0026). Null while all is well: the workspace then
 * shows nothing.
 */
export async function delayedEmailsForOrganisation(organisationId: string, db: Executor = getDb()): Promise<DelayedEmails | null> {
  const row = await sql<{ waiting: number; updates: number; oldest: Date | null; reason: string | null }>`
    select count(*)::int as waiting, (count(*) filter (where m.priority >= ${EMAIL_PRIORITY.update}))::int as updates,
      min(m.created_at) as oldest,
      (select b.last_error from email_batches b
        where b.id in (select batch_id from email_messages w join campaigns wc on wc.id = w.campaign_id
          where wc.organisation_id = ${organisationId} and w.status = 'sending' and w.batch_id is not null)
          and b.last_error is not null order by b.id limit 1) as reason
    from email_messages m
    join campaigns c on c.id = m.campaign_id
    where c.organisation_id = ${organisationId}
      and m.status in ('queued', 'sending')
      and m.created_at < now() - case when m.priority >= ${EMAIL_PRIORITY.update}
        then make_interval(secs => ${DELAY_THRESHOLD_SECONDS.update}) else make_interval(secs => ${DELAY_THRESHOLD_SECONDS.transactional}) end`.execute(db)
  const found = row.rows[0]
  if (!found || found.waiting === 0) return null
  const reason = await explainDelay(db, found.reason)
  return { waiting: found.waiting, updates: found.updates, oldestQueuedAt: found.oldest, reason }
}

/**
 * Why emails wait, given the provider's last refusal on their batch if any: that refusal, else
 * a pause the shared rate gate recorded, else no job runner alive, else a backlog (unknown).
 */
export async function explainDelay(db: Executor, batchError: string | null): Promise<DelayReason> {
  let message = batchError
  if (!message) {
    const gate = await db.selectFrom('email_send_throttle').select(['next_at', 'reason']).where('id', '=', 1).executeTakeFirst()
    if (gate?.reason && gate.next_at > new Date()) message = gate.reason
  }
  if (message) return { kind: 'provider', message }
  // No process running jobs has beaten lately: nothing is sending at all.
  const runners = await sql<{ n: number }>`select count(*)::int as n from worker_heartbeats
    where cardinality(job_worker_ids) > 0 and not draining
      and beat_at > now() - make_interval(secs => ${getEnv().WORKER_DEAD_AFTER_SECONDS})`.execute(db)
  return runners.rows[0]!.n === 0 ? { kind: 'no-worker' } : { kind: 'unknown' }
}

/** How far back the workspace lists the emails the provider refused for good. */
export const REFUSED_WINDOW_DAYS = 30
/** The reasons listed at most (the most recent first); the total counts them all. */
const REFUSED_GROUPS_SHOWN = 10

export interface RefusedEmails {
  /** Emails of this organisation's campaigns given up in the window. */
  total: number
  /** By kind of email and the provider's reason, the most recently refused first. */
  groups: { template: string; reason: string; count: number; lastAt: Date }[]
}

/**
 * The emails of an organisation's campaigns the provider refused for good (a 422 and the like:
 * the sender gives an email up only then, with the provider's reason), in the last
 * REFUSED_WINDOW_DAYS days. Null when there are none: the workspace then shows nothing.
 */
export async function refusedEmailsForOrganisation(organisationId: string, db: Executor = getDb()): Promise<RefusedEmails | null> {
  const { rows } = await sql<{ template: string; reason: string; count: number; last_at: Date }>`
    select m.template, m.error as reason, count(*)::int as count, max(m.updated_at) as last_at
    from email_messages m
    join campaigns c on c.id = m.campaign_id
    where c.organisation_id = ${organisationId}
      and m.status = 'failed' and m.error is not null
      and m.updated_at > now() - make_interval(days => ${REFUSED_WINDOW_DAYS})
    group by m.template, m.error
    order by last_at desc, m.template`.execute(db)
  if (rows.length === 0) return null
  return {
    total: rows.reduce((sum, row) => sum + row.count, 0),
    groups: rows.slice(0, REFUSED_GROUPS_SHOWN).map((row) => ({ template: row.template, reason: row.reason, count: row.count, lastAt: row.last_at })),
  }
}
