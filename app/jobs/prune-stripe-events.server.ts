import type { Task } from 'graphile-worker'
import { pruneUnmatchedStripeEvents } from '~/models/donation.server'

/** Nightly: forgets the payloads of Stripe events that never matched a gift (decision 0007). */
export const pruneStripeEvents: Task = async (_payload, helpers) => {
  const pruned = await pruneUnmatchedStripeEvents()
  helpers.logger.info(`cleared ${pruned} unmatched Stripe events`)
}
