import { pruneUnmatchedStripeEvents } from '~/models/donation.server'
import { defineJob, NoPayloadSchema } from '~/jobs/define-job.server'

/** Nightly: forgets the payloads of Stripe events that never matched a gift (decision 0007). */
export const pruneStripeEvents = defineJob('prune-stripe-events', NoPayloadSchema, async (_payload, helpers) => {
  const pruned = await pruneUnmatchedStripeEvents()
  helpers.logger.info(`cleared ${pruned} unmatched Stripe events`)
})
