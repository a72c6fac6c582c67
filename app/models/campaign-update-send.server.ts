import { sql } from 'kysely'
import { renderEmail, type RenderedEmail } from '#emails/render'
import { recordAudit, type AuditActor } from '~/models/audit.server'
import { SEND_UPDATE_TASK, sendUpdateJobKey } from '~/models/campaign-update.server'
import { audienceQuery, recipientLocaleChoice } from '~/models/campaign-update-audience.server'
import { EMAIL_PRIORITY, queueEmail } from '~/models/email-outbox.server'
import { getDb, type DB, type Executor } from '~/utils/db.server'
import { emailBrandOf, getOrganisationIdentity } from '~/models/organisation.server'
import { emailFrom } from '~/utils/email-sender.server'
import { BATCH_LIMIT } from '~/utils/email.server'
import { getEnv } from '~/utils/env.server'
import { enqueueJob } from '~/jobs/enqueue.server'
import { isLocale, type Locale } from '~/utils/i18n'
import { logger } from '~/utils/logger.server'
import { renderMarkdown } from '~/utils/markdown.server'

// The fan-out of an update (decisions 0010, 0025). The job writes one queued email_messages row
// per recipient (priority below every transactional email) in one statement and one transaction;
// the outbox's one sender then sends them with everything else, in batches of up to 100, each
// under its own idempotency key. Progress is the rows' states: whatever process sends the next
// batch carries on from there, and nobody is sent twice.

export const UPDATE_TEMPLATE = 'campaign-update'

export const updateEmailKey = (updateId: string, signatureId: string) => `campaign-update/${updateId}/${signatureId}`

/** Rendered once per language; each recipient's own link replaces this. */
export const UNSUBSCRIBE_PLACEHOLDER = 'https://unsubscribe.invalid/chorus-recipient-link'

export interface FanOutResult {
  status: 'queued' | 'not-sending'
  audience: number
}

/**
 * The audience as it stands now, written as queued email records in one set-based statement
 * (recipient and subject are filled in when each batch is rendered). Runs once per update: the audience size on the update marks it done (in the same
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
      recipientLocale.as('locale'),
      sql<number>`((row_number() over (order by s.id) - 1) / ${sql.lit(BATCH_LIMIT)})::int`.as('batch_no'),
    ])
    const inserted = await sql<{ n: number }>`
      with audience as (${audience}),
      added as (
        insert into email_messages (idempotency_key, recipient, template, subject, locale, transport, status,
          signature_id, campaign_id, update_id, batch_no, priority)
        select ${`campaign-update/${updateId}/`} || a.signature_id, '', ${UPDATE_TEMPLATE}, '', a.locale, ${getEnv().EMAIL_TRANSPORT},
          'queued', a.signature_id, ${update.campaign_id}, ${updateId}, a.batch_no, ${EMAIL_PRIORITY.update}
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

/**
 * The job: writes the audience into the outbox, once. The outbox's sender does the rest, so a
 * crash here loses nothing (one transaction) and a crash while sending resumes batch by batch.
 */
export async function runUpdateFanOut(updateId: string): Promise<FanOutResult> {
  const size = await materialiseUpdateAudience(updateId)
  if (size === null) return { status: 'not-sending', audience: 0 }
  logger.info({ updateId, audience: size }, 'update audience queued')
  if (size === 0) {
    await sql`update campaign_updates set status = 'sent', sent_at = now(), updated_at = now()
      where id = ${updateId} and status = 'sending'`.execute(getDb())
  }
  return { status: 'queued', audience: size }
}

/**
 * The watchdog (every minute): an update still 'sending' whose audience was never written (its
 * job lost, say) gets a fresh job. Writing the audience is one transaction, so this repeats
 * nothing; the emails themselves are the outbox's and resume on their own. Returns the updates.
 */
export async function resumeStalledUpdateSends(): Promise<string[]> {
  const candidates = await getDb()
    .selectFrom('campaign_updates')
    .select('id')
    .where('status', '=', 'sending')
    .where('audience_size', 'is', null)
    .where('updated_at', '<', sql<Date>`now() - interval '1 minute'`)
    .execute()
  const resumed: string[] = []
  for (const { id } of candidates) {
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
  // Through the outbox like every email; it goes out with the next batch, ahead of any fan-out.
  await queueEmail(getDb(), {
    template: 'campaign-update-test',
    payload: { updateId: update.id, recipient: admin.user.email },
    recipient: admin.user.email,
    locale,
    campaignId: update.campaignId,
  })
  await recordAudit(getDb(), admin, {
    action: 'campaign_update.test_sent',
    subjectType: 'campaign_update',
    subjectId: update.id,
    changes: { campaignId: update.campaignId, locale },
  })
  return { status: 'sent' }
}
