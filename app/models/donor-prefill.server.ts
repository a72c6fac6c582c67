import { open } from '~/models/data-key.server'
import { getDb } from '~/utils/db.server'
import { signValue, verifySignedValue } from '~/utils/security.server'

// Prefilling the donate form for someone who has just confirmed their signature

export const DONOR_COOKIE = 'chorus_donor'
const DONOR_PURPOSE = 'donor-prefill'
const DONOR_COOKIE_SECONDS = 60 * 60

/**
 * A short-lived cookie, scoped to the campaign's pages, naming the signature just confirmed, so
 * the donate page can fill in the supporter's name and email without putting them in a URL.
 */
export function donorPrefillCookie(signatureId: string, campaignSlug: string, secure: boolean, now = Date.now()): string {
  const expires = Math.floor(now / 1000) + DONOR_COOKIE_SECONDS
  const value = `${signatureId}.${expires}`
  return `${DONOR_COOKIE}=${value}.${signValue(DONOR_PURPOSE, value)}; Path=/campaigns/${encodeURIComponent(campaignSlug)}; Max-Age=${DONOR_COOKIE_SECONDS}; SameSite=Lax; HttpOnly${secure ? '; Secure' : ''}`
}

/** The signature a valid, unexpired donor cookie names, or null. */
export function signatureIdFromDonorCookie(cookieValue: string | undefined, now = Date.now()): string | null {
  if (!cookieValue) return null
  const [id, expires, sig] = cookieValue.split('.')
  if (!id || !expires || !sig || !/^\d{1,18}$/.test(id) || !/^\d{1,12}$/.test(expires)) return null
  if (Number(expires) * 1000 < now || !verifySignedValue(DONOR_PURPOSE, `${id}.${expires}`, sig)) return null
  return id
}

/** The confirmed signer's name and email for this campaign, from a valid and unexpired cookie. */
export async function getDonorPrefill(cookieValue: string | undefined, campaignId: string, now = Date.now()) {
  const id = signatureIdFromDonorCookie(cookieValue, now)
  if (!id) return null
  const row = await getDb()
    .selectFrom('signatures')
    .select(['full_name', 'email'])
    .where('id', '=', id)
    .where('campaign_id', '=', campaignId)
    .where('state', '=', 'confirmed')
    .executeTakeFirst()
  return row ? { name: await open(row.full_name), email: await open(row.email) } : null
}
