import { sql } from 'kysely'
import { awaitsConfirmation } from '~/models/signature-state'
import { emailIndex, organisationOfCampaign, seal } from '~/models/data-key.server'
import { emailExistingSignature, queueSignatureEmail, takeSendAllowance, type SignOutcome } from '~/models/signature.server'
import { getDb } from '~/utils/db.server'
import { emailDomainOf } from '~/utils/mail-providers'
import { generateToken, hashToken } from '~/utils/security.server'

// The check-your-email page's two buttons. Both answer every outcome the same way on
// the page, and both spend the signature's daily allowance of emails (MAX_SENDS_PER_DAY).

/** `Send the email again` for the address this browser signed with. */
export async function resendSignatureEmail(campaignId: string, email: string): Promise<SignOutcome> {
  return await getDb()
    .transaction()
    .execute(async (tx) => {
      const existing = await tx
        .selectFrom('signatures')
        .selectAll()
        .where('campaign_id', '=', campaignId)
        .where('email_index', '=', await emailIndex(email))
        .forUpdate()
        .executeTakeFirst()
      return existing ? await emailExistingSignature(tx, existing) : 'ignored'
    })
}

/**
 * A mistyped address corrected: the signature this browser has just made (never one found by
 * its address, which would let anyone redirect someone else's) moves to the new address while it
 * still awaits confirmation, and the confirmation goes there. When the new address has already
 * signed, that signature gets its usual email instead. Returns whether the correction is the one
 * this browser may correct next time (the signature id, or null).
 */
export async function correctSignatureEmail(
  campaignId: string,
  signatureId: string,
  newEmail: string,
): Promise<{ outcome: SignOutcome; signatureId: string | null }> {
  const canonical = await emailIndex(newEmail)
  const sealedEmail = await seal(await organisationOfCampaign(getDb(), campaignId), newEmail)
  return await getDb()
    .transaction()
    .execute(async (tx) => {
      const mine = await tx
        .selectFrom('signatures')
        .selectAll()
        .where('id', '=', signatureId)
        .where('campaign_id', '=', campaignId)
        .forUpdate()
        .executeTakeFirst()
      if (!mine || !awaitsConfirmation(mine)) return { outcome: 'ignored', signatureId: null }
      if (canonical !== mine.email_index) {
        const other = await tx
          .selectFrom('signatures')
          .selectAll()
          .where('campaign_id', '=', campaignId)
          .where('email_index', '=', canonical)
          .forUpdate()
          .executeTakeFirst()
        if (other) return { outcome: await emailExistingSignature(tx, other), signatureId: null }
      }
      if (!(await takeSendAllowance(tx, mine))) return { outcome: 'throttled', signatureId: mine.id }
      const token = generateToken()
      await tx
        .updateTable('signatures')
        .set({
          email: sealedEmail,
          email_index: canonical,
          email_domain: emailDomainOf(newEmail) || null,
          confirmation_token_hash: hashToken(token),
          updated_at: sql`now()`,
        })
        .where('id', '=', mine.id)
        .execute()
      await queueSignatureEmail(tx, 'signature-confirmation', { id: mine.id, campaignId, locale: mine.locale }, token)
      return { outcome: 'resent', signatureId: mine.id }
    })
}
