import { sql } from 'kysely'
import type { JobName, JobPayload } from '~/jobs/index.server'
import type { Executor } from '~/utils/db.server'

export type { JobName, JobPayload }

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
 * is kept or lost together with the rows it belongs to. Only a registered job's name compiles,
 * and only with a payload of that job's schema.
 */
export async function enqueueJob<Name extends JobName>(executor: Executor, task: Name, payload: JobPayload<Name>, options: EnqueueOptions = {}) {
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
