import { sql } from 'kysely'
import type { Donation } from '#db/types'
import { open, seal } from '~/models/data-key.server'
import { lockDonation, refreshCampaignTotals, refreshDonationStatus } from '~/models/donation-status.server'
import { queueEmail } from '~/models/email-outbox.server'
import { getDb, type Tx } from '~/utils/db.server'
import { requireStripe, type Stripe } from '~/utils/stripe.server'

// Stripe's webhook events, each recorded once, in any order, into donations and their payments.

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
