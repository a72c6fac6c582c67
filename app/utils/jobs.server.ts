import { sql } from 'kysely'
import type { Executor } from '~/utils/db.server'

export interface EnqueueOptions {
  jobKey?: string
  jobKeyMode?: 'replace' | 'preserve_run_at' | 'unsafe_dedupe'
  runAt?: Date
  maxAttempts?: number
  priority?: number
  queueName?: string
}

/**
 * Adds a graphile-worker job through the given executor, so that inside a transaction the job
 * is kept or lost together with the rows it belongs to.
 */
export async function enqueueJob(
  executor: Executor,
  task: string,
  payload: Record<string, unknown>,
  options: EnqueueOptions = {},
) {
  await sql`select graphile_worker.add_job(
    identifier => ${task}::text,
    payload => ${JSON.stringify(payload)}::json,
    queue_name => ${options.queueName ?? null}::text,
    run_at => ${options.runAt?.toISOString() ?? null}::timestamptz,
    max_attempts => ${options.maxAttempts ?? null}::int,
    job_key => ${options.jobKey ?? null}::text,
    priority => ${options.priority ?? null}::int,
    job_key_mode => ${options.jobKeyMode ?? null}::text
  )`.execute(executor)
}
