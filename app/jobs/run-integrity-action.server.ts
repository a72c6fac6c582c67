import { z } from 'zod'
import { runIntegrityAction } from '~/models/integrity-review.server'
import { defineJob } from '~/jobs/define-job.server'

export const RunIntegrityActionPayloadSchema = z.object({ actionId: z.string().regex(/^[0-9]+$/) })

/** A bulk release or invalidation too big for one request: batch by batch, reporting progress. */
export const runIntegrityActionJob = defineJob('run-integrity-action', RunIntegrityActionPayloadSchema, async ({ actionId }, helpers) => {
  const processed = await runIntegrityAction(actionId, (n) => helpers.logger.info(`integrity action ${actionId}: ${n} signatures so far`))
  helpers.logger.info(`integrity action ${actionId} finished: ${processed} signatures`)
})
