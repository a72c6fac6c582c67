import { sql } from 'kysely'
import type { Donation, DonationFrequency, DonationStatus } from '#db/types'
import type { DonationRules } from '~/models/donation-schema'
import { open } from '~/models/data-key.server'
import { lockDonation, refreshDonationStatus } from '~/models/donation-status.server'
import { getDb, type Executor } from '~/utils/db.server'
import { getEnv } from '~/utils/env.server'
import { isLocale, type Locale } from '~/utils/i18n'
import { isSupportedCurrency, majorToMinor } from '~/utils/money'
import { signValue, verifySignedValue } from '~/utils/security.server'
import { isStripeConfigured, requireStripe } from '~/utils/stripe.server'

export type { Donation, DonationFrequency, DonationStatus }

/** Gifts that have gone through (for the thank-you page: "confirmed" rather than "processing"). */
export const SETTLED_STATES = ['paid', 'active', 'past_due', 'cancelled', 'refunded', 'disputed'] as const satisfies readonly DonationStatus[]
export const WAITING_STATES = ['pending', 'processing'] as const satisfies readonly DonationStatus[]

// ---------------------------------------------------------------------------------------------
// Settings and totals

export interface CampaignDonationSettings {
  campaignId: string
  currency: string
  presets: number[]
  showTotals: boolean
}

/** The campaign's currency and presets, falling back to its organisation's. */
export async function getCampaignDonationSettings(campaignId: string, executor: Executor = getDb()): Promise<CampaignDonationSettings | null> {
  const row = await executor
    .selectFrom('campaigns as c')
    .innerJoin('organisations as o', 'o.id', 'c.organisation_id')
    .select([
      'c.id',
      'c.show_donation_totals',
      sql<string>`coalesce(c.donation_currency, o.donation_currency)`.as('currency'),
      sql<number[]>`coalesce(c.donation_presets, o.donation_presets)`.as('presets'),
    ])
    .where('c.id', '=', campaignId)
    .executeTakeFirst()
  if (!row) return null
  const currency = isSupportedCurrency(row.currency) ? row.currency : 'EUR'
  return {
    campaignId: row.id,
    currency,
    presets: [...new Set(row.presets.filter((p) => Number.isSafeInteger(p) && p > 0))].sort((a, b) => a - b),
    showTotals: row.show_donation_totals,
  }
}

/** Bounds and presets for the donate form: presets outside the configured bounds are not offered. */
export function donationRules(settings: Pick<CampaignDonationSettings, 'currency' | 'presets'>): DonationRules {
  const env = getEnv()
  const minMinor = Math.max(1, majorToMinor(env.DONATION_MIN_AMOUNT, settings.currency))
  const maxMinor = majorToMinor(env.DONATION_MAX_AMOUNT, settings.currency)
  return {
    currency: settings.currency,
    presets: settings.presets.filter((p) => p >= minMinor && p <= maxMinor),
    minMinor,
    maxMinor,
  }
}

export interface DonationTotals {
  currency: string
  totalMinor: number
  donorCount: number
}

/**
 * Money raised by a campaign, net of refunds, and the number of donors; null when the campaign
 * has no recorded payment at all. One primary-key read of the cached totals, which every webhook
 * recomputes in its own transaction. With gifts in several currencies, the campaign's own wins.
 */
export async function getCampaignDonationTotals(campaignId: string, executor: Executor = getDb()): Promise<DonationTotals | null> {
  const row = await executor
    .selectFrom('campaign_donation_totals as t')
    .innerJoin('campaigns as c', 'c.id', 't.campaign_id')
    .innerJoin('organisations as o', 'o.id', 'c.organisation_id')
    .select(['t.currency', 't.total_minor', 't.donor_count'])
    .where('t.campaign_id', '=', campaignId)
    .orderBy(sql`t.currency = coalesce(c.donation_currency, o.donation_currency)`, 'desc')
    .orderBy('t.total_minor', 'desc')
    .limit(1)
    .executeTakeFirst()
  return row ? { currency: row.currency, totalMinor: Number(row.total_minor), donorCount: row.donor_count } : null
}

/**
 * What the public sees (campaign page, JSON): the totals when the campaign chose to show them
 * (zero in its currency before the first gift), otherwise null.
 */
export async function getPublicDonationTotals(campaignId: string, executor: Executor = getDb()): Promise<DonationTotals | null> {
  const settings = await getCampaignDonationSettings(campaignId, executor)
  if (!settings?.showTotals) return null
  return (await getCampaignDonationTotals(campaignId, executor)) ?? { currency: settings.currency, totalMinor: 0, donorCount: 0 }
}

// ---------------------------------------------------------------------------------------------
// Signed links and reading a gift

const STATUS_PURPOSE = 'donation-status'
const MANAGE_PURPOSE = 'donation-manage'
/** A value for links that show one donation's status (the thank-you page after Checkout). */
export const signDonationStatus = (donationId: string) => signValue(STATUS_PURPOSE, donationId)
export const verifyDonationStatus = (donationId: string, sig: string) => verifySignedValue(STATUS_PURPOSE, donationId, sig)
/** The receipt's link to the page where a monthly donor stops the gift. */
export const signDonationManage = (donationId: string) => signValue(MANAGE_PURPOSE, donationId)
export const verifyDonationManage = (donationId: string, sig: string) => verifySignedValue(MANAGE_PURPOSE, donationId, sig)

export function donationManageUrl(donationId: string): string {
  return `${getEnv().APP_URL}/donations/${donationId}/manage?sig=${signDonationManage(donationId)}`
}

export async function getDonation(donationId: string, executor: Executor = getDb()) {
  if (!/^\d{1,18}$/.test(donationId)) return null
  return (await executor.selectFrom('donations').selectAll().where('id', '=', donationId).executeTakeFirst()) ?? null
}

/** A donation with its campaign's slug and title (for the thank-you and manage pages). */
export async function getDonationWithCampaign(donationId: string, locale: Locale) {
  if (!/^\d{1,18}$/.test(donationId)) return null
  return (
    (await getDb()
      .selectFrom('donations as d')
      .innerJoin('campaigns as c', 'c.id', 'd.campaign_id')
      .leftJoin('campaign_translations as t', (join) => join.onRef('t.campaign_id', '=', 'c.id').on('t.locale', '=', locale))
      .select([
        'd.id',
        'd.campaign_id',
        'd.frequency',
        'd.amount_minor',
        'd.currency',
        'd.status',
        'd.stripe_subscription_id',
        'd.stripe_customer_id',
        'd.cancelled_at',
        'c.slug as campaign_slug',
        sql<string>`coalesce(t.title, c.title)`.as('campaign_title'),
        sql<string>`case when t.title is null then c.locale else t.locale end`.as('content_locale'),
      ])
      .where('d.id', '=', donationId)
      .executeTakeFirst()) ?? null
  )
}

// ---------------------------------------------------------------------------------------------
// Stopping a monthly gift

export type CancelOutcome = 'cancelled' | 'already-cancelled' | 'not-started'

/**
 * Cancels a monthly gift's subscription through Stripe's API and records it. Stripe's
 * `customer.subscription.deleted` event records the same fact again, harmlessly.
 */
export async function cancelMonthlyDonation(donationId: string): Promise<CancelOutcome> {
  const donation = await getDonation(donationId)
  if (!donation || donation.frequency !== 'monthly' || !donation.stripe_subscription_id) return 'not-started'
  if (donation.cancelled_at) return 'already-cancelled'
  let cancelledAt = new Date()
  try {
    const subscription = await requireStripe().subscriptions.cancel(donation.stripe_subscription_id, undefined, {
      idempotencyKey: `cancel:${donation.id}`,
    })
    if (subscription.canceled_at) cancelledAt = new Date(subscription.canceled_at * 1000)
  } catch (error) {
    // Already cancelled (in Stripe's dashboard, say): record it here too.
    const code = (error as { code?: string }).code
    if (code !== 'resource_missing') throw error
  }
  await getDb()
    .transaction()
    .execute(async (tx) => {
      await lockDonation(tx, donation.id)
      await tx
        .updateTable('donations')
        .set({
          cancel_requested_at: sql`coalesce(cancel_requested_at, now())`,
          cancelled_at: sql`coalesce(cancelled_at, ${cancelledAt})`,
          updated_at: sql`now()`,
        })
        .where('id', '=', donation.id)
        .execute()
      await refreshDonationStatus(tx, donation.id)
    })
  return 'cancelled'
}

/** A Stripe billing portal session for the donor's customer (to change the card), or null. */
export async function createBillingPortalUrl(donationId: string, returnUrl: string): Promise<string | null> {
  const donation = await getDonation(donationId)
  if (!donation?.stripe_customer_id) return null
  const session = await requireStripe().billingPortal.sessions.create({ customer: donation.stripe_customer_id, return_url: returnUrl })
  return session.url
}

// ---------------------------------------------------------------------------------------------
// Receipts

/** A payment with what its receipt needs, or null when it no longer exists. */
export async function getPaymentForReceipt(paymentId: string) {
  const row = await getDb()
    .selectFrom('donation_payments as p')
    .innerJoin('donations as d', 'd.id', 'p.donation_id')
    .select([
      'p.id',
      'p.amount_minor',
      'p.currency',
      'p.paid_at',
      'd.id as donation_id',
      'd.campaign_id',
      'd.frequency',
      'd.donor_name',
      'd.donor_email',
      'd.locale',
      'd.cancelled_at',
    ])
    .where('p.id', '=', paymentId)
    .executeTakeFirst()
  if (!row) return null
  return {
    ...row,
    donor_name: await open(row.donor_name),
    donor_email: await open(row.donor_email),
    locale: isLocale(row.locale) ? row.locale : ('en' as Locale),
  }
}

/** What a public page shows about donations: whether one can give here, and the totals if shown. */
export async function getDonationSummary(campaignId: string, executor: Executor = getDb()) {
  return { enabled: isStripeConfigured(), totals: await getPublicDonationTotals(campaignId, executor) }
}
export type DonationSummaryData = Awaited<ReturnType<typeof getDonationSummary>>

/** How long a refund or dispute may wait for a payment of ours: Stripe retries for three days. */
export const UNMATCHED_EVENT_DAYS = 30

/**
 * Nightly: events that waited past UNMATCHED_EVENT_DAYS for a payment that never came (a charge
 * that was not a Chorus gift) lose their payload, which holds a payer's details. The id stays,
 * so a late redelivery is still recognised and changes nothing. Returns how many were cleared.
 */
export async function pruneUnmatchedStripeEvents(days = UNMATCHED_EVENT_DAYS): Promise<number> {
  const result = await getDb()
    .updateTable('stripe_events')
    .set({ payload: null, object_ref: null, processed: true })
    .where('processed', '=', false)
    .where('received_at', '<', sql<Date>`now() - make_interval(days => ${days})`)
    .executeTakeFirst()
  return Number(result.numUpdatedRows)
}
