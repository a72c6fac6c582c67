import type { Task } from 'graphile-worker'
import { z } from 'zod'
import { runIntegrityAction } from '~/models/integrity-review.server'

const Payload = z.object({ actionId: z.string().regex(/^[0-9]+$/) })

/** A bulk release or invalidation too big for one request: batch by batch, reporting progress. */
export const runIntegrityActionJob: Task = async (payload, helpers) => {
  const { actionId } = Payload.parse(payload)
  const processed = await runIntegrityAction(actionId, (n) => helpers.logger.info(`integrity action ${actionId}: ${n} signatures so far`))
  helpers.logger.info(`integrity action ${actionId} finished: ${processed} signatures`)
}
