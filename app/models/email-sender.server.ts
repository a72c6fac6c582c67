import crypto from 'node:crypto'
import { sql } from 'kysely'
import type { RenderedEmail } from '#emails/render'
import { renderUpdateEmail, UNSUBSCRIBE_PLACEHOLDER } from '~/models/campaign-update-send.server'
import { buildDonationReceipt } from '~/models/donation-receipt.server'
import { openEmailContent, sealEmailContent } from '~/models/email-content.server'
import { open } from '~/models/data-key.server'
import { buildMyDataLinkEmail } from '~/models/my-data.server'
import { EMAIL_PRIORITY } from '~/models/email-outbox.server'
import { buildInvitationEmail } from '~/models/invitation.server'
import { buildSignInLinkEmail } from '~/models/sign-in.server'
import { buildSenderVerificationEmail } from '~/models/organisation.server'
import { buildSignatureEmail, newSignatureEmailBatch, type SignatureEmailBatch } from '~/models/signature-email.server'
import { getDb, type Tx } from '~/utils/db.server'
import { BATCH_LIMIT, EmailSendError, sendEmailBatch, type BatchEmail, type OutgoingEmail } from '~/utils/email.server'
import { getEnv } from '~/utils/env.server'
import { logger } from '~/utils/logger.server'
import { listUnsubscribeHeaders, unsubscribeUrl } from '~/utils/unsubscribe.server'

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

interface ClaimedBatch {
  id: string
  idempotency_key: string
  prepared_at: Date | null
  attempts: number
}

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

/** A batch a dead (or stopped) sender left unfinished: resumed first, under its own key. */
async function takeUnfinishedBatch(workerId: string): Promise<ClaimedBatch | null> {
  const row = await sql<ClaimedBatch>`
    update email_batches set worker_id = ${workerId}, leased_at = now()
    where id = (select id from email_batches where status = 'sending' and worker_id is null order by id limit 1 for update skip locked)
    returning id, idempotency_key, prepared_at, attempts`.execute(getDb())
  return row.rows[0] ?? null
}

/** Claims what is due, up to 100, first by priority then in order; a refused email goes alone. */
async function claimBatch(workerId: string): Promise<ClaimedBatch | null> {
  return await getDb()
    .transaction()
    .execute(async (tx) => {
      const batch = await tx
        .insertInto('email_batches')
        .values({ idempotency_key: `chorus-email-batch/${crypto.randomUUID()}`, worker_id: workerId, leased_at: sql`now()` })
        .returning(['id', 'idempotency_key', 'prepared_at', 'attempts'])
        .executeTakeFirstOrThrow()
      const claim = async (alone: boolean, limit: number) =>
        await sql<{ id: string }>`
          update email_messages m set status = 'sending', batch_id = ${batch.id}, updated_at = now()
          where m.id in (select id from email_messages where status = 'queued' and send_alone = ${alone}
            order by priority, id limit ${limit} for update skip locked)
          returning m.id`.execute(tx)
      let claimed = await claim(true, 1)
      if (claimed.rows.length === 0) claimed = await claim(false, BATCH_LIMIT)
      if (claimed.rows.length === 0) {
        await tx.deleteFrom('email_batches').where('id', '=', batch.id).execute()
        return null
      }
      return batch
    })
}

interface PendingRow {
  id: string
  template: string
  payload: Record<string, string> | null
  locale: string
  signature_id: string | null
  campaign_id: string | null
  update_id: string | null
}

/** Rows of an update whose signer has since unsubscribed, been suppressed or removed, or whose update was stopped. */
async function skipUnwantedUpdateEmails(tx: Tx, batchId: string) {
  await sql`
    update email_messages m set status = 'skipped', updated_at = now(), error = r.reason
    from (
      select m2.id, case
          when u.status <> 'sending' then 'cancelled'
          when m2.signature_id is null or s.email = '' then 'removed'
          when exists (select 1 from email_suppressions x where x.organisation_id = c.organisation_id and x.email_index = s.email_index) then 'suppressed'
          when s.id is null or s.state <> 'confirmed' or not s.consent_updates then 'withdrawn'
          when exists (select 1 from email_unsubscribes x where x.organisation_id = c.organisation_id and x.email_index = s.email_index
            and (x.campaign_id is null or x.campaign_id = c.id)) then 'unsubscribed'
        end as reason
      from email_messages m2
      join campaign_updates u on u.id = m2.update_id
      join campaigns c on c.id = u.campaign_id
      left join signatures s on s.id = m2.signature_id
      where m2.batch_id = ${batchId} and m2.status = 'sending'
    ) r
    where m.id = r.id and r.reason is not null`.execute(tx)
}

/** What the emails of one batch share, read or rendered once for all of them. */
interface BatchMemo {
  updates: Map<string, Promise<(RenderedEmail & { from: string }) | null>>
  signatures: SignatureEmailBatch
}

type Rendered = Pick<OutgoingEmail, 'to' | 'subject' | 'html' | 'text' | 'headers'> & { locale?: string; from?: string }

/** Renders one queued email, or null when it is no longer due (confirmed, used, withdrawn since). */
async function renderQueued(row: PendingRow, batch: BatchMemo): Promise<Rendered | null> {
  const { updates, signatures } = batch
  const p = row.payload ?? {}
  switch (row.template) {
    case 'signature-confirmation':
    case 'already-signed':
    case 'signature-thanks':
      return await buildSignatureEmail(row.template, p.signatureId ?? row.signature_id ?? '', p.token, signatures)
    case 'sign-in-link':
      return await buildSignInLinkEmail(p.signInTokenId!, p.token!, p.locale ?? row.locale)
    case 'invitation':
      return await buildInvitationEmail(p.invitationId!, p.token!, p.locale ?? row.locale)
    case 'donation-receipt':
      return await buildDonationReceipt(p.paymentId!)
    case 'my-data-link':
      return await buildMyDataLinkEmail(p.requestId!, p.token!, p.locale ?? row.locale)
    case 'sender-verification':
      return await buildSenderVerificationEmail(p.organisationId!, p.token!, p.locale ?? row.locale)
    case 'campaign-update-test': {
      const update = { id: p.updateId!, campaignId: row.campaign_id ?? '' }
      const rendered = await renderUpdateEmail(update, row.locale, { unsubscribe: `${getEnv().APP_URL}/unsubscribe/test`, test: true })
      return rendered ? { to: p.recipient!, ...rendered } : null
    }
    case 'campaign-update': {
      if (!row.update_id || !row.signature_id) return null
      const key = `${row.update_id}/${row.locale}`
      if (!updates.has(key)) updates.set(key, renderUpdateEmail({ id: row.update_id, campaignId: row.campaign_id ?? '' }, row.locale))
      const template = await updates.get(key)
      if (!template) return null
      const signature = await getDb().selectFrom('signatures').select('email').where('id', '=', row.signature_id).executeTakeFirst()
      if (!signature?.email) return null
      const to = await open(signature.email)
      const link = unsubscribeUrl(row.signature_id, row.locale)
      return {
        to,
        from: template.from,
        subject: template.subject,
        html: template.html.replaceAll(UNSUBSCRIBE_PLACEHOLDER, link),
        text: template.text.replaceAll(UNSUBSCRIBE_PLACEHOLDER, link),
        headers: listUnsubscribeHeaders(row.signature_id),
      }
    }
    default:
      logger.error({ template: row.template, emailId: row.id }, 'no renderer for queued email')
      return null
  }
}

/** Step 2: every email of the batch rendered and stored with it, or skipped, in one transaction. */
async function prepareBatch(batch: ClaimedBatch) {
  await getDb()
    .transaction()
    .execute(async (tx) => {
      await skipUnwantedUpdateEmails(tx, batch.id)
      const rows = (await tx
        .selectFrom('email_messages')
        .select(['id', 'template', 'payload', 'locale', 'signature_id', 'campaign_id', 'update_id'])
        .where('batch_id', '=', batch.id)
        .where('status', '=', 'sending')
        // Rendered before (then sent alone after a refusal of its batch): kept as it was.
        .where('html', 'is', null)
        .orderBy('id')
        .execute()) as PendingRow[]
      const memo: BatchMemo = { updates: new Map(), signatures: newSignatureEmailBatch() }
      const rendered: (Rendered | null)[] = []
      // A few at a time: each render reads the database, and the answers overlap.
      for (let i = 0; i < rows.length; i += 10) {
        rendered.push(...(await Promise.all(rows.slice(i, i + 10).map((row) => renderQueued(row, memo)))))
      }
      const ids: string[] = []
      const locales: string[] = []
      const senders: (string | null)[] = []
      const recipients: string[] = []
      const recipientIndexes: (string | null)[] = []
      const subjects: string[] = []
      const htmls: (string | null)[] = []
      const texts: (string | null)[] = []
      const headers: (string | null)[] = []
      const skipped: string[] = []
      for (const [i, row] of rows.entries()) {
        const email = rendered[i]
        if (!email || !email.to) {
          skipped.push(row.id)
          continue
        }
        const sealed = await sealEmailContent(tx, row.campaign_id, { recipient: email.to, subject: email.subject, html: email.html, text: email.text })
        ids.push(row.id)
        locales.push(email.locale ?? row.locale)
        senders.push(email.from ?? null)
        recipients.push(sealed.recipient)
        recipientIndexes.push(sealed.recipientIndex)
        subjects.push(sealed.subject)
        htmls.push(sealed.html)
        texts.push(sealed.text)
        headers.push(email.headers ? JSON.stringify(email.headers) : null)
      }
      if (ids.length > 0) {
        await sql`update email_messages m set recipient = v.recipient, recipient_index = v.recipient_index, subject = v.subject, html = v.html, text = v.text,
            headers = v.headers::jsonb, locale = v.locale, sender = v.sender, payload = null, updated_at = now()
          from unnest(${ids}::bigint[], ${recipients}::text[], ${recipientIndexes}::text[], ${subjects}::text[], ${htmls}::text[], ${texts}::text[], ${headers}::text[], ${locales}::text[], ${senders}::text[])
            as v(id, recipient, recipient_index, subject, html, text, headers, locale, sender)
          where m.id = v.id`.execute(tx)
      }
      if (skipped.length > 0) {
        await tx
          .updateTable('email_messages')
          .set({ status: 'skipped', error: 'no longer due', payload: null, updated_at: sql`now()` })
          .where('id', 'in', skipped)
          .execute()
      }
      await tx
        .updateTable('email_batches')
        .set({ prepared_at: sql`now()` })
        .where('id', '=', batch.id)
        .execute()
    })
}

/**
 * The shared rate gate: reserves the next request slot for whichever process asks, and returns
 * how long to wait for it. One row, updated atomically, keeps every process together within
 * RESEND_RATE_LIMIT requests a second.
 */
export async function reserveSendSlot(rate = getEnv().RESEND_RATE_LIMIT): Promise<number> {
  const spacing = 1 / rate
  const { rows } = await sql<{ wait_ms: number }>`
    insert into email_send_throttle as t (id, next_at) values (1, clock_timestamp() + make_interval(secs => ${spacing}))
    on conflict (id) do update set next_at = greatest(t.next_at, clock_timestamp()) + make_interval(secs => ${spacing}),
      reason = case when t.next_at > clock_timestamp() then t.reason else null end
    returning greatest(extract(epoch from (next_at - make_interval(secs => ${spacing}) - clock_timestamp())) * 1000, 0)::float8 as wait_ms`.execute(getDb())
  return Math.ceil(rows[0]!.wait_ms)
}

/** Holds every sender back for `ms` (a 429, an outage), with the reason the workspace shows. */
export async function pauseSending(ms: number, reason: string) {
  await sql`insert into email_send_throttle as t (id, next_at, reason) values (1, clock_timestamp() + make_interval(secs => ${ms / 1000}), ${reason})
    on conflict (id) do update set next_at = greatest(t.next_at, clock_timestamp() + make_interval(secs => ${ms / 1000})), reason = ${reason}`.execute(getDb())
}

/** How long the gate is closed from now (0 when open). */
async function gateWaitMs(): Promise<number> {
  const row = await sql<{
    wait_ms: number
  }>`select greatest(extract(epoch from (next_at - clock_timestamp())) * 1000, 0)::float8 as wait_ms from email_send_throttle where id = 1`.execute(getDb())
  return Math.ceil(row.rows[0]?.wait_ms ?? 0)
}

/** 429, 409 (concurrent use of a key), 5xx and network trouble: try again later, nothing is used up. */
function isRetriable(error: unknown): boolean {
  if (!(error instanceof EmailSendError)) return true
  const status = error.statusCode
  if (status === null || status === undefined) return true
  return status === 429 || status === 409 || status === 408 || status >= 500
}

async function releaseBatch(batchId: string, lastError?: string) {
  await getDb()
    .updateTable('email_batches')
    .set({ worker_id: null, leased_at: null, ...(lastError !== undefined ? { last_error: lastError.slice(0, 500) } : {}) })
    .where('id', '=', batchId)
    .execute()
}

/** Step 4 (and a permanent refusal): rows settle, update counts move, finished updates are marked sent. */
async function recordBatch(
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
    if (!batch.prepared_at) await prepareBatch(batch)
    const rows = await getDb()
      .selectFrom('email_messages')
      .select(['id', 'campaign_id', 'recipient', 'sender', 'subject', 'html', 'text', 'headers'])
      .where('batch_id', '=', batch.id)
      .where('status', '=', 'sending')
      .orderBy('priority')
      .orderBy('id')
      .execute()
    if (rows.length === 0) {
      await recordBatch(batch.id, { sent: [], failed: [], status: 'sent' })
      return { status: 'sent', batchId: batch.id, emails: 0 }
    }
    const emails: BatchEmail[] = []
    for (const row of rows) {
      const content = await openEmailContent(getDb(), row.campaign_id, { recipient: row.recipient, subject: row.subject, html: row.html, text: row.text })
      emails.push({
        messageId: row.id,
        to: content.recipient,
        from: row.sender ?? undefined,
        subject: content.subject,
        html: content.html ?? '',
        text: content.text ?? '',
        headers: row.headers ?? undefined,
      })
    }

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
    await getDb()
      .updateTable('email_batches')
      .set((eb) => ({ attempts: eb('attempts', '+', 1) }))
      .where('id', '=', batch.id)
      .execute()
    await getDb()
      .updateTable('email_messages')
      .set((eb) => ({ attempts: eb('attempts', '+', 1) }))
      .where('batch_id', '=', batch.id)
      .where('status', '=', 'sending')
      .execute()

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
        await getDb()
          .transaction()
          .execute(async (tx) => {
            await tx
              .updateTable('email_messages')
              .set({ status: 'queued', send_alone: true, batch_id: null, updated_at: sql`now()` })
              .where('batch_id', '=', batch.id)
              .where('status', '=', 'sending')
              .execute()
            await tx
              .updateTable('email_batches')
              .set({ status: 'failed', worker_id: null, leased_at: null, last_error: message.slice(0, 500) })
              .where('id', '=', batch.id)
              .execute()
          })
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

/** Priority of an update's emails (for materialising the audience). */
export const UPDATE_EMAIL_PRIORITY = EMAIL_PRIORITY.update
