import { sql } from 'kysely'
import { recordAudit } from '~/models/audit.server'
import { createCampaignUpdate, type UpdateContent } from '~/models/campaign-update.server'
import type { AdminContext } from '~/utils/permissions'
import { getDb, type Executor } from '~/utils/db.server'
import { formatDate, isLocale, type Locale } from '~/utils/i18n'
import { translate } from '~/utils/i18n.server'

// What the authority said about a campaign (decision 0012): recorded in the workspace,
// shown on the public timeline, and the seed of a 'response' update to signers.

/** The most responses read at once: the workspace list and the public timeline. */
export const RESPONSE_LIST_LIMIT = 50

export interface CampaignResponseInput {
  /** 'YYYY-MM-DD' */
  respondedOn: string
  body: string
  sourceUrl: string | null
}

export interface CampaignResponse {
  id: string
  /** 'YYYY-MM-DD' */
  respondedOn: string
  body: string
  sourceUrl: string | null
  updateId: string | null
  createdAt: Date
}

/** A campaign's recorded responses, newest first (bounded). */
export async function listCampaignResponses(campaignId: string, executor: Executor = getDb()): Promise<CampaignResponse[]> {
  const rows = await executor
    .selectFrom('campaign_responses')
    .select(['id', sql<string>`responded_on::text`.as('responded_on'), 'body', 'source_url', 'update_id', 'created_at'])
    .where('campaign_id', '=', campaignId)
    .orderBy('responded_on', 'desc')
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(RESPONSE_LIST_LIMIT)
    .execute()
  return rows.map((r) => ({
    id: r.id,
    respondedOn: r.responded_on,
    body: r.body,
    sourceUrl: r.source_url,
    updateId: r.update_id,
    createdAt: r.created_at,
  }))
}

export async function getCampaignResponse(campaignId: string, responseId: string, executor: Executor = getDb()): Promise<CampaignResponse | null> {
  if (!/^[1-9][0-9]{0,17}$/.test(responseId)) return null
  const row = await executor
    .selectFrom('campaign_responses')
    .select(['id', sql<string>`responded_on::text`.as('responded_on'), 'body', 'source_url', 'update_id', 'created_at'])
    .where('campaign_id', '=', campaignId)
    .where('id', '=', responseId)
    .executeTakeFirst()
  return row
    ? { id: row.id, respondedOn: row.responded_on, body: row.body, sourceUrl: row.source_url, updateId: row.update_id, createdAt: row.created_at }
    : null
}

/** Whom the campaign calls on, in its base language: the workspace names them beside their responses. */
export async function getCampaignTarget(campaignId: string, executor: Executor = getDb()): Promise<string> {
  const row = await executor.selectFrom('campaigns').select('target_name').where('id', '=', campaignId).executeTakeFirst()
  return row?.target_name ?? ''
}

/** Records a response and its audit event in one transaction. */
export async function recordCampaignResponse(admin: AdminContext, campaignId: string, input: CampaignResponseInput): Promise<{ id: string }> {
  return await getDb()
    .transaction()
    .execute(async (tx) => {
      const row = await tx
        .insertInto('campaign_responses')
        .values({ campaign_id: campaignId, responded_on: input.respondedOn, body: input.body, source_url: input.sourceUrl, created_by: admin.user.id })
        .returning('id')
        .executeTakeFirstOrThrow()
      await recordAudit(tx, admin, {
        action: 'response.created',
        subjectType: 'campaign',
        subjectId: campaignId,
        changes: { response: row.id, respondedOn: { from: null, to: input.respondedOn }, sourceUrl: { from: null, to: input.sourceUrl } },
      })
      return row
    })
}

/** Changes a response; false when it no longer exists (or belongs to another campaign). */
export async function updateCampaignResponse(admin: AdminContext, campaignId: string, responseId: string, input: CampaignResponseInput): Promise<boolean> {
  return await getDb()
    .transaction()
    .execute(async (tx) => {
      const before = await tx
        .selectFrom('campaign_responses')
        .select(['id', sql<string>`responded_on::text`.as('responded_on'), 'body', 'source_url'])
        .where('campaign_id', '=', campaignId)
        .where('id', '=', responseId)
        .forUpdate()
        .executeTakeFirst()
      if (!before) return false
      await tx
        .updateTable('campaign_responses')
        .set({ responded_on: input.respondedOn, body: input.body, source_url: input.sourceUrl, updated_at: sql`now()` })
        .where('id', '=', responseId)
        .execute()
      const changes: Record<string, unknown> = { response: responseId }
      if (before.responded_on !== input.respondedOn) changes.respondedOn = { from: before.responded_on, to: input.respondedOn }
      if (before.source_url !== input.sourceUrl) changes.sourceUrl = { from: before.source_url, to: input.sourceUrl }
      if (before.body !== input.body) changes.body = 'changed'
      await recordAudit(tx, admin, { action: 'response.updated', subjectType: 'campaign', subjectId: campaignId, changes })
      return true
    })
}

/** Deletes a response (an update drafted from it stays); false when it no longer exists. */
export async function deleteCampaignResponse(admin: AdminContext, campaignId: string, responseId: string): Promise<boolean> {
  return await getDb()
    .transaction()
    .execute(async (tx) => {
      const gone = await tx
        .deleteFrom('campaign_responses')
        .where('campaign_id', '=', campaignId)
        .where('id', '=', responseId)
        .returning([sql<string>`responded_on::text`.as('responded_on'), 'source_url'])
        .executeTakeFirst()
      if (!gone) return false
      await recordAudit(tx, admin, {
        action: 'response.deleted',
        subjectType: 'campaign',
        subjectId: campaignId,
        changes: { response: responseId, respondedOn: { from: gone.responded_on, to: null }, sourceUrl: { from: gone.source_url, to: null } },
      })
      return true
    })
}

/**
 * Drafts a 'response' update quoting the response, in each of the campaign's languages, for the
 * campaigner to review and send on the update's page. Asking twice gives the same draft while it
 * exists. Null when the response no longer exists.
 */
export async function draftResponseUpdate(admin: AdminContext, campaignId: string, responseId: string): Promise<{ updateId: string } | null> {
  return await getDb()
    .transaction()
    .execute(async (tx) => {
      const response = await tx
        .selectFrom('campaign_responses')
        .select(['id', sql<string>`responded_on::text`.as('responded_on'), 'body', 'source_url', 'update_id'])
        .where('campaign_id', '=', campaignId)
        .where('id', '=', responseId)
        .forUpdate()
        .executeTakeFirst()
      if (!response) return null
      if (response.update_id) return { updateId: response.update_id }
      const content = await responseUpdateContent(tx, campaignId, {
        respondedOn: response.responded_on,
        body: response.body,
        sourceUrl: response.source_url,
      })
      const update = await createCampaignUpdate(tx, { campaignId, kind: 'response', content, createdBy: admin.user.id })
      await tx.updateTable('campaign_responses').set({ update_id: update.id }).where('id', '=', responseId).execute()
      await recordAudit(tx, admin, {
        action: 'response.update_drafted',
        subjectType: 'campaign',
        subjectId: campaignId,
        changes: { response: responseId, update: update.id },
      })
      return { updateId: update.id }
    })
}

/** The campaign's languages (base first) with its title and target in each. */
async function campaignLocales(executor: Executor, campaignId: string): Promise<{ locale: Locale; title: string; target: string }[]> {
  const campaign = await executor.selectFrom('campaigns').select(['locale', 'title', 'target_name']).where('id', '=', campaignId).executeTakeFirstOrThrow()
  const translations = await executor
    .selectFrom('campaign_translations')
    .select(['locale', 'title', 'target_name'])
    .where('campaign_id', '=', campaignId)
    .orderBy('locale')
    .execute()
  const base: Locale = isLocale(campaign.locale) ? campaign.locale : 'en'
  const result = [{ locale: base, title: campaign.title, target: campaign.target_name }]
  for (const t of translations) {
    if (!isLocale(t.locale) || t.locale === base) continue
    result.push({ locale: t.locale, title: t.title.trim() || campaign.title, target: t.target_name.trim() || campaign.target_name })
  }
  return result
}

async function responseUpdateContent(executor: Executor, campaignId: string, response: CampaignResponseInput): Promise<UpdateContent[]> {
  const quote = response.body
    .trim()
    .split(/\r?\n/)
    .map((line) => (line.trim() ? `> ${line}` : '>'))
    .join('\n')
  return (await campaignLocales(executor, campaignId)).map(({ locale, title, target }) => {
    const intro = translate(locale, 'timeline.notice.responseIntro', { date: formatDate(locale, response.respondedOn), target, title })
    const source = response.sourceUrl ? `\n\n${translate(locale, 'timeline.notice.responseSource', { url: `<${response.sourceUrl}>` })}` : ''
    return {
      locale,
      subject: translate(locale, 'timeline.notice.responseSubject', { title, target }),
      body: `${intro}\n\n${quote}${source}`,
    }
  })
}
