import { PUBLIC_STATES, type PublicCampaign } from '~/models/campaign.server'
import { getDb } from '~/utils/db.server'

// What a sign POST needs of its campaign, and nothing else: the campaign page's full read (story,
// translation, images, organisation) is for pages. During a surge every signature asks for the
// same campaign, so it is read once and kept for a moment (decision 0020). A campaign kept here
// never decides a signature alone: the sign statement checks again, in the database, that the
// campaign is open, and takes its consent wording's version from the row itself.

export type SigningCampaign = Pick<PublicCampaign, 'id' | 'slug' | 'status' | 'opensAt' | 'closesAt' | 'consentVersion'> & {
  organisation: { id: string }
}

/** How long a campaign read for signing is used before it is read again. */
export const SIGNING_CAMPAIGN_FRESH_MS = 1000
/** At most this many campaigns are kept (a surge is about one or a few). */
const MAX_KEPT = 500

const kept = new Map<string, { readAt: number; campaign: Promise<SigningCampaign | null> }>()

/**
 * The live or closed campaign at this slug, as signing needs it, or null (not there, a draft, an
 * old slug: the page's route answers those). Concurrent callers share one read.
 */
export function findSigningCampaign(slug: string, now = Date.now()): Promise<SigningCampaign | null> {
  const entry = kept.get(slug)
  if (entry && now - entry.readAt < SIGNING_CAMPAIGN_FRESH_MS) return entry.campaign
  const campaign = readSigningCampaign(slug)
  if (kept.size >= MAX_KEPT) kept.clear()
  kept.set(slug, { readAt: now, campaign })
  // A failed read or a campaign not there is not kept: the next request asks again.
  campaign.then(
    (found) => {
      if (!found && kept.get(slug)?.campaign === campaign) kept.delete(slug)
    },
    () => {
      if (kept.get(slug)?.campaign === campaign) kept.delete(slug)
    },
  )
  return campaign
}

/** Forgets every campaign kept for signing: called when the database says a campaign changed. */
export function forgetSigningCampaigns() {
  kept.clear()
}

async function readSigningCampaign(slug: string): Promise<SigningCampaign | null> {
  const row = await getDb()
    .selectFrom('campaigns')
    .select(['id', 'slug', 'status', 'opens_at', 'closes_at', 'consent_version', 'organisation_id'])
    .where('slug', '=', slug)
    .where('status', 'in', PUBLIC_STATES)
    .executeTakeFirst()
  if (!row) return null
  return {
    id: row.id,
    slug: row.slug,
    status: row.status,
    opensAt: row.opens_at,
    closesAt: row.closes_at,
    consentVersion: row.consent_version,
    organisation: { id: row.organisation_id },
  }
}
