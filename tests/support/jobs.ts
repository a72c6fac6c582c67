import { sql } from 'kysely'
import { Logger, runOnce } from 'graphile-worker'
import { taskList } from '~/jobs/index.server'
import { getDb, getPool } from '~/utils/db.server'

const silent = new Logger(() => () => {})

/** Runs every job that is due now, once, through graphile-worker itself. */
export async function runDueJobs() {
  await runOnce({ pgPool: getPool(), taskList, logger: silent })
  // A failed job's error is written as the pool shuts down: wait until no job is still locked.
  for (let i = 0; i < 100; i++) {
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from graphile_worker._private_jobs where locked_at is not null`.execute(getDb())
    if (rows[0]!.n === 0) return
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  throw new Error('jobs are still locked after runOnce')
}

/** Makes jobs waiting for a retry (or a future run) due now. */
export async function makeJobsDue(task?: string) {
  await sql`update graphile_worker._private_jobs j set run_at = now()
    from graphile_worker._private_tasks t where t.id = j.task_id ${task ? sql`and t.identifier = ${task}` : sql``}`.execute(getDb())
}

export async function queuedJobs(task?: string) {
  const { rows } = await sql<{ identifier: string; payload: any; attempts: number; last_error: string | null; run_at: Date }>`
    select t.identifier, j.payload, j.attempts, j.last_error, j.run_at
    from graphile_worker._private_jobs j join graphile_worker._private_tasks t on t.id = j.task_id
    ${task ? sql`where t.identifier = ${task}` : sql``}
    order by j.id`.execute(getDb())
  return rows
}
