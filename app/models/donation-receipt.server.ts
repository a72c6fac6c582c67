import { renderEmail } from '#emails/render'
import { getPublicCampaignById } from '~/models/campaign.server'
import { donationManageUrl, getPaymentForReceipt } from '~/models/donation.server'
import { emailBrandOf } from '~/models/organisation.server'
import { emailFrom } from '~/utils/email-sender.server'
import type { OutgoingEmail } from '~/utils/email.server'
import { getEnv } from '~/utils/env.server'
import { formatDate } from '~/utils/i18n'
import { minorUnitDigits } from '~/utils/money'

/** The receipt for one payment, in the donor's language, or null when the payment is gone. */
export async function buildDonationReceipt(paymentId: string): Promise<OutgoingEmail | null> {
  const payment = await getPaymentForReceipt(paymentId)
  if (!payment) return null
  const { locale } = payment
  const campaign = await getPublicCampaignById(payment.campaign_id, locale)
  if (!campaign) return null
  const { APP_URL } = getEnv()
  // Receipts show every digit ("€25.00"), as a receipt should.
  const digits = minorUnitDigits(payment.currency)
  const amount = new Intl.NumberFormat(locale, {
    style: 'currency',
    currency: payment.currency,
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  }).format(payment.amount_minor / 10 ** digits)
  const rendered = await renderEmail('donation-receipt', {
    locale,
    campaignTitle: campaign.content.title,
    campaignUrl: `${APP_URL}/campaigns/${campaign.slug}?lang=${locale}`,
    organisationName: campaign.organisation.name,
    appUrl: APP_URL,
    donorName: payment.donor_name,
    amount,
    date: formatDate(locale, payment.paid_at),
    reference: `D-${payment.donation_id}-${payment.id}`,
    frequency: payment.frequency,
    manageUrl: payment.frequency === 'monthly' ? `${donationManageUrl(payment.donation_id)}&lang=${locale}` : undefined,
    brand: emailBrandOf(campaign.organisation),
  })
  return {
    to: payment.donor_email,
    from: emailFrom(campaign.organisation),
    template: 'donation-receipt',
    locale,
    subject: rendered.subject,
    html: rendered.html,
    text: rendered.text,
    campaignId: campaign.id,
  }
}
