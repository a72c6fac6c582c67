import { EventEmitter } from 'node:events'
import { Logger, run, type Runner, type WorkerEvents } from 'graphile-worker'
import { cronItems, taskList } from '../app/jobs/index.server'
import { getPool } from '../app/utils/db.server'
import { getEnv } from '../app/utils/env.server'
import { logger } from '../app/utils/logger.server'
import { sendEmailBatch } from '../app/jobs/send-email-batch.server'
import { UPDATE_COUNTS_JOB_KEY, updateCounts } from '../app/jobs/update-counts.server'
import { SENDER_JOB_KEY } from '../app/models/email-outbox.server'

const workerLogger = new Logger((scope) => {
  const child = logger.child({ component: 'worker', ...scope })
  return (level, message, meta) => {
    // graphile-worker reports every job at info; ours log what matters, so its info becomes debug.
    const method = level === 'error' ? 'error' : level === 'warning' ? 'warn' : 'debug'
    child[method](meta ?? {}, message)
  }
})

/** graphile-worker's ids of this process's workers (for the heartbeat: decision 0026). */
const jobWorkerIds: string[] = []
export function currentJobWorkerIds(): string[] {
  return [...jobWorkerIds]
}

/** Starts the graphile-worker runner with every task and the cron schedule. */
export async function startWorker(): Promise<Runner> {
  const env = getEnv()
  const events: WorkerEvents = new EventEmitter()
  events.on('worker:create', ({ worker }) => jobWorkerIds.push(worker.workerId))
  const runner = await run({
    events,
    pgPool: getPool(),
    taskList,
    parsedCronItems: cronItems,
    concurrency: env.WORKER_CONCURRENCY,
    pollInterval: 1000,
    noHandleSignals: true,
    logger: workerLogger,
  })
  // Start the counter's chain now rather than at the next minute's watchdog.
  await runner.addJob(updateCounts.name, {}, { jobKey: UPDATE_COUNTS_JOB_KEY, jobKeyMode: 'preserve_run_at' })
  await runner.addJob(sendEmailBatch.name, {}, { jobKey: SENDER_JOB_KEY, jobKeyMode: 'preserve_run_at' })
  logger.info({ concurrency: env.WORKER_CONCURRENCY }, 'job runner started')
  return runner
}
