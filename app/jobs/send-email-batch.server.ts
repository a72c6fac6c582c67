import { SENDER_JOB_KEY } from '~/models/email-outbox.server'
import { sendNextBatch } from '~/models/email-sender.server'
import { isDraining, processWorkerId } from '~/utils/process.server'
import { defineJob, NoPayloadSchema } from '~/jobs/define-job.server'

/** How long one run sends before handing the worker back (it then schedules itself again). */
const RUN_MS = 10_000
/** How often an idle sender looks for new email: a lone email goes out within this. */
const IDLE_POLL_MS = 200

const name = 'send-email-batch'

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

/**
 * The outbox's sender (decision 0025): sends what is due in batches of up to 100, within the
 * shared rate, for about ten seconds, then schedules itself again (one chain, one job key).
 * Stops early when the process is draining for a shutdown.
 */
export const sendEmailBatch = defineJob(name, NoPayloadSchema, async (_payload, helpers) => {
  const until = Date.now() + RUN_MS
  while (Date.now() < until && !isDraining()) {
    const outcome = await sendNextBatch(processWorkerId(), { shouldStop: isDraining })
    if (outcome.status === 'idle') await sleep(IDLE_POLL_MS)
    else if (outcome.status === 'paused' || outcome.status === 'retry') await sleep(Math.min(outcome.waitMs, Math.max(until - Date.now(), 0), 1000))
  }
  await helpers.addJob(name, {}, { jobKey: SENDER_JOB_KEY, runAt: new Date() })
})
