import type { Task } from 'graphile-worker'
import { pruneWorkerRecords as prune } from '~/models/worker-heartbeat.server'

/** Nightly: forgets finished email batches older than a week and long-silent heartbeats. */
export const pruneWorkerRecords: Task = async (_payload, helpers) => {
  const pruned = await prune()
  helpers.logger.info(`pruned ${pruned.batches} email batches and ${pruned.heartbeats} heartbeats`)
}
