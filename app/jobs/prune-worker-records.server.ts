import { pruneWorkerRecords as prune } from '~/models/worker-heartbeat.server'
import { defineJob, NoPayloadSchema } from '~/jobs/define-job.server'

/** Nightly: forgets finished email batches older than a week and long-silent heartbeats. */
export const pruneWorkerRecords = defineJob('prune-worker-records', NoPayloadSchema, async (_payload, helpers) => {
  const pruned = await prune()
  helpers.logger.info(`pruned ${pruned.batches} email batches and ${pruned.heartbeats} heartbeats`)
})
