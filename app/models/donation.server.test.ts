import { describe, expect, it } from 'vitest'
import { getDb } from '~/utils/db.server'
import { createCampaign, createSignature } from '../../tests/support/factories'
import { deriveDonationStatus, type DonationFacts, type PaymentFacts } from './donation-status.server'
import { getCampaignDonationSettings, getCampaignDonationTotals, getPublicDonationTotals } from './donation.server'
import { getDonorPrefill } from './donor-prefill.server'
import { seedDemoContentIfEmpty } from './seed.server'

const none: DonationFacts = {
  frequency: 'one_off',
  checkout_completed_at: null,
  async_failed_at: null,
  expired_at: null,
  cancelled_at: null,
  last_invoice_failed_at: null,
}
const paid = (at: number, extra: Partial<PaymentFacts> = {}): PaymentFacts => ({
  amount_minor: 2500,
  refunded_minor: 0,
  dispute_status: null,
  paid_at: new Date(at),
  ...extra,
})

describe('deriveDonationStatus', () => {
  it('follows a gift through its life from facts alone', () => {
    expect(deriveDonationStatus(none, [])).toBe('pending')
    expect(deriveDonationStatus({ ...none, checkout_completed_at: new Date() }, [])).toBe('processing')
    expect(deriveDonationStatus({ ...none, expired_at: new Date() }, [])).toBe('expired')
    expect(deriveDonationStatus({ ...none, async_failed_at: new Date() }, [])).toBe('failed')
    expect(deriveDonationStatus({ ...none, checkout_completed_at: new Date() }, [paid(1)])).toBe('paid')
    expect(deriveDonationStatus(none, [paid(1, { refunded_minor: 1000 })])).toBe('paid')
    expect(deriveDonationStatus(none, [paid(1, { refunded_minor: 2500 })])).toBe('refunded')
    expect(deriveDonationStatus(none, [paid(1, { dispute_status: 'needs_response' })])).toBe('disputed')
    expect(deriveDonationStatus(none, [paid(1, { dispute_status: 'won' })])).toBe('paid')
  })

  it('monthly: active, past due after a later failure, active again after a later payment, cancelled for good', () => {
    const monthly: DonationFacts = { ...none, frequency: 'monthly', checkout_completed_at: new Date(0) }
    expect(deriveDonationStatus(monthly, [])).toBe('processing')
    expect(deriveDonationStatus(monthly, [paid(1000)])).toBe('active')
    expect(deriveDonationStatus({ ...monthly, last_invoice_failed_at: new Date(2000) }, [paid(1000)])).toBe('past_due')
    expect(deriveDonationStatus({ ...monthly, last_invoice_failed_at: new Date(2000) }, [paid(1000), paid(3000)])).toBe('active')
    expect(deriveDonationStatus({ ...monthly, last_invoice_failed_at: new Date(2000) }, [])).toBe('failed')
    expect(deriveDonationStatus({ ...monthly, cancelled_at: new Date(4000) }, [paid(1000), paid(3000)])).toBe('cancelled')
  })
})

describe('donation settings and totals', () => {
  it('the demo content sets presets and currency, and shows the flagship’s totals', async () => {
    await seedDemoContentIfEmpty()
    const campaigns = await getDb().selectFrom('campaigns').select(['id', 'slug', 'show_donation_totals']).orderBy('id').execute()
    const flagship = campaigns.find((c) => c.slug === 'chechnya-investigate-now')!
    expect(flagship.show_donation_totals).toBe(true)
    expect(await getCampaignDonationSettings(flagship.id)).toMatchObject({ currency: 'EUR', presets: [1000, 2500, 5000, 10000], showTotals: true })
    const other = campaigns.find((c) => c.slug !== flagship.slug)!
    expect(await getCampaignDonationSettings(other.id)).toMatchObject({ currency: 'EUR', presets: [500, 1000, 2500, 5000], showTotals: false })
    // The demo gifts (db/seed/demo-content.ts) show on the flagship.
    expect(await getPublicDonationTotals(flagship.id)).toEqual({ currency: 'EUR', totalMinor: 29_500, donorCount: 8 })
    expect(await getPublicDonationTotals(other.id)).toBeNull()
  })

  it('prefers the campaign’s own currency when gifts came in several', async () => {
    const campaign = await createCampaign(getDb(), { donation_currency: 'GBP' })
    await getDb()
      .insertInto('campaign_donation_totals')
      .values([
        { campaign_id: campaign.id, currency: 'EUR', total_minor: 900000, donor_count: 9 },
        { campaign_id: campaign.id, currency: 'GBP', total_minor: 1000, donor_count: 1 },
      ])
      .execute()
    expect(await getCampaignDonationTotals(campaign.id)).toEqual({ currency: 'GBP', totalMinor: 1000, donorCount: 1 })
  })
})

describe('the donor prefill', () => {
  it('gives the name and email of a confirmed signer of this campaign only', async () => {
    const campaign = await createCampaign(getDb())
    const other = await createCampaign(getDb())
    const signature = await createSignature(getDb(), { campaign_id: campaign.id, state: 'confirmed', full_name: 'Pat Prefill' })
    const pending = await createSignature(getDb(), { campaign_id: campaign.id, state: 'pending', full_name: 'Pending Pat' })
    expect(await getDonorPrefill(signature.id, campaign.id)).toEqual({ name: 'Pat Prefill', email: signature.email })
    expect(await getDonorPrefill(signature.id, other.id)).toBeNull()
    expect(await getDonorPrefill(pending.id, campaign.id)).toBeNull()
    expect(await getDonorPrefill(null, campaign.id)).toBeNull()
  })
})
