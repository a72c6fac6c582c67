import { describe, expect, it } from 'vitest'
import { pruneUnmatchedStripeEvents } from '~/models/donation.server'
import { open } from '~/models/data-key.server'
import { getDb } from '~/utils/db.server'
import { createCampaign } from '../support/factories'
import { deliver, donationRow, events, paymentsOf, startGift } from '../support/donations'
import { runDueJobs, openEmailRow } from '../support/jobs'
import { receipts, storedEvents, totalsOf, withFakeStripe } from '../support/stripe-webhooks'

const fakeStripe = withFakeStripe()
const db = () => getDb()

describe('one-off gifts', () => {
  it('checkout.session.completed (paid) records one payment, the totals and a receipt job', async () => {
    const { campaign, donation, session } = await startGift(fakeStripe(), { amount: '5000' })
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
    const { campaign, donation, session } = await startGift(fakeStripe())
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
    const { donation, session } = await startGift(fakeStripe())
    const event = events.checkoutCompleted(session)
    const outcomes = await Promise.all([deliver(event), deliver(event), deliver(event)])
    expect(outcomes.map((r) => r.status)).toEqual([200, 200, 200])
    expect(outcomes.map((r) => r.data.outcome).sort()).toEqual(['duplicate', 'duplicate', 'processed'])
    expect(await paymentsOf(donation.id)).toHaveLength(1)
    expect(await receipts()).toHaveLength(1)
  })

  it('an unpaid completion (async method) is processing until async_payment_succeeded, which records the payment once', async () => {
    const { campaign, donation, session } = await startGift(fakeStripe())
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
    const { campaign, donation, session } = await startGift(fakeStripe())
    await deliver(events.checkoutCompleted(session, { payment_status: 'unpaid' }))
    await deliver(events.checkout('checkout.session.async_payment_failed', session))
    expect((await donationRow(donation.id)).status).toBe('failed')
    expect(await paymentsOf(donation.id)).toEqual([])
    expect(await totalsOf(campaign.id)).toBeNull()
    expect(await receipts()).toEqual([])
  })

  it('checkout.session.expired marks an abandoned gift expired', async () => {
    const { donation, session } = await startGift(fakeStripe())
    await deliver(events.checkout('checkout.session.expired', session))
    expect((await donationRow(donation.id)).status).toBe('expired')
    expect((await donationRow(donation.id)).expired_at).not.toBeNull()
  })

  it('a completion and its async success in either order give the same single payment', async () => {
    const { donation, session } = await startGift(fakeStripe())
    await deliver(events.checkout('checkout.session.async_payment_succeeded', session, { payment_intent: 'pi_order' }))
    await deliver(events.checkoutCompleted(session, { payment_status: 'unpaid', payment_intent: 'pi_order' }))
    expect((await donationRow(donation.id)).status).toBe('paid')
    expect(await paymentsOf(donation.id)).toHaveLength(1)
  })

  it('charge.refunded lowers the total by the refunded amount; an older, smaller refund event changes nothing', async () => {
    const { campaign, donation, session } = await startGift(fakeStripe(), { amount: '5000' })
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
    const { campaign, donation, session } = await startGift(fakeStripe(), { amount: '5000' })
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
    const { campaign, donation, session } = await startGift(fakeStripe(), { amount: '5000' })
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
    for (const amount of ['1000', '2500', '5000', '10000']) gifts.push(await startGift(fakeStripe(), { campaign, amount }))
    const responses = await Promise.all(gifts.map((gift) => deliver(events.checkoutCompleted(gift.session))))
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 200])
    expect(await totalsOf(campaign.id)).toEqual({ currency: 'EUR', totalMinor: 18500, donorCount: 4 })
  })

  it('totals add up across donors, count each donor once, and are null before any payment', async () => {
    const campaign = await createCampaign(db(), { show_donation_totals: true })
    expect(await totalsOf(campaign.id)).toBeNull()
    const a = await startGift(fakeStripe(), { campaign, amount: '1000', email: 'same@example.org' })
    const b = await startGift(fakeStripe(), { campaign, amount: '2500', email: 'same@example.org' })
    const c = await startGift(fakeStripe(), { campaign, amount: '5000' })
    for (const gift of [a, b, c]) await deliver(events.checkoutCompleted(gift.session))
    expect(await totalsOf(campaign.id)).toEqual({ currency: 'EUR', totalMinor: 8500, donorCount: 2 })
  })
})
