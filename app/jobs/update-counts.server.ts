import { foldConfirmedSignatures } from '~/models/signature-count.server'
import { defineJob, NoPayloadSchema } from '~/jobs/define-job.server'

const name = 'update-counts'
/** One chain: the job key is the job's name. */
export const UPDATE_COUNTS_JOB_KEY = name

/**
 * Folds confirmed signatures into the cached counts, then schedules itself again: about every
 * second while there is work, every two seconds when idle. One chain, one job key.
 */
export const updateCounts = defineJob(name, NoPayloadSchema, async (_payload, helpers) => {
  let folded = 0
  let result = await foldConfirmedSignatures()
  folded += result.folded
  // Drain a surge in this run, a batch at a time, but hand the worker back within a few seconds.
  const started = Date.now()
  while (result.folded > 0 && Date.now() - started < 3000) {
    result = await foldConfirmedSignatures()
    folded += result.folded
  }
  if (folded > 0) helpers.logger.info(`update-counts: folded ${folded} confirmed signatures`)
  await helpers.addJob(
    name,
    {},
    {
      jobKey: UPDATE_COUNTS_JOB_KEY,
      runAt: new Date(Date.now() + (folded > 0 ? 1000 : 2000)),
    },
  )
})
