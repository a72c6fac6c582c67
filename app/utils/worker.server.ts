import { Logger, run, type Runner } from 'graphile-worker'
import { cronItems, taskList } from '~/jobs/index.server'
import { getPool } from '~/utils/db.server'
import { getEnv } from '~/utils/env.server'
import { logger } from '~/utils/logger.server'
import { UPDATE_COUNTS_JOB_KEY } from '~/jobs/update-counts.server'

const workerLogger = new Logger((scope) => {
  const child = logger.child({ component: 'worker', ...scope })
  return (level, message, meta) => {
    // graphile-worker reports every job at info; ours log what matters, so its info becomes debug.
    const method = level === 'error' ? 'error' : level === 'warning' ? 'warn' : 'debug'
    child[method](meta ?? {}, message)
  }
})

/** Starts the graphile-worker runner with every task and the cron schedule. */
export async function startWorker(): Promise<Runner> {
  const env = getEnv()
  const runner = await run({
    pgPool: getPool(),
    taskList,
    parsedCronItems: cronItems,
    concurrency: env.WORKER_CONCURRENCY,
    pollInterval: 1000,
    noHandleSignals: true,
    logger: workerLogger,
  })
  // Start the counter's chain now rather than at the next minute's watchdog.
  await runner.addJob('update-counts', {}, { jobKey: UPDATE_COUNTS_JOB_KEY, jobKeyMode: 'preserve_run_at' })
  logger.info({ concurrency: env.WORKER_CONCURRENCY }, 'job runner started')
  return runner
}
