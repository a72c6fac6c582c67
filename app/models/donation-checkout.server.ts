import { sql } from 'kysely'
import type { DonateInput } from '~/models/donation-schema'
import { emailIndex, open, organisationOfCampaign, sealerFor } from '~/models/data-key.server'
import { signDonationStatus } from '~/models/donation.server'
import { getDb } from '~/utils/db.server'
import { getEnv } from '~/utils/env.server'
import type { Locale } from '~/utils/i18n'
import { makeTranslator } from '~/utils/i18n.server'
import { logger } from '~/utils/logger.server'
import { signValue, verifySignedValue } from '~/utils/security.server'
import { requireStripe, type Stripe } from '~/utils/stripe.server'

// Starting a gift: a pending donation and the Stripe Checkout Session that pays it.

const RESUME_PURPOSE = 'donation-resume'

/** `cancel_url` carries this so the form comes back with what was chosen, without personal data in the URL. */
export function resumeToken(donationId: string): string {
  return `${donationId}.${signValue(RESUME_PURPOSE, donationId)}`
}

export class CheckoutUnavailableError extends Error {
  constructor(cause: unknown) {
    super('Stripe Checkout could not be started', { cause })
    this.name = 'CheckoutUnavailableError'
  }
}

/**
 * Records a pending gift and opens a Stripe Checkout Session for it; returns the URL to send
 * the donor to. The idempotency key ties the session to the donation, so a retry never opens two.
 */
export async function startDonationCheckout(
  campaign: { id: string; slug: string; title: string },
  input: DonateInput,
  currency: string,
  locale: Locale,
): Promise<{ donationId: string; url: string }> {
  const db = getDb()
  // The donor's name and address are sealed with the organisation's key (decision 0040).
  const sealValue = await sealerFor(await organisationOfCampaign(db, campaign.id))
  const donation = await db
    .insertInto('donations')
    .values({
      campaign_id: campaign.id,
      frequency: input.frequency,
      amount_minor: input.amountMinor,
      currency,
      donor_name: sealValue(input.name),
      donor_email: sealValue(input.email),
      donor_email_index: await emailIndex(input.email),
      locale,
    })
    .returning(['id'])
    .executeTakeFirstOrThrow()
  const { APP_URL } = getEnv()
  const t = makeTranslator(locale)
  const base = `${APP_URL}/campaigns/${campaign.slug}`
  const metadata = { donation_id: donation.id, campaign_id: campaign.id }
  const productName = t(input.frequency === 'monthly' ? 'donate.lineItemMonthly' : 'donate.lineItem', { title: campaign.title }).slice(0, 250)
  const common = {
    client_reference_id: donation.id,
    metadata,
    customer_email: input.email,
    locale,
    success_url: `${base}/donate/thank-you?donation=${donation.id}&sig=${signDonationStatus(donation.id)}`,
    cancel_url: `${base}/donate?resume=${resumeToken(donation.id)}`,
  } satisfies Partial<Stripe.Checkout.SessionCreateParams>
  const params: Stripe.Checkout.SessionCreateParams =
    input.frequency === 'monthly'
      ? {
          ...common,
          mode: 'subscription',
          line_items: [
            {
              quantity: 1,
              price_data: {
                currency: currency.toLowerCase(),
                unit_amount: input.amountMinor,
                recurring: { interval: 'month' },
                product_data: { name: productName },
              },
            },
          ],
          subscription_data: { metadata },
        }
      : {
          ...common,
          mode: 'payment',
          submit_type: 'donate',
          line_items: [
            {
              quantity: 1,
              price_data: { currency: currency.toLowerCase(), unit_amount: input.amountMinor, product_data: { name: productName } },
            },
          ],
          payment_intent_data: { metadata },
        }
  let session: Stripe.Checkout.Session
  try {
    session = await requireStripe().checkout.sessions.create(params, { idempotencyKey: `checkout:${donation.id}` })
  } catch (error) {
    logger.error({ err: error, donationId: donation.id }, 'stripe checkout session could not be created')
    throw new CheckoutUnavailableError(error)
  }
  await db
    .updateTable('donations')
    .set({ stripe_checkout_session_id: session.id, updated_at: sql`now()` })
    .where('id', '=', donation.id)
    .execute()
  if (!session.url) throw new CheckoutUnavailableError(new Error('session without a url'))
  return { donationId: donation.id, url: session.url }
}

/** The choices of an earlier, abandoned checkout (Checkout's cancel link), to fill the form again. */
export async function getResumableDonation(token: string | null, campaignId: string) {
  if (!token) return null
  const [id, sig] = token.split('.')
  if (!id || !sig || !/^\d{1,18}$/.test(id) || !verifySignedValue(RESUME_PURPOSE, id, sig)) return null
  const row = await getDb()
    .selectFrom('donations')
    .select(['id', 'frequency', 'amount_minor', 'currency', 'donor_name', 'donor_email'])
    .where('id', '=', id)
    .where('campaign_id', '=', campaignId)
    .executeTakeFirst()
  return row ? { ...row, donor_name: await open(row.donor_name), donor_email: await open(row.donor_email) } : null
}
