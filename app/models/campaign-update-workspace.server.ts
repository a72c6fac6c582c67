import { sql } from 'kysely'
import type { UpdateKind, UpdateStatus } from '#db/types'
import { recordAudit, type AuditActor } from '~/models/audit.server'
import { countUpdateAudience } from '~/models/campaign-update-audience.server'
import { createCampaignUpdate, startUpdateSend } from '~/models/campaign-update.server'
import { DELAY_THRESHOLD_SECONDS, explainDelay, type DelayReason } from '~/models/email-outbox.server'
import { getDb, type Executor, type Tx } from '~/utils/db.server'

// The workspace's side of updates: drafts, their versions, sending and stopping, progress.

export interface UpdateListItem {
  id: string
  kind: UpdateKind
  status: UpdateStatus
  subject: string
  public: boolean
  audienceSize: number | null
  sentCount: number
  failedCount: number
  createdAt: Date
  sentAt: Date | null
}

export async function listCampaignUpdates(campaignId: string, baseLocale: string, executor: Executor = getDb()): Promise<UpdateListItem[]> {
  const rows = await executor
    .selectFrom('campaign_updates as u')
    .leftJoin('campaign_update_translations as t', (join) => join.onRef('t.update_id', '=', 'u.id').on('t.locale', '=', baseLocale))
    .select([
      'u.id',
      'u.kind',
      'u.status',
      'u.public',
      'u.audience_size',
      'u.sent_count',
      'u.failed_count',
      'u.created_at',
      'u.sent_at',
      sql<string>`coalesce(t.subject, (select t2.subject from campaign_update_translations t2 where t2.update_id = u.id order by t2.locale limit 1), '')`.as(
        'subject',
      ),
    ])
    .where('u.campaign_id', '=', campaignId)
    .orderBy('u.created_at', 'desc')
    .orderBy('u.id', 'desc')
    .limit(200)
    .execute()
  return rows.map((r) => ({
    id: r.id,
    kind: r.kind,
    status: r.status,
    subject: r.subject,
    public: r.public,
    audienceSize: r.audience_size,
    sentCount: r.sent_count,
    failedCount: r.failed_count,
    createdAt: r.created_at,
    sentAt: r.sent_at,
  }))
}

export interface UpdateProgress {
  audience: number | null
  sent: number
  failed: number
  skipped: number
  remaining: number
  /** Set only when its emails have waited longer than expected (decision 0026), with why. */
  delayed: DelayReason | null
}

export interface EditableUpdate {
  id: string
  campaignId: string
  kind: UpdateKind
  status: UpdateStatus
  public: boolean
  version: number
  content: Record<string, { subject: string; body: string }>
  sentCount: number
  failedCount: number
  audienceSize: number | null
  sendStartedAt: Date | null
  sentAt: Date | null
}

async function loadUpdate(executor: Executor, campaignId: string, updateId: string, forUpdate = false): Promise<EditableUpdate | null> {
  if (!/^\d{1,18}$/.test(updateId)) return null
  let query = executor.selectFrom('campaign_updates').selectAll().where('id', '=', updateId).where('campaign_id', '=', campaignId)
  if (forUpdate) query = query.forUpdate()
  const row = await query.executeTakeFirst()
  if (!row) return null
  const translations = await executor
    .selectFrom('campaign_update_translations')
    .select(['locale', 'subject', 'body'])
    .where('update_id', '=', updateId)
    .execute()
  return {
    id: row.id,
    campaignId: row.campaign_id,
    kind: row.kind,
    status: row.status,
    public: row.public,
    version: row.version,
    content: Object.fromEntries(translations.map((t) => [t.locale, { subject: t.subject, body: t.body }])),
    sentCount: row.sent_count,
    failedCount: row.failed_count,
    audienceSize: row.audience_size,
    sendStartedAt: row.send_started_at,
    sentAt: row.sent_at,
  }
}

/** An update of this campaign (the campaign already checked against the admin's organisation), or null. */
export async function findCampaignUpdate(campaignId: string, updateId: string | undefined): Promise<EditableUpdate | null> {
  return await loadUpdate(getDb(), campaignId, updateId ?? '')
}

/** Where a sending update stands, from its email records (exact while the job runs). */
export async function getUpdateProgress(updateId: string, executor: Executor = getDb()): Promise<UpdateProgress> {
  const [update, counts] = await Promise.all([
    executor.selectFrom('campaign_updates').select(['audience_size']).where('id', '=', updateId).executeTakeFirstOrThrow(),
    executor
      .selectFrom('email_messages')
      .select([
        sql<number>`count(*) filter (where status not in ('queued', 'sending', 'failed', 'skipped'))::int`.as('sent'),
        sql<number>`count(*) filter (where status = 'failed')::int`.as('failed'),
        sql<number>`count(*) filter (where status = 'skipped')::int`.as('skipped'),
        sql<number>`count(*) filter (where status in ('queued', 'sending'))::int`.as('remaining'),
        sql<boolean>`coalesce(min(created_at) filter (where status in ('queued', 'sending')) < now() - make_interval(secs => ${DELAY_THRESHOLD_SECONDS.update}), false)`.as(
          'late',
        ),
        sql<string | null>`(select b.last_error from email_batches b where b.last_error is not null and b.id in
          (select batch_id from email_messages w where w.update_id = ${updateId} and w.status = 'sending') order by b.id limit 1)`.as('batch_error'),
      ])
      .where('update_id', '=', updateId)
      .executeTakeFirstOrThrow(),
  ])
  const { late, batch_error, ...rest } = counts
  return { audience: update.audience_size, ...rest, delayed: late ? await explainDelay(executor, batch_error) : null }
}

export type CreateDraftResult = { status: 'created'; id: string }

/** A new draft from the workspace, with its first translation. */
export async function createUpdateDraft(
  admin: AuditActor & { user: { id: string } },
  campaignId: string,
  locale: string,
  input: { subject: string; body: string; public: boolean },
): Promise<CreateDraftResult> {
  return await getDb()
    .transaction()
    .execute(async (tx) => {
      const { id } = await createCampaignUpdate(tx, {
        campaignId,
        kind: 'update',
        content: [{ locale, subject: input.subject, body: input.body }],
        createdBy: admin.user.id,
        public: input.public,
      })
      await recordAudit(tx, admin, {
        action: 'campaign_update.created',
        subjectType: 'campaign_update',
        subjectId: id,
        changes: { campaignId, locale, public: input.public },
      })
      return { status: 'created', id } as const
    })
}

/** In one transaction: the draft, locked, when it is still at the version the person saw; else why not. */
async function withDraft<Result>(
  campaignId: string,
  updateId: string,
  expectedVersion: number,
  act: (tx: Tx, draft: EditableUpdate) => Promise<Result>,
): Promise<Result | { status: 'not-found' } | { status: 'not-draft' } | { status: 'conflict'; version: number }> {
  return await getDb()
    .transaction()
    .execute(async (tx) => {
      const draft = await loadUpdate(tx, campaignId, updateId, true)
      if (!draft) return { status: 'not-found' } as const
      if (draft.status !== 'draft') return { status: 'not-draft' } as const
      if (draft.version !== expectedVersion) return { status: 'conflict', version: draft.version } as const
      return await act(tx, draft)
    })
}

export type SaveDraftResult =
  { status: 'not-found' } | { status: 'saved' | 'unchanged'; version: number } | { status: 'conflict'; version: number } | { status: 'not-draft' }

/**
 * Saves one language of a draft. Saves name the version they started from (as the campaign
 * editor does): a stale save writes nothing and reports a conflict.
 */
export async function saveUpdateDraft(
  admin: AuditActor,
  campaignId: string,
  updateId: string,
  locale: string,
  input: { subject: string; body: string; public: boolean },
  expectedVersion: number,
): Promise<SaveDraftResult> {
  return await withDraft(campaignId, updateId, expectedVersion, async (tx, before) => {
    const old = before.content[locale]
    const changed: string[] = []
    if ((old?.subject ?? '') !== input.subject) changed.push('subject')
    if ((old?.body ?? '') !== input.body) changed.push('body')
    if (before.public !== input.public) changed.push('public')
    if (changed.length === 0) return { status: 'unchanged', version: before.version } as const
    if (input.subject === '' && input.body === '') {
      await tx.deleteFrom('campaign_update_translations').where('update_id', '=', updateId).where('locale', '=', locale).execute()
    } else {
      await tx
        .insertInto('campaign_update_translations')
        .values({ update_id: updateId, locale, subject: input.subject, body: input.body })
        .onConflict((oc) => oc.columns(['update_id', 'locale']).doUpdateSet({ subject: input.subject, body: input.body }))
        .execute()
    }
    const version = before.version + 1
    await tx.updateTable('campaign_updates').set({ version, public: input.public, updated_at: new Date() }).where('id', '=', updateId).execute()
    await recordAudit(tx, admin, {
      action: 'campaign_update.saved',
      subjectType: 'campaign_update',
      subjectId: updateId,
      changes: { campaignId, locale, fields: changed, version },
    })
    return { status: 'saved', version } as const
  })
}

export type RequestSendResult =
  | { status: 'not-found' }
  | { status: 'started'; audience: number }
  | { status: 'not-draft' }
  | { status: 'conflict'; version: number }
  | { status: 'incomplete' }

/**
 * The campaigner's "Send": the draft they looked at (its version) goes to the audience, once.
 * Needs a subject and body in the campaign's base language, the fallback of every recipient.
 */
export async function requestUpdateSend(
  admin: AuditActor & { user: { id: string } },
  campaignId: string,
  updateId: string,
  expectedVersion: number,
  baseLocale: string,
): Promise<RequestSendResult> {
  return await withDraft(campaignId, updateId, expectedVersion, async (tx, before) => {
    const base = before.content[baseLocale]
    if (!base?.subject.trim() || !base.body.trim()) return { status: 'incomplete' } as const
    const audience = await countUpdateAudience(campaignId, tx)
    await startUpdateSend(tx, updateId, admin.user.id)
    await recordAudit(tx, admin, {
      action: 'campaign_update.send_started',
      subjectType: 'campaign_update',
      subjectId: updateId,
      changes: { campaignId, audience, version: before.version },
    })
    return { status: 'started', audience } as const
  })
}

export type CancelSendResult = { status: 'cancelled'; notSent: number } | { status: 'not-sending' }

/**
 * "Stop sending": the update is marked cancelled and every recipient not yet handed to Resend is
 * skipped, in one transaction. A batch already in flight finishes (it may have reached Resend);
 * the sender stops at the next batch, since none is left queued (decision 0010).
 */
export async function cancelUpdateSend(admin: AuditActor, campaignId: string, updateId: string): Promise<CancelSendResult> {
  return await getDb()
    .transaction()
    .execute(async (tx) => {
      const cancelled = await tx
        .updateTable('campaign_updates')
        .set({ status: 'cancelled', updated_at: new Date() })
        .where('id', '=', updateId)
        .where('campaign_id', '=', campaignId)
        .where('status', '=', 'sending')
        .returning('id')
        .executeTakeFirst()
      if (!cancelled) return { status: 'not-sending' } as const
      const skipped = await tx
        .updateTable('email_messages')
        .set({ status: 'skipped', error: 'cancelled', updated_at: sql`now()` })
        .where('update_id', '=', updateId)
        .where('status', '=', 'queued')
        .executeTakeFirst()
      const notSent = Number(skipped.numUpdatedRows)
      await recordAudit(tx, admin, {
        action: 'campaign_update.cancelled',
        subjectType: 'campaign_update',
        subjectId: updateId,
        changes: { campaignId, notSent },
      })
      return { status: 'cancelled', notSent } as const
    })
}
