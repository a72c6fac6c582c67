import { RECIPIENT_SLOTS, fillRecipientSlots, renderEmail, type RenderedEmail } from '#emails/render'
import { getPublicCampaignById, type PublicCampaign } from '~/models/campaign.server'
import { emailBrandOf } from '~/models/organisation.server'
import { getSignatureForEmail, getSignaturesForEmail, type SignatureForEmail } from '~/models/signature.server'
import { emailFrom } from '~/utils/email-sender.server'
import { awaitsConfirmation, hasConfirmed } from '~/models/signature-state'
import type { Executor } from '~/utils/db.server'
import type { OutgoingEmail } from '~/utils/email.server'
import { getEnv } from '~/utils/env.server'
import { isLocale } from '~/utils/i18n'
import { makeTranslator } from '~/utils/i18n.server'
import { shareLinks } from '~/utils/share'
import { isStripeConfigured } from '~/utils/stripe.server'

export type SignatureEmailKind = 'signature-confirmation' | 'already-signed' | 'signature-thanks'

/**
 * What the signature emails of one batch share, read or rendered once for all of them: a surge's
 * emails are mostly one campaign's confirmations, in a language or two.
 */
export interface SignatureEmailBatch {
  /** Campaigns by id and language. */
  campaigns: Map<string, Promise<PublicCampaign | null>>
  /** Emails rendered with RECIPIENT_SLOTS, by kind, campaign and language. */
  layouts: Map<string, Promise<RenderedEmail>>
  /** Signatures read ahead for the whole batch (readBatchSignatures), null when there is none. */
  signatures: Map<string, SignatureForEmail | null>
}

export function newSignatureEmailBatch(): SignatureEmailBatch {
  return { campaigns: new Map(), layouts: new Map(), signatures: new Map() }
}

/**
 * Reads the signatures of a batch's emails in one query, so each email then reads none: a batch
 * of 100 is one round trip, not 100. Read when the batch is prepared, so a signature confirmed or
 * removed since it was queued is seen as it is now.
 */
export async function readBatchSignatures(batch: SignatureEmailBatch, signatureIds: Iterable<string>, executor?: Executor) {
  // getSignaturesForEmail drops repeated and malformed ids; each wanted id is then noted, found or not.
  const wanted = [...signatureIds].filter((id) => !batch.signatures.has(id))
  if (wanted.length === 0) return
  const found = await getSignaturesForEmail(wanted, executor)
  for (const id of wanted) batch.signatures.set(id, found.get(id) ?? null)
}

/** A signature as read ahead for the batch, else read now (an email built on its own). */
export async function getBatchSignature(batch: SignatureEmailBatch, signatureId: string): Promise<SignatureForEmail | null> {
  return batch.signatures.has(signatureId) ? batch.signatures.get(signatureId)! : await getSignatureForEmail(signatureId)
}

/**
 * Builds the email a signature is due, in the signer's language, or null when it is no longer
 * due (confirmed or removed since it was queued).
 */
export async function buildSignatureEmail(
  kind: SignatureEmailKind,
  signatureId: string,
  token?: string,
  batch: SignatureEmailBatch = newSignatureEmailBatch(),
): Promise<OutgoingEmail | null> {
  const signature = await getBatchSignature(batch, signatureId)
  if (!signature) return null
  if (kind === 'signature-confirmation' && (!awaitsConfirmation(signature) || !token)) return null
  if (kind !== 'signature-confirmation' && !hasConfirmed(signature)) return null
  const locale = isLocale(signature.locale) ? signature.locale : 'en'
  const key = `${signature.campaign_id}/${locale}`
  if (!batch.campaigns.has(key)) batch.campaigns.set(key, getPublicCampaignById(signature.campaign_id, locale))
  const campaign = await batch.campaigns.get(key)!
  if (!campaign) return null

  const { APP_URL } = getEnv()
  const campaignUrl = `${APP_URL}/campaigns/${campaign.slug}?lang=${locale}`
  const common = {
    locale,
    campaignTitle: campaign.content.title,
    campaignUrl,
    organisationName: campaign.organisation.name,
    appUrl: APP_URL,
    signerName: signature.full_name,
    brand: emailBrandOf(campaign.organisation),
  }
  const confirmUrl = (token: string) => `${APP_URL}/confirm/${token}?lang=${locale}`
  let rendered: RenderedEmail | null = null
  if (kind !== 'signature-thanks') {
    // Rendered once for the batch with stand-ins for the name and the link, then filled in.
    const layoutKey = `${kind}/${key}`
    if (!batch.layouts.has(layoutKey)) {
      const slots = { ...common, signerName: RECIPIENT_SLOTS.name }
      batch.layouts.set(
        layoutKey,
        kind === 'signature-confirmation'
          ? renderEmail('signature-confirmation', { ...slots, confirmUrl: confirmUrl(RECIPIENT_SLOTS.token) })
          : renderEmail('already-signed', slots),
      )
    }
    rendered = fillRecipientSlots(await batch.layouts.get(layoutKey)!, { name: signature.full_name, token })
  }
  rendered ??=
    kind === 'signature-confirmation'
      ? await renderEmail('signature-confirmation', { ...common, confirmUrl: confirmUrl(token!) })
      : kind === 'already-signed'
        ? await renderEmail('already-signed', common)
        : await renderEmail('signature-thanks', {
            ...common,
            // The counter may not have folded this confirmation in yet: count the signer in.
            signatureCount: campaign.signatureCount + (signature.counted_at ? 0 : 1),
            donateUrl: isStripeConfigured() ? `${APP_URL}/campaigns/${campaign.slug}/donate?lang=${locale}` : undefined,
            shareLinks: shareLinks(`${APP_URL}/campaigns/${campaign.slug}`, campaign.content.title, makeTranslator(locale)).map(({ label, href }) => ({
              label,
              href,
            })),
          })
  return {
    to: signature.email,
    from: emailFrom(campaign.organisation),
    template: kind,
    locale,
    subject: rendered.subject,
    html: rendered.html,
    text: rendered.text,
    signatureId: signature.id,
    campaignId: campaign.id,
  }
}
