import { afterAll, beforeAll, beforeEach } from 'vitest'
import { getCampaignDonationTotals } from '~/models/donation.server'
import { getDb } from '~/utils/db.server'
import { useFakeStripe } from './donations'
import { startFakeStripe, type FakeStripe } from './fake-stripe'
import { queuedEmails } from './jobs'

/** Starts the fake Stripe for a test file and points the app at it before each test; call at the top of the file. */
export function withFakeStripe(): () => FakeStripe {
  let fake: FakeStripe | undefined
  beforeAll(async () => {
    fake = await startFakeStripe()
  })
  afterAll(async () => {
    await fake?.close()
  })
  beforeEach(() => {
    useFakeStripe(fake!)
  })
  return () => fake!
}

export const storedEvents = () => getDb().selectFrom('stripe_events').selectAll().orderBy('received_at').execute()
export const receipts = () => queuedEmails('donation-receipt')
export const totalsOf = (campaignId: string) => getCampaignDonationTotals(campaignId)
