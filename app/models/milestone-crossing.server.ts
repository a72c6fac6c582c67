import { sql } from 'kysely'
import { createCampaignUpdate, startUpdateSend, type UpdateContent } from '~/models/campaign-update.server'
import type { Tx } from '~/utils/db.server'
import { isLocale, type Locale } from '~/utils/i18n'
import { translate } from '~/utils/i18n.server'
import { logger } from '~/utils/logger.server'

// Milestone crossings (decision 0012). The counter's fold calls this under its advisory
// lock, in its transaction, with each folded campaign's count before and after the batch.

/** One campaign's confirmed count before and after a fold batch. */
export interface CountChange {
  campaign_id: string
  before: number
  after: number
}

export interface MilestoneCrossing {
  id: string
  milestone_id: string
  campaign_id: string
  threshold: number
  signature_count: number
}

/**
 * Records every milestone a batch carried its campaign past (before < threshold <= after), once:
 * the unique milestone_id makes a second attempt (a re-count after a removal, say) do nothing.
 * For campaigns with milestone_updates on, each new crossing also gets a 'milestone' update to the
 * signers who opted in, created and started here, in the fold's transaction.
 */
export async function recordMilestoneCrossings(tx: Tx, changes: CountChange[]): Promise<MilestoneCrossing[]> {
  const rising = changes.filter((c) => c.after > c.before)
  if (rising.length === 0) return []
  const { rows: crossings } = await sql<MilestoneCrossing>`
    insert into campaign_milestone_crossings (milestone_id, campaign_id, threshold, signature_count)
    select m.id, m.campaign_id, m.threshold, x.after
    from unnest(${rising.map((c) => c.campaign_id)}::bigint[], ${rising.map((c) => c.before)}::int[], ${rising.map((c) => c.after)}::int[])
      as x(campaign_id, before, after)
    join campaign_milestones m on m.campaign_id = x.campaign_id and m.threshold > x.before and m.threshold <= x.after
    order by m.campaign_id, m.threshold
    on conflict (milestone_id) do nothing
    returning id, milestone_id, campaign_id, threshold, signature_count`.execute(tx)
  if (crossings.length === 0) return crossings

  const notify = await tx
    .selectFrom('campaigns')
    .select('id')
    .where('id', 'in', [...new Set(crossings.map((c) => c.campaign_id))])
    .where('milestone_updates', '=', true)
    .execute()
  const notifying = new Set(notify.map((c) => c.id))
  for (const crossing of crossings) {
    if (!notifying.has(crossing.campaign_id)) continue
    // A failing notice must never stop the counting: it is undone alone, the crossing stays.
    await sql`savepoint milestone_notice`.execute(tx)
    try {
      const content = await milestoneNoticeContent(tx, crossing)
      const update = await createCampaignUpdate(tx, { campaignId: crossing.campaign_id, kind: 'milestone', content, createdBy: null })
      await startUpdateSend(tx, update.id, null)
      await tx.updateTable('campaign_milestone_crossings').set({ update_id: update.id }).where('id', '=', crossing.id).execute()
      await sql`release savepoint milestone_notice`.execute(tx)
    } catch (error) {
      await sql`rollback to savepoint milestone_notice`.execute(tx)
      logger.error({ err: error, crossingId: crossing.id }, 'milestone notice could not be created')
    }
  }
  return crossings
}

/**
 * The notice's subject and body in each of the campaign's languages (the base locale and every
 * translation), with the milestone's own description in that language, else the base one.
 */
async function milestoneNoticeContent(tx: Tx, crossing: MilestoneCrossing): Promise<UpdateContent[]> {
  const campaign = await tx.selectFrom('campaigns').select(['locale', 'title']).where('id', '=', crossing.campaign_id).executeTakeFirstOrThrow()
  const [translations, descriptions] = await Promise.all([
    tx.selectFrom('campaign_translations').select(['locale', 'title']).where('campaign_id', '=', crossing.campaign_id).execute(),
    tx.selectFrom('campaign_milestone_translations').select(['locale', 'description']).where('milestone_id', '=', crossing.milestone_id).execute(),
  ])
  const baseLocale: Locale = isLocale(campaign.locale) ? campaign.locale : 'en'
  const titles = new Map<Locale, string>([[baseLocale, campaign.title]])
  for (const t of translations) if (isLocale(t.locale) && t.locale !== baseLocale) titles.set(t.locale, t.title.trim() || campaign.title)
  const describe = new Map(descriptions.filter((d) => d.description.trim()).map((d) => [d.locale, d.description.trim()]))
  return [...titles].map(([locale, title]) => {
    const description = describe.get(locale) ?? describe.get(baseLocale) ?? ''
    const reached = translate(locale, 'timeline.notice.milestoneReached', { count: crossing.threshold, title })
    return {
      locale,
      subject: translate(locale, 'timeline.notice.milestoneSubject', { count: crossing.threshold, title }),
      body: description ? `${reached}\n\n${description}` : reached,
    }
  })
}
