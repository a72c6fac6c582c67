import { open } from '~/models/data-key.server'
import { getDb } from '~/utils/db.server'

// Prefilling the donate form for someone who has just confirmed their signature (the donor
// cookie, app/utils/cookies.server.ts, names the signature)

/** The confirmed signer's name and email for this campaign, or null. */
export async function getDonorPrefill(signatureId: string | null, campaignId: string) {
  if (!signatureId) return null
  const row = await getDb()
    .selectFrom('signatures')
    .select(['full_name', 'email'])
    .where('id', '=', signatureId)
    .where('campaign_id', '=', campaignId)
    .where('state', '=', 'confirmed')
    .executeTakeFirst()
  return row ? { name: await open(row.full_name), email: await open(row.email) } : null
}
