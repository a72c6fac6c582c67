import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { getCampaignDonationTotals, pruneUnmatchedStripeEvents } from '~/models/donation.server'
import { open } from '~/models/data-key.server'
import { getDb } from '~/utils/db.server'
import { createCampaign } from '../support/factories'
import { deliver, donationRow, events, paymentsOf, startGift, useFakeStripe } from '../support/donations'
import { startFakeStripe, stripeEvent, type FakeStripe } from '../support/fake-stripe'
import { runDueJobs, queuedEmails, openEmailRow } from '../support/jobs'

let fake: FakeStripe
beforeAll(async () => {
  fake = await startFakeStripe()
})
afterAll(async () => {
  await fake.close()
})
beforeEach(() => {
  useFakeStripe(fake)
})

const db = () => getDb()
const storedEvents = () => db().selectFrom('stripe_events').selectAll().orderBy('received_at').execute()
const receipts = () => queuedEmails('donation-receipt')
const totalsOf = (campaignId: string) => getCampaignDonationTotals(campaignId)

describe('POST /webhooks/stripe: verification', () => {
  it('refuses a bad signature with 400 and writes nothing', async () => {
    const { donation, session } = await startGift(fake)
    const response = await deliver(events.checkoutCompleted(session), { secret: 'whsec_not_the_right_one' })
    expect(response.status).toBe(400)
    expect(await storedEvents()).toEqual([])
    expect(await paymentsOf(donation.id)).toEqual([])
    expect((await donationRow(donation.id)).status).toBe('pending')
  })

  it('refuses a missing signature and a tampered body', async () => {
    const { donation, session } = await startGift(fake)
    expect((await deliver(events.checkoutCompleted(session), { header: null })).status).toBe(400)
    // A header signed for one body, sent with another.
    const signedFor = events.checkoutCompleted(session, { payment_intent: 'pi_small' })
    const { signStripePayload } = await import('../support/fake-stripe')
    const { header } = signStripePayload(JSON.stringify({ ...signedFor, data: { object: { ...signedFor.data.object, amount_total: 1 } } }))
    expect((await deliver(signedFor, { header })).status).toBe(400)
    expect(await storedEvents()).toEqual([])
    expect(await paymentsOf(donation.id)).toEqual([])
  })

  it('refuses a correctly signed but stale delivery (older than the five-minute tolerance)', async () => {
    const { donation, session } = await startGift(fake)
    const tenMinutesAgo = Math.floor(Date.now() / 1000) - 600
    const response = await deliver(events.checkoutCompleted(session), { timestamp: tenMinutesAgo })
    expect(response.status).toBe(400)
    expect(await storedEvents()).toEqual([])
    expect(await paymentsOf(donation.id)).toEqual([])
  })

  it('refuses a correctly signed delivery dated in the future (beyond the tolerance), as well as a stale one', async () => {
    const { donation, session } = await startGift(fake)
    const tenMinutesAhead = Math.floor(Date.now() / 1000) + 600
    expect((await deliver(events.checkoutCompleted(session), { timestamp: tenMinutesAhead })).status).toBe(400)
    // Within the tolerance either way (a clock a little off) is fine.
    const twoMinutesAhead = Math.floor(Date.now() / 1000) + 120
    expect(await storedEvents()).toEqual([])
    expect(await paymentsOf(donation.id)).toEqual([])
    expect((await deliver(events.checkoutCompleted(session), { timestamp: twoMinutesAhead })).status).toBe(200)
  })

  it('answers a correctly signed but malformed event with 400 and writes nothing', async () => {
    const { donation, session } = await startGift(fake)
    const good = events.checkoutCompleted(session)
    const malformed: { id: string; type: string }[] = [
      { id: 'evt_no_data', type: 'checkout.session.completed' },
      { ...good, id: 'evt_no_object', data: {} } as never,
      { ...good, id: 'evt_object_is_text', data: { object: 'session' } } as never,
      { ...good, id: 'evt_amount_text', data: { object: { ...good.data.object, amount_total: 'a lot' } } } as never,
      { ...good, id: 'evt_metadata_array', data: { object: { ...good.data.object, metadata: [1, 2] } } } as never,
      { ...good, id: 'evt_nul', data: { object: { ...good.data.object, client_reference_id: `x\u0000y` } } } as never,
      { ...good, id: 'evt_no_created', created: 'yesterday' } as never,
      { id: 12 as never, type: 'charge.refunded' },
      { ...stripeEvent('charge.refunded', { id: 'ch_1', object: 'charge', payment_intent: 'pi_1' }), id: 'evt_refund_no_amount' },
      {
        ...stripeEvent('charge.dispute.created', { id: 'dp_1', object: 'dispute', charge: { no: 'id' }, status: 'needs_response' }),
        id: 'evt_dispute_bad_charge',
      },
    ]
    for (const event of malformed) {
      const response = await deliver(event)
      expect(response.status, JSON.stringify(event).slice(0, 80)).toBe(400)
    }
    // A body that is signed but not JSON at all.
    const { signStripePayload } = await import('../support/fake-stripe')
    const { header } = signStripePayload('{"id": "evt_cut", "type": "checkout.sess')
    const { callRoute } = await import('../support/routes')
    const { action } = await import('~/routes/webhooks.stripe')
    const cut = await callRoute(action, {
      url: '/webhooks/stripe',
      method: 'POST',
      body: '{"id": "evt_cut", "type": "checkout.sess',
      headers: { 'Stripe-Signature': header },
    })
    expect(cut.status).toBe(400)
    expect(await storedEvents()).toEqual([])
    expect(await paymentsOf(donation.id)).toEqual([])
    expect((await donationRow(donation.id)).status).toBe('pending')
  })

  it('acknowledges and ignores an unknown event type', async () => {
    const event = stripeEvent('customer.created', { id: 'cus_1', object: 'customer' })
    const response = await deliver(event)
    expect(response.status).toBe(200)
    expect(response.data).toMatchObject({ received: true, outcome: 'ignored' })
    expect(await storedEvents()).toMatchObject([{ id: event.id, type: 'customer.created', processed: true, payload: null }])
  })
})

describe('one-off gifts', () => {
  it('checkout.session.completed (paid) records one payment, the totals and a receipt job', async () => {
    const { campaign, donation, session } = await startGift(fake, { amount: '5000' })
    const event = events.checkoutCompleted(session)
    const response = await deliver(event)
    expect(response.status).toBe(200)
    expect(response.data.outcome).toBe('processed')
    const stored = await donationRow(donation.id)
    expect(stored).toMatchObject({ status: 'paid', stripe_customer_id: 'cus_test', stripe_payment_intent_id: event.data.object.payment_intent })
    const payments = await paymentsOf(donation.id)
    expect(payments).toMatchObject([{ amount_minor: 5000, refunded_minor: 0, currency: 'EUR', stripe_checkout_session_id: session.id }])
    expect(await totalsOf(campaign.id)).toEqual({ currency: 'EUR', totalMinor: 5000, donorCount: 1 })
    expect((await receipts()).map((j) => j.payload)).toEqual([{ paymentId: payments[0]!.id }])

    // The receipt: amount, campaign, reference; no "stop" link for a one-off gift.
    await runDueJobs()
    const email = await openEmailRow(await db().selectFrom('email_messages').selectAll().where('template', '=', 'donation-receipt').executeTakeFirstOrThrow())
    expect(email.recipient).toBe(await open(donation.donor_email))
    expect(email.subject).toBe(`Receipt for your donation to “${campaign.title}”`)
    expect(email.text).toContain('€50.00')
    expect(email.text).toContain(`D-${donation.id}-${payments[0]!.id}`)
    expect(email.text).not.toContain('/manage')
    expect(email.text).toContain('this address was used to make a donation on localhost:3000')
  })

  it('the same event delivered twice is acknowledged twice and recorded once', async () => {
    const { campaign, donation, session } = await startGift(fake)
    const event = events.checkoutCompleted(session)
    const first = await deliver(event)
    const second = await deliver(event)
    expect([first.status, second.status]).toEqual([200, 200])
    expect(second.data.outcome).toBe('duplicate')
    expect(await paymentsOf(donation.id)).toHaveLength(1)
    expect(await receipts()).toHaveLength(1)
    expect(await totalsOf(campaign.id)).toMatchObject({ totalMinor: 2500, donorCount: 1 })
  })

  it('the same event delivered concurrently is recorded once', async () => {
    const { donation, session } = await startGift(fake)
    const event = events.checkoutCompleted(session)
    const outcomes = await Promise.all([deliver(event), deliver(event), deliver(event)])
    expect(outcomes.map((r) => r.status)).toEqual([200, 200, 200])
    expect(outcomes.map((r) => r.data.outcome).sort()).toEqual(['duplicate', 'duplicate', 'processed'])
    expect(await paymentsOf(donation.id)).toHaveLength(1)
    expect(await receipts()).toHaveLength(1)
  })

  it('an unpaid completion (async method) is processing until async_payment_succeeded, which records the payment once', async () => {
    const { campaign, donation, session } = await startGift(fake)
    await deliver(events.checkoutCompleted(session, { payment_status: 'unpaid', payment_intent: 'pi_async_1' }))
    expect((await donationRow(donation.id)).status).toBe('processing')
    expect(await paymentsOf(donation.id)).toEqual([])
    expect(await totalsOf(campaign.id)).toBeNull()

    await deliver(events.checkout('checkout.session.async_payment_succeeded', session, { payment_intent: 'pi_async_1' }))
    expect((await donationRow(donation.id)).status).toBe('paid')
    expect(await paymentsOf(donation.id)).toMatchObject([{ amount_minor: 2500, stripe_payment_intent_id: 'pi_async_1' }])
    expect(await receipts()).toHaveLength(1)
  })

  it('async_payment_failed marks the gift failed and records no money', async () => {
    const { campaign, donation, session } = await startGift(fake)
    await deliver(events.checkoutCompleted(session, { payment_status: 'unpaid' }))
    await deliver(events.checkout('checkout.session.async_payment_failed', session))
    expect((await donationRow(donation.id)).status).toBe('failed')
    expect(await paymentsOf(donation.id)).toEqual([])
    expect(await totalsOf(campaign.id)).toBeNull()
    expect(await receipts()).toEqual([])
  })

  it('checkout.session.expired marks an abandoned gift expired', async () => {
    const { donation, session } = await startGift(fake)
    await deliver(events.checkout('checkout.session.expired', session))
    expect((await donationRow(donation.id)).status).toBe('expired')
    expect((await donationRow(donation.id)).expired_at).not.toBeNull()
  })

  it('a completion and its async success in either order give the same single payment', async () => {
    const { donation, session } = await startGift(fake)
    await deliver(events.checkout('checkout.session.async_payment_succeeded', session, { payment_intent: 'pi_order' }))
    await deliver(events.checkoutCompleted(session, { payment_status: 'unpaid', payment_intent: 'pi_order' }))
    expect((await donationRow(donation.id)).status).toBe('paid')
    expect(await paymentsOf(donation.id)).toHaveLength(1)
  })

  it('charge.refunded lowers the total by the refunded amount; an older, smaller refund event changes nothing', async () => {
    const { campaign, donation, session } = await startGift(fake, { amount: '5000' })
    const completed = events.checkoutCompleted(session)
    await deliver(completed)
    const paymentIntent = completed.data.object.payment_intent!
    const charge = 'ch_refund_1'
    const partial = events.chargeRefunded({ paymentIntent, amount: 5000, refunded: 2000, charge })
    const full = events.chargeRefunded({ paymentIntent, amount: 5000, refunded: 5000, charge })

    await deliver(partial)
    expect(await totalsOf(campaign.id)).toEqual({ currency: 'EUR', totalMinor: 3000, donorCount: 1 })
    expect((await donationRow(donation.id)).status).toBe('paid')

    await deliver(full)
    expect(await totalsOf(campaign.id)).toEqual({ currency: 'EUR', totalMinor: 0, donorCount: 0 })
    expect((await donationRow(donation.id)).status).toBe('refunded')

    // Stripe may deliver the first refund event again, late: amount_refunded is cumulative.
    await deliver({ ...partial, id: `${partial.id}_late` })
    expect(await totalsOf(campaign.id)).toMatchObject({ totalMinor: 0 })
    expect(await paymentsOf(donation.id)).toMatchObject([{ refunded_minor: 5000, stripe_charge_id: charge }])
  })

  it('a refund that arrives before its payment waits, then applies when the payment is recorded', async () => {
    const { campaign, donation, session } = await startGift(fake, { amount: '5000' })
    const completed = events.checkoutCompleted(session)
    const refund = events.chargeRefunded({ paymentIntent: completed.data.object.payment_intent!, amount: 5000, refunded: 1000 })
    const early = await deliver(refund)
    expect(early.status).toBe(200)
    expect(early.data.outcome).toBe('waiting')
    await deliver(completed)
    expect(await totalsOf(campaign.id)).toMatchObject({ totalMinor: 4000 })
    expect(await paymentsOf(donation.id)).toMatchObject([{ refunded_minor: 1000 }])
    const [waited] = (await storedEvents()).filter((e) => e.id === refund.id)
    expect(waited).toMatchObject({ processed: true, payload: null })
  })

  it('a refund for a charge that is not ours loses its payload after 30 days; a redelivery still changes nothing', async () => {
    const refund = events.chargeRefunded({ paymentIntent: 'pi_not_a_chorus_gift', amount: 5000, refunded: 5000 })
    expect((await deliver(refund)).data.outcome).toBe('waiting')
    const recent = events.chargeRefunded({ paymentIntent: 'pi_another_stranger', amount: 700, refunded: 700 })
    expect((await deliver(recent)).data.outcome).toBe('waiting')
    await db()
      .updateTable('stripe_events')
      .set({ received_at: new Date(Date.now() - 31 * 86_400_000) })
      .where('id', '=', refund.id)
      .execute()

    expect(await pruneUnmatchedStripeEvents()).toBe(1)
    const stored = await storedEvents()
    expect(stored.find((e) => e.id === refund.id)).toMatchObject({ processed: true, payload: null, object_ref: null })
    expect(stored.find((e) => e.id === recent.id)).toMatchObject({ processed: false, object_ref: 'pi_another_stranger' })
    expect(stored.find((e) => e.id === recent.id)!.payload).not.toBeNull()
    expect((await deliver(refund)).data.outcome).toBe('duplicate')
    expect(await pruneUnmatchedStripeEvents()).toBe(0)
  })

  it('charge.dispute.created marks the gift disputed and holds the money out of the total; a won dispute restores it', async () => {
    const { campaign, donation, session } = await startGift(fake, { amount: '5000' })
    const completed = events.checkoutCompleted(session)
    await deliver(completed)
    const paymentIntent = completed.data.object.payment_intent!
    await deliver(events.dispute('charge.dispute.created', { paymentIntent, amount: 5000, status: 'needs_response' }))
    expect((await donationRow(donation.id)).status).toBe('disputed')
    expect(await totalsOf(campaign.id)).toMatchObject({ totalMinor: 0, donorCount: 0 })
    await deliver(events.dispute('charge.dispute.closed', { paymentIntent, amount: 5000, status: 'won' }))
    expect((await donationRow(donation.id)).status).toBe('paid')
    expect(await totalsOf(campaign.id)).toMatchObject({ totalMinor: 5000, donorCount: 1 })
  })

  it('payments for one campaign arriving at once are all counted in its total', async () => {
    const campaign = await createCampaign(db(), { show_donation_totals: true })
    const gifts = []
    for (const amount of ['1000', '2500', '5000', '10000']) gifts.push(await startGift(fake, { campaign, amount }))
    const responses = await Promise.all(gifts.map((gift) => deliver(events.checkoutCompleted(gift.session))))
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 200])
    expect(await totalsOf(campaign.id)).toEqual({ currency: 'EUR', totalMinor: 18500, donorCount: 4 })
  })

  it('totals add up across donors, count each donor once, and are null before any payment', async () => {
    const campaign = await createCampaign(db(), { show_donation_totals: true })
    expect(await totalsOf(campaign.id)).toBeNull()
    const a = await startGift(fake, { campaign, amount: '1000', email: 'same@example.org' })
    const b = await startGift(fake, { campaign, amount: '2500', email: 'same@example.org' })
    const c = await startGift(fake, { campaign, amount: '5000' })
    for (const gift of [a, b, c]) await deliver(events.checkoutCompleted(gift.session))
    expect(await totalsOf(campaign.id)).toEqual({ currency: 'EUR', totalMinor: 8500, donorCount: 2 })
  })
})

describe('monthly gifts', () => {
  async function monthly(amount = '2500') {
    const gift = await startGift(fake, { frequency: 'monthly', amount })
    const subscription = `sub_${gift.donation.id}_${Date.now()}`
    const metadata = { donation_id: gift.donation.id, campaign_id: gift.campaign.id }
    return { ...gift, subscription, metadata }
  }

  it('completion links the subscription; each invoice.paid records one payment and a receipt with the stop link', async () => {
    const { campaign, donation, session, subscription, metadata } = await monthly()
    await deliver(events.checkoutCompleted(session, { subscription }))
    expect(await donationRow(donation.id)).toMatchObject({ status: 'processing', stripe_subscription_id: subscription })
    expect(await paymentsOf(donation.id)).toEqual([])

    const now = Math.floor(Date.now() / 1000)
    await deliver(events.invoice('invoice.paid', { subscription, metadata, amount: 2500, paidAt: now - 60 }, { created: now - 60 }))
    expect((await donationRow(donation.id)).status).toBe('active')
    await deliver(events.invoice('invoice.paid', { subscription, metadata, amount: 2500 }))
    expect(await paymentsOf(donation.id)).toHaveLength(2)
    expect(await totalsOf(campaign.id)).toEqual({ currency: 'EUR', totalMinor: 5000, donorCount: 1 })
    expect(await receipts()).toHaveLength(2)

    await runDueJobs()
    const emails = await Promise.all(
      (await db().selectFrom('email_messages').selectAll().where('template', '=', 'donation-receipt').execute()).map(openEmailRow),
    )
    expect(emails).toHaveLength(2)
    expect(emails[0]!.subject).toBe(`Receipt for your monthly donation to “${campaign.title}”`)
    expect(emails[0]!.text).toMatch(new RegExp(`/donations/${donation.id}/manage\\?sig=[\\w-]+&lang=en`))
    expect(emails[0]!.text).toContain('Stop my monthly gift')
  })

  it('invoice.paid before checkout.session.completed gives the same result as the usual order', async () => {
    const usual = await monthly()
    const reversed = await monthly()
    for (const [gift, order] of [
      [usual, 'completed-first'],
      [reversed, 'invoice-first'],
    ] as const) {
      const completed = events.checkoutCompleted(gift.session, { subscription: gift.subscription })
      const paid = events.invoice('invoice.paid', { subscription: gift.subscription, metadata: gift.metadata, amount: 2500 })
      for (const event of order === 'completed-first' ? [completed, paid] : [paid, completed]) {
        expect((await deliver(event)).status).toBe(200)
      }
    }
    for (const gift of [usual, reversed]) {
      expect(await donationRow(gift.donation.id)).toMatchObject({ status: 'active', stripe_subscription_id: gift.subscription })
      expect(await paymentsOf(gift.donation.id)).toMatchObject([{ amount_minor: 2500, refunded_minor: 0 }])
      expect(await totalsOf(gift.campaign.id)).toEqual({ currency: 'EUR', totalMinor: 2500, donorCount: 1 })
    }
    expect(await receipts()).toHaveLength(2)
  })

  it('finds the donation through the subscription id when an invoice carries no metadata', async () => {
    const { donation, session, subscription } = await monthly()
    await deliver(events.checkoutCompleted(session, { subscription }))
    await deliver(events.invoice('invoice.paid', { subscription, metadata: {}, amount: 2500 }))
    expect(await paymentsOf(donation.id)).toHaveLength(1)
  })

  it('invoice.payment_failed makes an active gift past due; a later paid invoice makes it active again', async () => {
    const { donation, session, subscription, metadata } = await monthly()
    const now = Math.floor(Date.now() / 1000)
    await deliver(events.checkoutCompleted(session, { subscription }))
    await deliver(events.invoice('invoice.paid', { subscription, metadata, amount: 2500, paidAt: now - 3000 }, { created: now - 3000 }))
    await deliver(events.invoice('invoice.payment_failed', { subscription, metadata, amount: 2500 }, { created: now - 2000 }))
    expect((await donationRow(donation.id)).status).toBe('past_due')
    expect(await paymentsOf(donation.id)).toHaveLength(1)
    await deliver(events.invoice('invoice.paid', { subscription, metadata, amount: 2500, paidAt: now - 1000 }, { created: now - 1000 }))
    expect((await donationRow(donation.id)).status).toBe('active')
  })

  it('customer.subscription.deleted cancels the gift and keeps the money already given', async () => {
    const { campaign, donation, session, subscription, metadata } = await monthly()
    await deliver(events.checkoutCompleted(session, { subscription }))
    await deliver(events.invoice('invoice.paid', { subscription, metadata, amount: 2500 }))
    await deliver(events.subscriptionDeleted(subscription, metadata))
    const stored = await donationRow(donation.id)
    expect(stored.status).toBe('cancelled')
    expect(stored.cancelled_at).not.toBeNull()
    expect(await totalsOf(campaign.id)).toMatchObject({ totalMinor: 2500 })
  })

  it('a refund of a monthly payment is matched through the invoice that the payment intent paid', async () => {
    const { campaign, donation, session, subscription, metadata } = await monthly()
    await deliver(events.checkoutCompleted(session, { subscription }))
    const paid = events.invoice('invoice.paid', { subscription, metadata, amount: 2500 })
    await deliver(paid)
    // The invoice event does not name its payment intent; Stripe's invoice payments do.
    fake.linkInvoicePayment('pi_monthly_1', paid.data.object.id)
    const refund = await deliver(events.chargeRefunded({ paymentIntent: 'pi_monthly_1', amount: 2500, refunded: 2500 }))
    expect(refund.data.outcome).toBe('processed')
    expect(await totalsOf(campaign.id)).toMatchObject({ totalMinor: 0 })
    expect(await paymentsOf(donation.id)).toMatchObject([{ refunded_minor: 2500, stripe_payment_intent_id: 'pi_monthly_1' }])
  })
})

describe('the web server with Stripe configured', () => {
  it('lets form posts redirect to Stripe Checkout and the billing portal (form-action), and nowhere else', async () => {
    const http = await import('node:http')
    const { createApp } = await import('../../server/app')
    const { getEnv } = await import('~/utils/env.server')
    const app = createApp({ env: getEnv(), mode: 'production', build: async () => ({}) as never })
    const server = http.createServer(app)
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    try {
      const { port } = server.address() as { port: number }
      const response = await fetch(`http://127.0.0.1:${port}/healthz`)
      const formAction = response.headers
        .get('content-security-policy')!
        .split('; ')
        .find((d) => d.startsWith('form-action'))
      expect(formAction).toBe(`form-action 'self' https://checkout.stripe.com https://billing.stripe.com ${fake.url}`)
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
  })
})
