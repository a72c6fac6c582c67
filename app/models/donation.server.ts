import { sql } from 'kysely'
import type { Donation, DonationFrequency, DonationStatus } from '#db/types'
import type { DonateInput, DonationRules } from '~/models/donation-schema'
import { emailIndex, open, organisationOfCampaign, seal, sealerFor } from '~/models/data-key.server'
import { getDb, type Executor, type Tx } from '~/utils/db.server'
import { getEnv } from '~/utils/env.server'
import { isLocale, type Locale } from '~/utils/i18n'
import { makeTranslator } from '~/utils/i18n.server'
import { queueEmail } from '~/models/email-outbox.server'
import { logger } from '~/utils/logger.server'
import { isSupportedCurrency, majorToMinor } from '~/utils/money'
import { signValue, verifySignedValue } from '~/utils/security.server'
import { isStripeConfigured, requireStripe, type Stripe } from '~/utils/stripe.server'

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
// Starting a gift

const STATUS_PURPOSE = 'donation-status'
const MANAGE_PURPOSE = 'donation-manage'
const RESUME_PURPOSE = 'donation-resume'

/** A value for links that show one donation's status (the thank-you page after Checkout). */
export const signDonationStatus = (donationId: string) => signValue(STATUS_PURPOSE, donationId)
export const verifyDonationStatus = (donationId: string, sig: string) => verifySignedValue(STATUS_PURPOSE, donationId, sig)
/** The receipt's link to the page where a monthly donor stops the gift. */
export const signDonationManage = (donationId: string) => signValue(MANAGE_PURPOSE, donationId)
export const verifyDonationManage = (donationId: string, sig: string) => verifySignedValue(MANAGE_PURPOSE, donationId, sig)

export function donationManageUrl(donationId: string): string {
  return `${getEnv().APP_URL}/donations/${donationId}/manage?sig=${signDonationManage(donationId)}`
}

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
// Status: derived from facts that are only ever added, so any order of events gives one answer

export interface DonationFacts {
  frequency: DonationFrequency
  checkout_completed_at: Date | null
  async_failed_at: Date | null
  expired_at: Date | null
  cancelled_at: Date | null
  last_invoice_failed_at: Date | null
}

export interface PaymentFacts {
  amount_minor: number
  refunded_minor: number
  dispute_status: string | null
  paid_at: Date
}

/** Dispute states in which the money is held back or lost. */
export const WITHHELD_DISPUTE_STATES = ['warning_needs_response', 'needs_response', 'under_review', 'warning_under_review', 'lost'] as const

export function deriveDonationStatus(facts: DonationFacts, payments: PaymentFacts[]): DonationStatus {
  const paid = payments.length > 0
  if (payments.some((p) => p.dispute_status && (WITHHELD_DISPUTE_STATES as readonly string[]).includes(p.dispute_status))) {
    return 'disputed'
  }
  if (facts.frequency === 'monthly') {
    if (facts.cancelled_at) return 'cancelled'
    if (paid && payments.every((p) => p.refunded_minor >= p.amount_minor)) return 'refunded'
    if (paid) {
      const lastPaid = Math.max(...payments.map((p) => p.paid_at.getTime()))
      return facts.last_invoice_failed_at && facts.last_invoice_failed_at.getTime() > lastPaid ? 'past_due' : 'active'
    }
    if (facts.last_invoice_failed_at || facts.async_failed_at) return 'failed'
  } else {
    if (paid && payments.every((p) => p.refunded_minor >= p.amount_minor)) return 'refunded'
    if (paid) return 'paid'
    if (facts.async_failed_at) return 'failed'
  }
  if (facts.expired_at) return 'expired'
  if (facts.checkout_completed_at) return 'processing'
  return 'pending'
}

async function lockDonation(tx: Tx, donationId: string) {
  return (await tx.selectFrom('donations').selectAll().where('id', '=', donationId).forUpdate().executeTakeFirst()) ?? null
}

async function refreshDonationStatus(tx: Tx, donationId: string) {
  const donation = await tx.selectFrom('donations').selectAll().where('id', '=', donationId).executeTakeFirstOrThrow()
  const payments = await tx
    .selectFrom('donation_payments')
    .select(['amount_minor', 'refunded_minor', 'dispute_status', 'paid_at'])
    .where('donation_id', '=', donationId)
    .execute()
  const status = deriveDonationStatus(donation, payments)
  if (status !== donation.status) {
    await tx
      .updateTable('donations')
      .set({ status, updated_at: sql`now()` })
      .where('id', '=', donationId)
      .execute()
  }
  return status
}

/**
 * Recomputes a campaign's cached totals from its payments. The advisory lock makes concurrent
 * webhooks for one campaign take turns, and each then reads the others' committed payments.
 */
export async function refreshCampaignTotals(tx: Tx, campaignId: string) {
  await sql`select pg_advisory_xact_lock(7003, (${campaignId}::bigint % 2147483647)::int)`.execute(tx)
  await sql`
    with sums as (
      select p.currency,
        coalesce(sum(p.amount_minor - p.refunded_minor) filter (where ${notWithheld}), 0) as total_minor,
        count(distinct coalesce(d.donor_email_index, d.id::text)) filter (where ${notWithheld} and p.amount_minor > p.refunded_minor) as donor_count
      from donation_payments p join donations d on d.id = p.donation_id
      where p.campaign_id = ${campaignId}
      group by p.currency
    )
    insert into campaign_donation_totals (campaign_id, currency, total_minor, donor_count, updated_at)
    select ${campaignId}, currency, total_minor, donor_count, now() from sums
    on conflict (campaign_id, currency) do update
      set total_minor = excluded.total_minor, donor_count = excluded.donor_count, updated_at = now()
      where campaign_donation_totals.total_minor is distinct from excluded.total_minor
         or campaign_donation_totals.donor_count is distinct from excluded.donor_count`.execute(tx)
}

const notWithheld = sql`(p.dispute_status is null or p.dispute_status not in (${sql.join(WITHHELD_DISPUTE_STATES.map((s) => sql`${s}`))}))`

// ---------------------------------------------------------------------------------------------
// Webhook events

export const HANDLED_EVENT_TYPES = [
  'checkout.session.completed',
  'checkout.session.async_payment_succeeded',
  'checkout.session.async_payment_failed',
  'checkout.session.expired',
  'invoice.paid',
  'invoice.payment_failed',
  'customer.subscription.deleted',
  'charge.refunded',
  'charge.dispute.created',
  'charge.dispute.closed',
] as const

export type EventOutcome = 'processed' | 'duplicate' | 'ignored' | 'waiting'

interface Applied {
  outcome: 'processed' | 'ignored' | 'waiting'
  /** For a waiting event: the payment intent or charge it waits for. */
  waitingFor?: string
}

const idOf = (value: string | { id: string } | null | undefined): string | null => (value == null ? null : typeof value === 'string' ? value : value.id)

const at = (seconds: number | null | undefined) => (seconds ? new Date(seconds * 1000) : null)

/**
 * Records one verified Stripe event exactly once: the event id and all its effects (payments,
 * status, totals, receipt jobs) are committed together or not at all. A repeated id changes nothing.
 */
export async function processStripeEvent(event: Stripe.Event): Promise<EventOutcome> {
  const hint = await resolveInvoiceForCharge(event)
  return await getDb()
    .transaction()
    .execute(async (tx) => {
      const inserted = await tx
        .insertInto('stripe_events')
        .values({ id: event.id, type: event.type, payload: null })
        .onConflict((oc) => oc.column('id').doNothing())
        .returning('id')
        .executeTakeFirst()
      if (!inserted) return 'duplicate' as const
      const applied = await applyEvent(tx, event, hint)
      if (applied.outcome === 'waiting') {
        await tx
          .updateTable('stripe_events')
          // It holds the payer's name and address until its gift is recorded: sealed meanwhile (decision 0040).
          .set({ object_ref: applied.waitingFor ?? null, payload: JSON.stringify({ sealed: await seal(null, JSON.stringify(event)) }) })
          .where('id', '=', event.id)
          .execute()
      } else {
        await tx.updateTable('stripe_events').set({ processed: true }).where('id', '=', event.id).execute()
      }
      return applied.outcome
    })
}

/** A waiting event as it was stored: sealed (or, from before decision 0040, as it came). */
async function openStripePayload(payload: Record<string, unknown> | null): Promise<Stripe.Event> {
  if (payload && typeof payload.sealed === 'string') return JSON.parse(await open(payload.sealed)) as Stripe.Event
  return payload as unknown as Stripe.Event
}

/**
 * Refunds and disputes name a charge and its payment intent, but an invoice's payment intent is
 * not in the invoice event: for a monthly payment not yet matched, ask Stripe which invoice it paid.
 * Done before the transaction, so no lock is held while waiting on the network.
 */
async function resolveInvoiceForCharge(event: Stripe.Event): Promise<string | null> {
  if (event.type !== 'charge.refunded' && event.type !== 'charge.dispute.created' && event.type !== 'charge.dispute.closed') {
    return null
  }
  const object = event.data.object as Stripe.Charge | Stripe.Dispute
  const paymentIntent = idOf(object.payment_intent)
  const chargeId = event.type === 'charge.refunded' ? object.id : idOf((object as Stripe.Dispute).charge)
  if (!paymentIntent) return null
  const known = await getDb()
    .selectFrom('donation_payments')
    .select('id')
    .where((eb) => eb.or([eb('stripe_payment_intent_id', '=', paymentIntent), ...(chargeId ? [eb('stripe_charge_id', '=', chargeId)] : [])]))
    .executeTakeFirst()
  if (known) return null
  const list = await requireStripe().invoicePayments.list({ payment: { type: 'payment_intent', payment_intent: paymentIntent }, limit: 1 })
  return idOf(list.data[0]?.invoice as string | { id: string } | undefined)
}

async function applyEvent(tx: Tx, event: Stripe.Event, invoiceHint: string | null): Promise<Applied> {
  switch (event.type) {
    case 'checkout.session.completed':
    case 'checkout.session.async_payment_succeeded':
    case 'checkout.session.async_payment_failed':
    case 'checkout.session.expired':
      return await applyCheckoutSession(tx, event.type, event.data.object, event.created)
    case 'invoice.paid':
    case 'invoice.payment_failed':
      return await applyInvoice(tx, event.type, event.data.object, event.created)
    case 'customer.subscription.deleted':
      return await applySubscriptionDeleted(tx, event.data.object, event.created)
    case 'charge.refunded':
      return await applyChargeChange(tx, {
        chargeId: event.data.object.id,
        paymentIntent: idOf(event.data.object.payment_intent),
        invoiceId: invoiceHint,
        refundedMinor: event.data.object.amount_refunded,
      })
    case 'charge.dispute.created':
    case 'charge.dispute.closed':
      return await applyChargeChange(tx, {
        chargeId: idOf(event.data.object.charge),
        paymentIntent: idOf(event.data.object.payment_intent),
        invoiceId: invoiceHint,
        disputeStatus: event.data.object.status,
      })
    default:
      return { outcome: 'ignored' }
  }
}

async function findDonationForEvent(tx: Tx, donationId: string | null | undefined, subscriptionId?: string | null) {
  if (donationId && /^\d{1,18}$/.test(donationId)) {
    const donation = await lockDonation(tx, donationId)
    if (donation) return donation
  }
  if (subscriptionId) {
    const row = await tx.selectFrom('donations').select('id').where('stripe_subscription_id', '=', subscriptionId).executeTakeFirst()
    if (row) return await lockDonation(tx, row.id)
  }
  return null
}

async function applyCheckoutSession(
  tx: Tx,
  type: 'checkout.session.completed' | 'checkout.session.async_payment_succeeded' | 'checkout.session.async_payment_failed' | 'checkout.session.expired',
  session: Stripe.Checkout.Session,
  created: number,
): Promise<Applied> {
  const donation = await findDonationForEvent(tx, session.metadata?.donation_id ?? session.client_reference_id)
  if (!donation) return { outcome: 'ignored' }
  const when = new Date(created * 1000)
  const paymentIntent = idOf(session.payment_intent)
  await tx
    .updateTable('donations')
    .set({
      stripe_checkout_session_id: sql`coalesce(stripe_checkout_session_id, ${session.id})`,
      stripe_customer_id: sql`coalesce(stripe_customer_id, ${idOf(session.customer)})`,
      stripe_subscription_id: sql`coalesce(stripe_subscription_id, ${idOf(session.subscription)})`,
      stripe_payment_intent_id: sql`coalesce(stripe_payment_intent_id, ${paymentIntent})`,
      ...(type === 'checkout.session.expired'
        ? { expired_at: sql`coalesce(expired_at, ${when})` }
        : { checkout_completed_at: sql`coalesce(checkout_completed_at, ${when})` }),
      ...(type === 'checkout.session.async_payment_failed' ? { async_failed_at: sql`coalesce(async_failed_at, ${when})` } : {}),
      updated_at: sql`now()`,
    })
    .where('id', '=', donation.id)
    .execute()
  // A monthly gift's money is recorded from its invoices; only a one-off gift's from its session.
  const paid =
    session.mode === 'payment' &&
    (type === 'checkout.session.async_payment_succeeded' || (type === 'checkout.session.completed' && session.payment_status === 'paid'))
  if (paid && session.amount_total) {
    await recordPayment(tx, donation, {
      amountMinor: session.amount_total,
      currency: (session.currency ?? donation.currency).toUpperCase(),
      checkoutSessionId: session.id,
      paymentIntent,
      paidAt: when,
    })
  }
  await refreshDonationStatus(tx, donation.id)
  return { outcome: 'processed' }
}

/** The subscription id and metadata of an invoice: `parent.subscription_details` in current API versions. */
function invoiceSubscription(invoice: Stripe.Invoice) {
  const legacy = invoice as unknown as { subscription?: string | { id: string } | null; subscription_details?: { metadata?: Record<string, string> | null } }
  const details = invoice.parent?.subscription_details
  return {
    subscriptionId: idOf(details?.subscription ?? legacy.subscription ?? null),
    donationId: details?.metadata?.donation_id ?? legacy.subscription_details?.metadata?.donation_id ?? null,
  }
}

async function applyInvoice(tx: Tx, type: 'invoice.paid' | 'invoice.payment_failed', invoice: Stripe.Invoice, created: number): Promise<Applied> {
  const { subscriptionId, donationId } = invoiceSubscription(invoice)
  const donation = await findDonationForEvent(tx, donationId, subscriptionId)
  if (!donation) return { outcome: 'ignored' }
  await tx
    .updateTable('donations')
    .set({
      stripe_subscription_id: sql`coalesce(stripe_subscription_id, ${subscriptionId})`,
      stripe_customer_id: sql`coalesce(stripe_customer_id, ${idOf(invoice.customer)})`,
      ...(type === 'invoice.payment_failed' ? { last_invoice_failed_at: sql`greatest(last_invoice_failed_at, ${new Date(created * 1000)})` } : {}),
      updated_at: sql`now()`,
    })
    .where('id', '=', donation.id)
    .execute()
  if (type === 'invoice.paid' && invoice.amount_paid > 0) {
    const legacy = invoice as unknown as { payment_intent?: string | { id: string } | null; charge?: string | { id: string } | null }
    const payment = invoice.payments?.data?.find((p) => p.status === 'paid') ?? invoice.payments?.data?.[0]
    await recordPayment(tx, donation, {
      amountMinor: invoice.amount_paid,
      currency: invoice.currency.toUpperCase(),
      invoiceId: invoice.id,
      paymentIntent: idOf(payment?.payment?.payment_intent ?? legacy.payment_intent ?? null),
      chargeId: idOf(payment?.payment?.charge ?? legacy.charge ?? null),
      paidAt: at(invoice.status_transitions?.paid_at) ?? new Date(created * 1000),
    })
  }
  await refreshDonationStatus(tx, donation.id)
  return { outcome: 'processed' }
}

async function applySubscriptionDeleted(tx: Tx, subscription: Stripe.Subscription, created: number): Promise<Applied> {
  const donation = await findDonationForEvent(tx, subscription.metadata?.donation_id, subscription.id)
  if (!donation) return { outcome: 'ignored' }
  const when = at(subscription.canceled_at) ?? at(subscription.ended_at) ?? new Date(created * 1000)
  await tx
    .updateTable('donations')
    .set({
      stripe_subscription_id: sql`coalesce(stripe_subscription_id, ${subscription.id})`,
      cancelled_at: sql`coalesce(cancelled_at, ${when})`,
      updated_at: sql`now()`,
    })
    .where('id', '=', donation.id)
    .execute()
  await refreshDonationStatus(tx, donation.id)
  return { outcome: 'processed' }
}

interface NewPayment {
  amountMinor: number
  currency: string
  checkoutSessionId?: string
  invoiceId?: string
  paymentIntent?: string | null
  chargeId?: string | null
  paidAt: Date
}

/**
 * Inserts a payment unless its session or invoice is already recorded (a replay, or the other of
 * two events that both report it), queues its receipt in the same transaction, then applies any
 * refund or dispute that arrived before it.
 */
async function recordPayment(tx: Tx, donation: Donation, payment: NewPayment) {
  const inserted = await tx
    .insertInto('donation_payments')
    .values({
      donation_id: donation.id,
      campaign_id: donation.campaign_id,
      amount_minor: payment.amountMinor,
      currency: payment.currency,
      stripe_checkout_session_id: payment.checkoutSessionId ?? null,
      stripe_invoice_id: payment.invoiceId ?? null,
      stripe_payment_intent_id: payment.paymentIntent ?? null,
      stripe_charge_id: payment.chargeId ?? null,
      paid_at: payment.paidAt,
    })
    .onConflict((oc) => oc.doNothing())
    .returning(['id'])
    .executeTakeFirst()
  if (!inserted) return
  await queueEmail(tx, {
    template: 'donation-receipt',
    payload: { paymentId: inserted.id },
    locale: donation.locale,
    campaignId: donation.campaign_id,
    idempotencyKey: `donation-receipt/${inserted.id}`,
  })
  const refs = [payment.paymentIntent, payment.chargeId, payment.invoiceId].filter((r): r is string => Boolean(r))
  if (refs.length > 0) {
    const waiting = await tx
      .selectFrom('stripe_events')
      .select(['id', 'payload'])
      .where('processed', '=', false)
      .where('object_ref', 'in', refs)
      .orderBy('received_at')
      .forUpdate()
      .execute()
    for (const row of waiting) {
      const event = await openStripePayload(row.payload)
      const applied = await applyEvent(tx, event, payment.invoiceId ?? null)
      if (applied.outcome !== 'waiting') {
        await tx.updateTable('stripe_events').set({ processed: true, payload: null }).where('id', '=', row.id).execute()
      }
    }
  }
  await refreshCampaignTotals(tx, donation.campaign_id)
}

/** Dispute states ranked so that a closed dispute wins over an open one, whatever the order. */
function disputeRank(status: string | null): number {
  if (!status) return 0
  return ['won', 'lost', 'warning_closed', 'prevented'].includes(status) ? 2 : 1
}

async function applyChargeChange(
  tx: Tx,
  change: { chargeId: string | null; paymentIntent: string | null; invoiceId: string | null; refundedMinor?: number; disputeStatus?: string },
): Promise<Applied> {
  const refs = [
    change.chargeId ? { column: 'stripe_charge_id' as const, value: change.chargeId } : null,
    change.paymentIntent ? { column: 'stripe_payment_intent_id' as const, value: change.paymentIntent } : null,
    change.invoiceId ? { column: 'stripe_invoice_id' as const, value: change.invoiceId } : null,
  ].filter((r) => r !== null)
  if (refs.length === 0) return { outcome: 'ignored' }
  const payment = await tx
    .selectFrom('donation_payments')
    .selectAll()
    .where((eb) => eb.or(refs.map((r) => eb(r.column, '=', r.value))))
    .forUpdate()
    .executeTakeFirst()
  if (!payment) return { outcome: 'waiting', waitingFor: change.invoiceId ?? change.paymentIntent ?? change.chargeId ?? undefined }
  await lockDonation(tx, payment.donation_id)
  const nextDispute =
    change.disputeStatus && disputeRank(change.disputeStatus) >= disputeRank(payment.dispute_status) ? change.disputeStatus : payment.dispute_status
  await tx
    .updateTable('donation_payments')
    .set({
      // amount_refunded is cumulative: the largest seen is the truth, in whatever order they come.
      refunded_minor:
        change.refundedMinor !== undefined ? sql`greatest(refunded_minor, least(${change.refundedMinor}::int, amount_minor))` : sql`refunded_minor`,
      stripe_charge_id: sql`coalesce(stripe_charge_id, ${change.chargeId})`,
      stripe_payment_intent_id: sql`coalesce(stripe_payment_intent_id, ${change.paymentIntent})`,
      dispute_status: nextDispute,
      updated_at: sql`now()`,
    })
    .where('id', '=', payment.id)
    .execute()
  await refreshDonationStatus(tx, payment.donation_id)
  await refreshCampaignTotals(tx, payment.campaign_id)
  return { outcome: 'processed' }
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

// ---------------------------------------------------------------------------------------------
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
