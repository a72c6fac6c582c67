import { sql } from 'kysely'
import { recordAudit, recordSystemAudit } from '~/models/audit.server'
import type { MissingKey } from '~/models/campaign-changes.server'
import { missingForPublishing } from '~/models/campaign-changes.server'
import { loadEditable, type EditableCampaign } from '~/models/editable-campaign.server'
import type { AdminContext } from '~/utils/permissions'
import { getDb } from '~/utils/db.server'

// Publishing and closing: by a person (audited as them) or, when the closing date passes, by Chorus.

export type PublishResult = { status: 'not-found' } | { status: 'published' } | { status: 'already-live' } | { status: 'incomplete'; missing: MissingKey[] }

/** Puts a draft (or a closed campaign, reopened) live when it is complete; otherwise says what is missing. */
export async function publishCampaign(admin: AdminContext, campaignId: string, now = new Date()): Promise<PublishResult> {
  return await changeStatus<PublishResult>(admin, campaignId, 'live', { status: 'published' }, (campaign) => {
    if (campaign.status === 'live') return { status: 'already-live' }
    const missing = missingForPublishing(campaign, now)
    return missing.length ? { status: 'incomplete', missing } : null
  })
}

export type CloseResult = { status: 'not-found' } | { status: 'closed' } | { status: 'not-live' }

/** Stops a live campaign taking signatures; its page stays up with the final count. */
export async function closeCampaign(admin: AdminContext, campaignId: string): Promise<CloseResult> {
  return await changeStatus<CloseResult>(admin, campaignId, 'closed', { status: 'closed' }, (campaign) =>
    campaign.status === 'live' ? null : { status: 'not-live' },
  )
}

const STATUS_ACTIONS = { live: 'campaign.published', closed: 'campaign.closed' } as const

/**
 * A person moves a campaign of their organisation to `to`: in one transaction the campaign is
 * locked, `refuse` says why it cannot move as it stands (null when it can), and the move is
 * written and audited as them. Returns `done`, the refusal, or not-found.
 */
async function changeStatus<Result>(
  admin: AdminContext,
  campaignId: string,
  to: keyof typeof STATUS_ACTIONS,
  done: Result,
  refuse: (campaign: EditableCampaign) => Result | null,
): Promise<Result | { status: 'not-found' }> {
  return await getDb()
    .transaction()
    .execute(async (tx) => {
      const campaign = await loadEditable(tx, campaignId, admin.organisation.id, true)
      if (!campaign) return { status: 'not-found' } as const
      const refusal = refuse(campaign)
      if (refusal) return refusal
      await tx
        .updateTable('campaigns')
        .set({ status: to, closed_at: to === 'closed' ? sql`now()` : null, updated_at: sql`now()` })
        .where('id', '=', campaignId)
        .execute()
      await recordAudit(tx, admin, {
        action: STATUS_ACTIONS[to],
        subjectType: 'campaign',
        subjectId: campaignId,
        changes: { status: { from: campaign.status, to } },
      })
      return done
    })
}

/**
 * Closes every live campaign whose closing date has passed, each audited as a system action
 * (no person) in its organisation's log. Returns the ids closed.
 */
export async function closeDueCampaigns(now = new Date(), executor = getDb()): Promise<string[]> {
  return await executor.transaction().execute(async (tx) => {
    const closed = await tx
      .updateTable('campaigns')
      .set({ status: 'closed', closed_at: now, updated_at: sql`now()` })
      .where('status', '=', 'live')
      .where('closes_at', 'is not', null)
      .where('closes_at', '<=', now)
      .returning(['id', 'organisation_id', 'closes_at'])
      .execute()
    for (const c of closed) {
      // No person acted: Chorus itself, in the campaign's organisation log.
      await recordSystemAudit(tx, c.organisation_id, {
        action: 'campaign.closed_automatically',
        subjectType: 'campaign',
        subjectId: c.id,
        changes: { status: { from: 'live', to: 'closed' }, closes_at: c.closes_at?.toISOString() ?? null },
      })
    }
    return closed.map((c) => c.id)
  })
}
