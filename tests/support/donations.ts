import { expect } from 'vitest'
import { getDb } from '~/utils/db.server'
import { resetEnv } from '~/utils/env.server'
import { action as donateAction } from '~/routes/campaigns.$slug_.donate'
import { action as webhookAction } from '~/routes/webhooks.stripe'
import { createCampaign, uniqueEmail } from './factories'
import { FAKE_STRIPE_KEY, FAKE_WEBHOOK_SECRET, signStripePayload, stripeEvent, type FakeStripe } from './fake-stripe'
import { callRoute, form } from './routes'

/** Points the app at the fake Stripe (call in beforeEach: the database setup resets the env). */
export function useFakeStripe(fake: FakeStripe) {
  fake.reset()
  Object.assign(process.env, {
    STRIPE_SECRET_KEY: FAKE_STRIPE_KEY,
    STRIPE_WEBHOOK_SECRET: FAKE_WEBHOOK_SECRET,
    STRIPE_API_BASE_URL: fake.url,
  })
  resetEnv()
}

export function forgetStripe() {
  delete process.env.STRIPE_SECRET_KEY
  delete process.env.STRIPE_WEBHOOK_SECRET
  delete process.env.STRIPE_API_BASE_URL
  resetEnv()
}

/** Posts an event to POST /webhooks/stripe, signed for real unless told otherwise. */
export async function deliver(event: { id: string; type: string }, options: { secret?: string; timestamp?: number; header?: string | null } = {}) {
  const { payload, header } = signStripePayload(JSON.stringify(event), { secret: options.secret, timestamp: options.timestamp })
  const headers: Record<string, string> = { 'Content-Type': 'application/json' }
  const signature = options.header === undefined ? header : options.header
  if (signature !== null) headers['Stripe-Signature'] = signature
  return await callRoute(webhookAction, { url: '/webhooks/stripe', method: 'POST', body: payload, headers })
}

/** A gift started through the donate form (and so through the fake Stripe): the donation row and its session. */
export async function startGift(
  fake: FakeStripe,
  {
    frequency = 'one_off',
    amount = '2500',
    otherAmount,
    campaign,
    email = uniqueEmail('donor'),
  }: { frequency?: 'one_off' | 'monthly'; amount?: string; otherAmount?: string; campaign?: { id: string; slug: string; title: string }; email?: string } = {},
) {
  const target = campaign ?? (await createCampaign(getDb(), { show_donation_totals: true }))
  const values: Record<string, string> = { frequency, amount, name: 'Ada Donor', email }
  if (otherAmount !== undefined) values.otherAmount = otherAmount
  const response = await callRoute(donateAction, {
    url: `/campaigns/${target.slug}/donate`,
    method: 'POST',
    body: form(values),
    params: { slug: target.slug },
  })
  expect(response.status, JSON.stringify(response.data)).toBe(303)
  const session = [...fake.sessions.values()].at(-1)!
  expect(response.headers.get('Location')).toBe(session.url)
  const donation = await getDb().selectFrom('donations').selectAll().where('stripe_checkout_session_id', '=', session.id).executeTakeFirstOrThrow()
  return { campaign: target, donation, session }
}

type Session = { id: string; mode: string; metadata: Record<string, string>; client_reference_id: string | null; amount_total: number; currency: string }

let counter = 0
const next = (prefix: string) => `${prefix}_t${Date.now().toString(36)}${(++counter).toString(36)}`

/** Events as Stripe sends them, for a session the app created. */
export const events = {
  checkoutCompleted(session: Session, extra: Partial<{ payment_status: string; payment_intent: string; subscription: string; customer: string }> = {}) {
    return stripeEvent('checkout.session.completed', {
      ...session,
      object: 'checkout.session',
      status: 'complete',
      payment_status: 'paid',
      customer: 'cus_test',
      payment_intent: session.mode === 'payment' ? next('pi') : null,
      subscription: session.mode === 'subscription' ? next('sub') : null,
      ...extra,
    })
  },
  checkout(
    type: 'checkout.session.async_payment_succeeded' | 'checkout.session.async_payment_failed' | 'checkout.session.expired',
    session: Session,
    extra: Record<string, unknown> = {},
  ) {
    return stripeEvent(type, {
      ...session,
      object: 'checkout.session',
      status: type === 'checkout.session.expired' ? 'expired' : 'complete',
      payment_status: type === 'checkout.session.async_payment_succeeded' ? 'paid' : 'unpaid',
      customer: 'cus_test',
      ...extra,
    })
  },
  invoice(
    type: 'invoice.paid' | 'invoice.payment_failed',
    {
      subscription,
      metadata,
      amount,
      currency = 'eur',
      id = next('in'),
      paidAt,
    }: { subscription: string; metadata: Record<string, string>; amount: number; currency?: string; id?: string; paidAt?: number },
    options: { created?: number } = {},
  ) {
    const now = options.created ?? Math.floor(Date.now() / 1000)
    return stripeEvent(
      type,
      {
        id,
        object: 'invoice',
        customer: 'cus_test',
        currency,
        amount_due: amount,
        amount_paid: type === 'invoice.paid' ? amount : 0,
        status: type === 'invoice.paid' ? 'paid' : 'open',
        created: now,
        status_transitions: { paid_at: type === 'invoice.paid' ? (paidAt ?? now) : null },
        parent: { type: 'subscription_details', quote_details: null, subscription_details: { subscription, metadata } },
      },
      { created: now },
    )
  },
  subscriptionDeleted(subscription: string, metadata: Record<string, string>) {
    return stripeEvent('customer.subscription.deleted', {
      id: subscription,
      object: 'subscription',
      status: 'canceled',
      customer: 'cus_test',
      metadata,
      canceled_at: Math.floor(Date.now() / 1000),
      ended_at: Math.floor(Date.now() / 1000),
    })
  },
  chargeRefunded({ paymentIntent, amount, refunded, charge = next('ch') }: { paymentIntent: string; amount: number; refunded: number; charge?: string }) {
    return stripeEvent('charge.refunded', {
      id: charge,
      object: 'charge',
      amount,
      amount_refunded: refunded,
      refunded: refunded >= amount,
      currency: 'eur',
      payment_intent: paymentIntent,
      status: 'succeeded',
    })
  },
  dispute(
    type: 'charge.dispute.created' | 'charge.dispute.closed',
    { paymentIntent, amount, status, charge = next('ch') }: { paymentIntent: string; amount: number; status: string; charge?: string },
  ) {
    return stripeEvent(type, { id: next('dp'), object: 'dispute', amount, currency: 'eur', charge, payment_intent: paymentIntent, status })
  },
}

export async function donationRow(id: string) {
  return await getDb().selectFrom('donations').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
}

export async function paymentsOf(donationId: string) {
  return await getDb().selectFrom('donation_payments').selectAll().where('donation_id', '=', donationId).orderBy('id').execute()
}
