import { describe, expect, it } from 'vitest'
import { getDb } from '~/utils/db.server'
import { deliver, donationRow, events, paymentsOf, startGift } from '../support/donations'
import { runDueJobs, openEmailRow } from '../support/jobs'
import { receipts, totalsOf, withFakeStripe } from '../support/stripe-webhooks'

const fakeStripe = withFakeStripe()
const db = () => getDb()

describe('monthly gifts', () => {
  async function monthly(amount = '2500') {
    const gift = await startGift(fakeStripe(), { frequency: 'monthly', amount })
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
    fakeStripe().linkInvoicePayment('pi_monthly_1', paid.data.object.id)
    const refund = await deliver(events.chargeRefunded({ paymentIntent: 'pi_monthly_1', amount: 2500, refunded: 2500 }))
    expect(refund.data.outcome).toBe('processed')
    expect(await totalsOf(campaign.id)).toMatchObject({ totalMinor: 0 })
    expect(await paymentsOf(donation.id)).toMatchObject([{ refunded_minor: 2500, stripe_payment_intent_id: 'pi_monthly_1' }])
  })
})
