import { claimBatch, countBatchAttempt, recordBatch, releaseBatch, splitBatch, takeUnfinishedBatch } from '~/models/email-batch.server'
import { prepareBatch } from '~/models/email-batch-render.server'
import { openEmailContent, type EmailContent } from '~/models/email-content.server'
import { gateWaitMs, pauseSending, reserveSendSlot } from '~/models/email-send-gate.server'
import { getDb } from '~/utils/db.server'
import { EmailSendError, sendEmailBatch, type BatchEmail } from '~/utils/email.server'
import { getEnv } from '~/utils/env.server'
import { logger } from '~/utils/logger.server'

// The one sender (decision 0025). A batch is whatever is due, up to 100 emails:
//   1. claim: rows 'queued' -> 'sending' under a new email_batches row (its idempotency key and
//      this process as the holder), in one transaction, `for update skip locked`;
//   2. prepare: render every email and store it (sealed) on its row, in one transaction, so a
//      resend after a crash is byte for byte the same request;
//   3. wait for the shared rate gate, call Resend's batch endpoint under the batch's key;
//   4. record the answer in one transaction.
// A crash between 3 and 4 leaves the batch 'sending' with its content: whoever resumes it sends
// the same request under the same key, and Resend answers with the first ids (exactly once).

const silentSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))
/** The longest the sender pauses in one go; it then looks again (and notices a shutdown). */
const MAX_PAUSE_MS = 5000

export type SendOutcome =
  | { status: 'idle' }
  | { status: 'sent'; batchId: string; emails: number }
  | { status: 'retry'; batchId: string; waitMs: number; error: string }
  | { status: 'split'; batchId: string; error: string }
  | { status: 'failed'; batchId: string; error: string }
  | { status: 'paused'; waitMs: number }

export interface SendOptions {
  sleep?: (ms: number) => Promise<void>
  /** Seen before each wait: when it says stop, the batch is released instead of waited for. */
  shouldStop?: () => boolean
  /** Tests stop the process between Resend's answer and the recording of it. */
  afterProviderAnswer?: (batchId: string) => void | Promise<void>
}

/** 429, 409 (concurrent use of a key), 5xx and network trouble: try again later, nothing is used up. */
function isRetriable(error: unknown): boolean {
  if (!(error instanceof EmailSendError)) return true
  const status = error.statusCode
  if (status === null || status === undefined) return true
  return status === 429 || status === 409 || status === 408 || status >= 500
}

/** The stored content of these emails, opened, by id. */
async function storedContent(rows: { id: string; campaign_id: string | null }[]): Promise<Map<string, EmailContent>> {
  const contents = new Map<string, EmailContent>()
  if (rows.length === 0) return contents
  const sealed = await getDb()
    .selectFrom('email_messages')
    .select(['id', 'campaign_id', 'recipient', 'subject', 'html', 'text'])
    .where(
      'id',
      'in',
      rows.map((row) => row.id),
    )
    .execute()
  for (const row of sealed) {
    contents.set(row.id, await openEmailContent(getDb(), row.campaign_id, { recipient: row.recipient, subject: row.subject, html: row.html, text: row.text }))
  }
  return contents
}

/**
 * Sends one batch: an unfinished one first (same key), else what is due. Never uses up an email
 * on a 429 or 5xx (the gate closes for as long as the provider asks, the batch waits); a
 * permanent refusal of several emails sends each alone, of one email fails it with the reason.
 */
export async function sendNextBatch(workerId: string, options: SendOptions = {}): Promise<SendOutcome> {
  const sleep = options.sleep ?? silentSleep
  const env = getEnv()
  const paced = env.EMAIL_TRANSPORT !== 'mailbox'
  if (paced) {
    // Closed after a 429 or an outage: claim nothing until it opens (another process may be waiting too).
    const closed = await gateWaitMs()
    if (closed > 1000) return { status: 'paused', waitMs: closed }
  }
  const batch = (await takeUnfinishedBatch(workerId)) ?? (await claimBatch(workerId))
  if (!batch) return { status: 'idle' }
  const log = logger.child({ batchId: batch.id })
  let released = false
  try {
    // Prepared now: its content is at hand as it was stored. Resumed (prepared before a crash or
    // a wait): read back and opened, so the request is byte for byte the first one.
    const fresh = batch.prepared_at ? new Map<string, EmailContent>() : await prepareBatch(batch.id)
    const rows = await getDb()
      .selectFrom('email_messages')
      .select(['id', 'campaign_id', 'sender', 'headers'])
      .where('batch_id', '=', batch.id)
      .where('status', '=', 'sending')
      .orderBy('priority')
      .orderBy('id')
      .execute()
    if (rows.length === 0) {
      await recordBatch(batch.id, { sent: [], failed: [], status: 'sent' })
      return { status: 'sent', batchId: batch.id, emails: 0 }
    }
    const stored = await storedContent(rows.filter((row) => !fresh.has(row.id)))
    const emails: BatchEmail[] = rows.map((row) => {
      const content = fresh.get(row.id) ?? stored.get(row.id)!
      return {
        messageId: row.id,
        to: content.recipient,
        from: row.sender ?? undefined,
        subject: content.subject,
        html: content.html ?? '',
        text: content.text ?? '',
        headers: row.headers ?? undefined,
      }
    })

    if (paced) {
      for (;;) {
        const wait = await reserveSendSlot()
        if (wait <= MAX_PAUSE_MS) {
          if (wait > 0) await sleep(wait)
          break
        }
        // A long pause (the provider asked for it): give the batch back rather than hold it.
        await releaseBatch(batch.id)
        released = true
        return { status: 'paused', waitMs: wait }
      }
      if (options.shouldStop?.()) {
        await releaseBatch(batch.id)
        released = true
        return { status: 'paused', waitMs: 0 }
      }
    }
    await countBatchAttempt(batch.id)

    let answer: Awaited<ReturnType<typeof sendEmailBatch>>
    try {
      answer = await sendEmailBatch(emails, { idempotencyKey: batch.idempotency_key })
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error)
      if (error instanceof EmailSendError && error.code === 'invalid_idempotent_request') {
        // The key was used for this batch with other content: Resend accepted it before.
        log.warn('batch already accepted under its key; recorded as sent without ids')
        answer = { providerIds: emails.map(() => null), keepBodies: false, waitMs: null }
      } else if (isRetriable(error)) {
        const asked = error instanceof EmailSendError ? error.retryAfterMs : null
        const backoff = Math.min(1000 * 2 ** Math.min(batch.attempts, 6), 60_000)
        const waitMs = asked ?? backoff
        const status = error instanceof EmailSendError ? error.statusCode : null
        const reason = status === 429 ? `rate limited by the provider (${message})` : `provider unavailable (${message})`
        await pauseSending(waitMs, reason)
        await releaseBatch(batch.id, reason)
        released = true
        log.warn({ waitMs, status, err: message }, 'email batch refused for now; it waits and is sent again under its key')
        return { status: 'retry', batchId: batch.id, waitMs, error: message }
      } else if (emails.length > 1) {
        // One bad email refuses the whole batch: each is tried alone, so only the bad one fails.
        await splitBatch(batch.id, message)
        released = true
        log.warn({ emails: emails.length, err: message }, 'email batch refused; its emails will be sent one by one')
        return { status: 'split', batchId: batch.id, error: message }
      } else {
        await recordBatch(batch.id, { sent: [], failed: [{ id: emails[0]!.messageId, error: message }], status: 'failed', error: message })
        released = true
        log.warn({ emailId: emails[0]!.messageId, err: message }, 'email refused by the provider; given up')
        return { status: 'failed', batchId: batch.id, error: message }
      }
    }
    await options.afterProviderAnswer?.(batch.id)
    await recordBatch(batch.id, {
      sent: emails.map((email, i) => ({ id: email.messageId, providerId: answer.providerIds[i] ?? null, keepBody: answer.keepBodies })),
      failed: [],
      status: 'sent',
    })
    released = true
    if (answer.waitMs && answer.waitMs > 0) await pauseSending(answer.waitMs, 'provider rate limit reached')
    log.info({ emails: emails.length }, 'email batch sent')
    return { status: 'sent', batchId: batch.id, emails: emails.length }
  } finally {
    // Anything unexpected (a lost connection): give the batch back for any sender to resume.
    if (!released) await releaseBatch(batch.id).catch(() => {})
  }
}

/**
 * Sends batches until nothing is due (tests, the update bench). Stops, rather than waiting, when
 * the provider refuses for now or the gate is closed: the emails stay queued for the next run.
 */
export async function drainOutbox(workerId = `drain:${process.pid}`, options: SendOptions = {}): Promise<SendOutcome[]> {
  const outcomes: SendOutcome[] = []
  for (;;) {
    const outcome = await sendNextBatch(workerId, options)
    if (outcome.status === 'idle') return outcomes
    outcomes.push(outcome)
    if (outcome.status === 'retry' || outcome.status === 'paused') return outcomes
  }
}
