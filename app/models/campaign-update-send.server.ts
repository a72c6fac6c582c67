import crypto from 'node:crypto'
import { sql } from 'kysely'
import { renderEmail, type RenderedEmail } from '#emails/render'
import { recordAudit, type AuditActor } from '~/models/audit.server'
import { audienceQuery, recipientLocaleChoice, SEND_UPDATE_TASK, sendUpdateJobKey } from '~/models/campaign-update.server'
import { getDb, type DB, type Executor } from '~/utils/db.server'
import { emailBrandOf, getOrganisationIdentity } from '~/models/organisation.server'
import { emailFrom } from '~/utils/email-sender.server'
import { BATCH_LIMIT, EmailSendError, sendEmail, sendEmailBatch, type BatchEmail } from '~/utils/email.server'
import { getEnv } from '~/utils/env.server'
import { enqueueJob } from '~/utils/jobs.server'
import { isLocale, type Locale } from '~/utils/i18n'
import { logger } from '~/utils/logger.server'
import { renderMarkdown } from '~/utils/markdown.server'
import { listUnsubscribeHeaders, unsubscribeUrl } from '~/utils/unsubscribe.server'

// The fan-out of an update (decision 0010). Step 1 writes one email_messages row per recipient
// (status 'queued', numbered batches of 100) in one statement; step 2 sends the batches in order,
// each under its own Resend idempotency key. Every step is recorded before the next, so a
// crash at any point resumes at the first batch not yet recorded, and nobody is sent twice.

export const UPDATE_TEMPLATE = 'campaign-update'

export const updateEmailKey = (updateId: string, signatureId: string) => `campaign-update/${updateId}/${signatureId}`
export const updateBatchKey = (updateId: string, batchNo: number) => `campaign-update/${updateId}/batch/${batchNo}`

/** Rendered once per language; each recipient's own link replaces this. */
const UNSUBSCRIBE_PLACEHOLDER = 'https://unsubscribe.invalid/chorus-recipient-link'

export interface FanOutOptions {
  /** Batch requests a second (UPDATE_SEND_RATE when not given). */
  rate?: number
  /** Attempts per batch before its rows are marked failed. */
  maxBatchAttempts?: number
  /** First retry delay in ms; doubles each time. */
  retryBaseMs?: number
  /** Called after each batch is recorded (tests crash the run here). */
  afterBatch?: (batchNo: number) => void | Promise<void>
  sleep?: (ms: number) => Promise<void>
}

export interface FanOutResult {
  status: 'sent' | 'not-sending' | 'busy'
  batches: number
  sent: number
  failed: number
  skipped: number
}

/** The advisory lock a sender holds for the whole run (two int keys: a namespace and the update). */
const senderLock = (updateId: string) => sql`hashtext('campaign-update'), (${updateId}::bigint % 2147483647)::int`

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

/**
 * Step 1: the audience as it stands now, written as queued email records in one set-based
 * statement. Runs once per update: the audience size on the update marks it done (in the same
 * transaction), so later signers never get a batch number already used.
 */
export async function materialiseUpdateAudience(updateId: string, executor: DB = getDb()): Promise<number | null> {
  return await executor.transaction().execute(async (tx) => {
    const update = await tx
      .selectFrom('campaign_updates')
      .select(['id', 'campaign_id', 'status', 'audience_size'])
      .where('id', '=', updateId)
      .forUpdate()
      .executeTakeFirst()
    if (!update || update.status !== 'sending') return null
    if (update.audience_size !== null) return update.audience_size
    const choice = await recipientLocaleChoice(tx, updateId)
    if (!choice) {
      await tx.updateTable('campaign_updates').set({ audience_size: 0, updated_at: new Date() }).where('id', '=', updateId).execute()
      return 0
    }
    const recipientLocale = sql<string>`case when s.locale in (${sql.join(choice.available)}) then s.locale else ${choice.fallback} end`
    const audience = audienceQuery(tx, update.campaign_id).select([
      's.id as signature_id',
      's.email',
      recipientLocale.as('locale'),
      sql<number>`((row_number() over (order by s.id) - 1) / ${sql.lit(BATCH_LIMIT)})::int`.as('batch_no'),
    ])
    const inserted = await sql<{ n: number }>`
      with audience as (${audience}),
      added as (
        insert into email_messages (idempotency_key, recipient, template, subject, locale, transport, status,
          signature_id, campaign_id, update_id, batch_no)
        select ${`campaign-update/${updateId}/`} || a.signature_id, a.email, ${UPDATE_TEMPLATE}, t.subject, a.locale, ${getEnv().EMAIL_TRANSPORT},
          'queued', a.signature_id, ${update.campaign_id}, ${updateId}, a.batch_no
        from audience a
        join campaign_update_translations t on t.update_id = ${updateId} and t.locale = a.locale
        on conflict do nothing
        returning 1
      )
      select count(*)::int as n from added`.execute(tx)
    const size = inserted.rows[0]!.n
    await tx.updateTable('campaign_updates').set({ audience_size: size, updated_at: new Date() }).where('id', '=', updateId).execute()
    return size
  })
}

interface UpdateForSending {
  id: string
  campaignId: string
  organisationId: string
  slug: string
  baseLocale: string
  organisationName: string
}

async function loadSendingUpdate(updateId: string): Promise<(UpdateForSending & { status: string }) | null> {
  const row = await getDb()
    .selectFrom('campaign_updates as u')
    .innerJoin('campaigns as c', 'c.id', 'u.campaign_id')
    .innerJoin('organisations as o', 'o.id', 'c.organisation_id')
    .select(['u.id', 'u.status', 'c.id as campaign_id', 'c.organisation_id', 'c.slug', 'c.locale', 'o.name as organisation_name'])
    .where('u.id', '=', updateId)
    .executeTakeFirst()
  if (!row) return null
  return {
    id: row.id,
    status: row.status,
    campaignId: row.campaign_id,
    organisationId: row.organisation_id,
    slug: row.slug,
    baseLocale: row.locale,
    organisationName: row.organisation_name,
  }
}

/** The update rendered in one language, with a placeholder for each recipient's unsubscribe link. */
export async function renderUpdateEmail(
  update: { id: string; campaignId: string },
  locale: string,
  { unsubscribe = UNSUBSCRIBE_PLACEHOLDER, test = false }: { unsubscribe?: string; test?: boolean } = {},
  executor: Executor = getDb(),
): Promise<(RenderedEmail & { from: string }) | null> {
  const row = await executor
    .selectFrom('campaign_update_translations as t')
    .innerJoin('campaign_updates as u', 'u.id', 't.update_id')
    .innerJoin('campaigns as c', 'c.id', 'u.campaign_id')
    .innerJoin('organisations as o', 'o.id', 'c.organisation_id')
    .leftJoin('campaign_translations as ct', (join) => join.onRef('ct.campaign_id', '=', 'c.id').on('ct.locale', '=', locale).on('ct.title', '<>', ''))
    .select(['t.subject', 't.body', 'c.slug', 'c.organisation_id', 'o.name as organisation_name', sql<string>`coalesce(ct.title, c.title)`.as('title')])
    .where('t.update_id', '=', update.id)
    .where('t.locale', '=', locale)
    .executeTakeFirst()
  if (!row) return null
  const { APP_URL } = getEnv()
  const emailLocale: Locale = isLocale(locale) ? locale : 'en'
  const organisation = (await getOrganisationIdentity(row.organisation_id, executor))!
  const rendered = await renderEmail('campaign-update', {
    locale: emailLocale,
    campaignTitle: row.title,
    campaignUrl: `${APP_URL}/campaigns/${row.slug}?lang=${locale}`,
    organisationName: row.organisation_name,
    appUrl: APP_URL,
    subject: row.subject,
    bodyHtml: renderMarkdown(row.body),
    unsubscribeUrl: unsubscribe,
    test,
    brand: emailBrandOf(organisation),
  })
  return { ...rendered, from: emailFrom(organisation) }
}

interface QueuedRow {
  id: string
  signature_id: string | null
  recipient: string
  locale: string
  status: string
  attempts: number
}

/** Marks rows of a batch whose signer has since unsubscribed, been suppressed or removed. */
async function skipNoLongerWanted(update: UpdateForSending, batchNo: number) {
  const result = await sql<{ n: number }>`
    with skipped as (
      update email_messages m set status = 'skipped', updated_at = now(),
        error = case when m.signature_id is null then 'removed' when exists (
          select 1 from email_suppressions x where x.organisation_id = ${update.organisationId} and x.canonical_email = s.canonical_email
        ) then 'suppressed' when s.id is null or s.state <> 'confirmed' or not s.consent_updates then 'withdrawn' else 'unsubscribed' end
      from email_messages m2
      left join signatures s on s.id = m2.signature_id
      where m.id = m2.id and m.update_id = ${update.id} and m.batch_no = ${batchNo} and m.status = 'queued'
        and (m2.signature_id is null or s.id is null or s.state <> 'confirmed' or not s.consent_updates or s.email = ''
          or exists (select 1 from email_suppressions x where x.organisation_id = ${update.organisationId} and x.canonical_email = s.canonical_email)
          or exists (select 1 from email_unsubscribes u where u.organisation_id = ${update.organisationId} and u.canonical_email = s.canonical_email
            and (u.campaign_id is null or u.campaign_id = ${update.campaignId})))
      returning 1
    )
    select count(*)::int as n from skipped`.execute(getDb())
  return result.rows[0]!.n
}

function isRetriable(error: unknown): boolean {
  if (!(error instanceof EmailSendError)) return true // network trouble, a crash of the connection
  const status = error.statusCode
  if (status === null || status === undefined) return true
  return status === 429 || status === 409 || status >= 500
}

/**
 * Step 2, and the whole job: sends an update's queued batches in order, throttled, until none
 * is left, then marks the update sent. Safe to run again at any point.
 */
export async function runUpdateFanOut(updateId: string, options: FanOutOptions = {}): Promise<FanOutResult> {
  const env = getEnv()
  const rate = options.rate ?? env.UPDATE_SEND_RATE
  const maxAttempts = options.maxBatchAttempts ?? 5
  const retryBaseMs = options.retryBaseMs ?? 1000
  const sleep = options.sleep ?? defaultSleep
  const interval = 1000 / rate
  const result: FanOutResult = { status: 'sent', batches: 0, sent: 0, failed: 0, skipped: 0 }

  const update = await loadSendingUpdate(updateId)
  if (!update || update.status !== 'sending') return { ...result, status: 'not-sending' }
  const log = logger.child({ updateId, campaignId: update.campaignId })

  // One sender per update, even if a second job were ever started beside a stuck one.
  return await getDb()
    .connection()
    .execute(async (conn) => {
      const lock = await sql<{ ok: boolean }>`select pg_try_advisory_lock(${senderLock(updateId)}) as ok`.execute(conn)
      if (!lock.rows[0]!.ok) return { ...result, status: 'busy' as const }
      try {
        const size = await materialiseUpdateAudience(updateId)
        log.info({ audience: size }, 'update audience queued')
        const rendered = new Map<string, (RenderedEmail & { from: string }) | null>()
        let lastRequestAt = 0
        // Every batch leaves the loop with no row queued or sending, so the next one is above it;
        // starting the search there keeps it cheap however many batches are behind.
        let cursor = 0
        for (;;) {
          const next = await getDb()
            .selectFrom('email_messages')
            .select(sql<number>`min(batch_no)`.as('batch_no'))
            .where('update_id', '=', updateId)
            .where('batch_no', '>=', cursor)
            .where('status', 'in', ['queued', 'sending'])
            .executeTakeFirst()
          const batchNo = next?.batch_no
          if (batchNo === null || batchNo === undefined) break
          cursor = batchNo + 1

          // A batch already tried (rows 'sending') may have reached Resend: it is sent again exactly
          // as it was, so its key replays; only a batch never tried is checked against new opt-outs.
          const tried = await getDb()
            .selectFrom('email_messages')
            .select('id')
            .where('update_id', '=', updateId)
            .where('batch_no', '=', batchNo)
            .where('status', '=', 'sending')
            .limit(1)
            .executeTakeFirst()
          if (!tried) result.skipped += await skipNoLongerWanted(update, batchNo)
          const rows = (await getDb()
            .updateTable('email_messages')
            .set({ status: 'sending', updated_at: sql`now()` })
            .where('update_id', '=', updateId)
            .where('batch_no', '=', batchNo)
            .where('status', 'in', ['queued', 'sending'])
            .returning(['id', 'signature_id', 'recipient', 'locale', 'status', 'attempts'])
            .execute()) as QueuedRow[]
          rows.sort((a, b) => Number(a.id) - Number(b.id))
          if (rows.length === 0) continue

          const emails: BatchEmail[] = []
          const bodies: { html: string; text: string }[] = []
          for (const row of rows) {
            if (!rendered.has(row.locale)) rendered.set(row.locale, await renderUpdateEmail(update, row.locale))
            const template = rendered.get(row.locale)
            if (!template || !row.signature_id) continue
            const link = unsubscribeUrl(row.signature_id, row.locale)
            const html = template.html.replaceAll(UNSUBSCRIBE_PLACEHOLDER, link)
            const text = template.text.replaceAll(UNSUBSCRIBE_PLACEHOLDER, link)
            emails.push({
              messageId: row.id,
              to: row.recipient,
              from: template.from,
              subject: template.subject,
              html,
              text,
              headers: listUnsubscribeHeaders(row.signature_id),
            })
            bodies.push({ html, text })
          }

          let outcome: Awaited<ReturnType<typeof sendEmailBatch>> | null = null
          let lastError: unknown = null
          let attempts = rows[0]!.attempts
          while (outcome === null && attempts < maxAttempts) {
            const wait = lastRequestAt + interval - Date.now()
            if (wait > 0) await sleep(wait)
            lastRequestAt = Date.now()
            attempts += 1
            await getDb().updateTable('email_messages').set({ attempts }).where('update_id', '=', updateId).where('batch_no', '=', batchNo).where('status', '=', 'sending').execute()
            try {
              outcome = await sendEmailBatch(emails, { idempotencyKey: updateBatchKey(updateId, batchNo) })
            } catch (error) {
              lastError = error
              if (error instanceof EmailSendError && error.code === 'invalid_idempotent_request') {
                // The key was used for this batch with other content: Resend accepted it before.
                log.warn({ batchNo }, 'batch already accepted under its key; recorded as sent without ids')
                outcome = { providerIds: emails.map(() => null), keepBodies: false }
                break
              }
              log.warn({ batchNo, attempt: attempts, err: error instanceof Error ? error.message : String(error) }, 'update batch failed')
              if (!isRetriable(error)) break
              if (attempts < maxAttempts) await sleep(retryBaseMs * 2 ** (attempts - 1))
            }
          }

          await getDb()
            .transaction()
            .execute(async (tx) => {
              if (outcome) {
                const ids = emails.map((e) => e.messageId)
                await sql`update email_messages m set status = 'sent', provider_id = v.provider_id, sent_at = now(), updated_at = now(), error = null,
                    html = case when ${outcome.keepBodies} then v.html else null end, text = case when ${outcome.keepBodies} then v.text else null end
                  from unnest(${ids}::bigint[], ${outcome.providerIds}::text[], ${bodies.map((b) => b.html)}::text[], ${bodies.map((b) => b.text)}::text[])
                    as v(id, provider_id, html, text)
                  where m.id = v.id and m.status = 'sending'`.execute(tx)
                await tx
                  .updateTable('campaign_updates')
                  .set((eb) => ({ sent_count: eb('sent_count', '+', ids.length), updated_at: new Date() }))
                  .where('id', '=', updateId)
                  .execute()
                result.sent += ids.length
              }
              // A signer removed while the batch was being tried is skipped; rows that could not
              // be built and, after the last attempt, a refused batch fail, so the run never blocks.
              const removed = await tx
                .updateTable('email_messages')
                .set({ status: 'skipped', error: 'removed', updated_at: sql`now()` })
                .where('update_id', '=', updateId)
                .where('batch_no', '=', batchNo)
                .where('status', '=', 'sending')
                .where('signature_id', 'is', null)
                .executeTakeFirst()
              result.skipped += Number(removed.numUpdatedRows)
              const message = lastError instanceof Error ? lastError.message : 'not sent'
              const failed = await tx
                .updateTable('email_messages')
                .set({ status: 'failed', error: outcome ? 'could not be rendered' : message, updated_at: sql`now()` })
                .where('update_id', '=', updateId)
                .where('batch_no', '=', batchNo)
                .where('status', '=', 'sending')
                .executeTakeFirst()
              const failedCount = Number(failed.numUpdatedRows)
              if (failedCount > 0) {
                await tx
                  .updateTable('campaign_updates')
                  .set((eb) => ({ failed_count: eb('failed_count', '+', failedCount), updated_at: new Date() }))
                  .where('id', '=', updateId)
                  .execute()
                result.failed += failedCount
              }
            })
          result.batches += 1
          if (result.batches % 50 === 1 || !outcome) {
            log.info({ batchNo, sent: result.sent, failed: result.failed, skipped: result.skipped }, 'update fan-out progress')
          }
          await options.afterBatch?.(batchNo)
        }
        await sql`update campaign_updates set status = 'sent', sent_at = now(), updated_at = now()
          where id = ${updateId} and status = 'sending'
            and not exists (select 1 from email_messages where update_id = ${updateId} and status in ('queued', 'sending'))`.execute(getDb())
        log.info({ sent: result.sent, failed: result.failed, skipped: result.skipped, batches: result.batches }, 'update sent')
        return result
      } finally {
        await sql`select pg_advisory_unlock(${senderLock(updateId)})`.execute(conn)
      }
    })
}

/**
 * The watchdog (every minute). A worker that dies mid-send keeps its job locked for hours
 * (graphile-worker's crash timeout), so its update would stall. An update still 'sending' that
 * no sender holds (its advisory lock is free) and that has not moved for a minute gets a fresh
 * job, which carries on from the first batch not yet recorded. Returns the updates resumed.
 */
export async function resumeStalledUpdateSends(): Promise<string[]> {
  const candidates = await getDb()
    .selectFrom('campaign_updates')
    .select('id')
    .where('status', '=', 'sending')
    .where('updated_at', '<', sql<Date>`now() - interval '1 minute'`)
    .execute()
  const resumed: string[] = []
  for (const { id } of candidates) {
    const free = await getDb()
      .connection()
      .execute(async (conn) => {
        const { rows } = await sql<{ ok: boolean }>`select pg_try_advisory_lock(${senderLock(id)}) as ok`.execute(conn)
        if (rows[0]!.ok) await sql`select pg_advisory_unlock(${senderLock(id)})`.execute(conn)
        return rows[0]!.ok
      })
    if (!free) continue
    // 'replace': a job stuck under a dead worker's lock loses its key to the new one.
    await enqueueJob(getDb(), SEND_UPDATE_TASK, { updateId: id }, { jobKey: sendUpdateJobKey(id), jobKeyMode: 'replace', maxAttempts: 25 })
    resumed.push(id)
  }
  if (resumed.length) logger.warn({ updateIds: resumed }, 'stalled update sends resumed')
  return resumed
}

export type TestSendResult = { status: 'sent' } | { status: 'no-translation' } | { status: 'failed' }

/**
 * "Send me a test": the saved text in one language, to the signed-in member's own address,
 * marked [Test]. Not an update email (no update_id), so it is never counted or resumed; its
 * unsubscribe link names no signer.
 */
export async function sendUpdateTest(
  admin: AuditActor & { user: { id: string; email: string } },
  update: { id: string; campaignId: string },
  locale: string,
): Promise<TestSendResult> {
  const rendered = await renderUpdateEmail(update, locale, { unsubscribe: `${getEnv().APP_URL}/unsubscribe/test`, test: true })
  if (!rendered) return { status: 'no-translation' }
  try {
    await sendEmail(
      { to: admin.user.email, from: rendered.from, template: 'campaign-update-test', locale, subject: rendered.subject, html: rendered.html, text: rendered.text, campaignId: update.campaignId },
      { idempotencyKey: `campaign-update-test/${update.id}/${crypto.randomUUID()}` },
    )
  } catch (error) {
    logger.warn({ updateId: update.id, err: error instanceof Error ? error.message : String(error) }, 'update test email failed')
    return { status: 'failed' }
  }
  await recordAudit(getDb(), admin, {
    action: 'campaign_update.test_sent',
    subjectType: 'campaign_update',
    subjectId: update.id,
    changes: { campaignId: update.campaignId, locale },
  })
  return { status: 'sent' }
}
