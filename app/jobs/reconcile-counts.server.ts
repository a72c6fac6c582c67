import { pruneSpentChallenges } from '~/models/integrity.server'
import { pruneRateLimits } from '~/models/rate-limit.server'
import { reconcileSignatureCounts } from '~/models/signature-count.server'
import { logger } from '~/utils/logger.server'
import { defineJob, NoPayloadSchema } from '~/jobs/define-job.server'

/** Nightly: compare the cached counts with count(*) and repair any drift, loudly. */
export const reconcileCounts = defineJob('reconcile-counts', NoPayloadSchema, async () => {
  const drift = await reconcileSignatureCounts()
  for (const d of drift) logger.warn({ drift: d }, 'signature count drift repaired')
  const pruned = await pruneRateLimits()
  const prunedChallenges = await pruneSpentChallenges()
  logger.info({ drifted: drift.length, prunedRateLimits: pruned, prunedChallenges }, 'nightly reconciliation finished')
})
