import os from 'node:os'
import { sql } from 'kysely'
import { getDb } from '~/utils/db.server'
import { logger } from '~/utils/logger.server'

// Crash recovery (decision 0026). Every process beats in worker_heartbeats; any of
// them that finds a worker silent for longer than the timeout releases what it held: its
// graphile-worker jobs (force_unlock_workers) and our own leases (the outbox batch it was
// sending). A count fold and an update's audience are single transactions, so PostgreSQL itself
// undoes them when the dead process's connection goes. server/recovery.ts runs both on a timer.

export interface Beat {
  workerId: string
  jobWorkerIds: string[]
  draining: boolean
}

export async function recordHeartbeat({ workerId, jobWorkerIds, draining }: Beat) {
  await getDb()
    .insertInto('worker_heartbeats')
    .values({ worker_id: workerId, host: os.hostname(), pid: process.pid, job_worker_ids: jobWorkerIds, draining })
    .onConflict((oc) => oc.column('worker_id').doUpdateSet({ job_worker_ids: jobWorkerIds, draining, beat_at: sql`now()` }))
    .execute()
}

export interface ReleasedWorkers {
  workers: { workerId: string; host: string; pid: number }[]
  jobs: number
  batches: number
}

/**
 * Releases what dead workers held: those whose heartbeat is older than `timeoutSeconds`, and
 * leases older than that held by a process that never beat (a one-off script). Safe to run
 * in every process at once: each dead worker is claimed by exactly one of them.
 */
export async function releaseDeadWorkers(timeoutSeconds: number): Promise<ReleasedWorkers> {
  return await getDb()
    .transaction()
    .execute(async (tx) => {
      const dead = await tx
        .deleteFrom('worker_heartbeats')
        .where('beat_at', '<', sql<Date>`now() - make_interval(secs => ${timeoutSeconds})`)
        .returning(['worker_id', 'host', 'pid', 'job_worker_ids'])
        .execute()
      // Also jobs locked longer than the timeout by a graphile-worker id no living process claims:
      // a process that died between taking its first job and its first beat, or one that never beat.
      const orphans = await sql<{ locked_by: string }>`
        select distinct j.locked_by from graphile_worker._private_jobs j
        where j.locked_by is not null and j.locked_at < now() - make_interval(secs => ${timeoutSeconds})
          and not exists (select 1 from worker_heartbeats h where j.locked_by = any(h.job_worker_ids))`.execute(tx)
      const jobWorkerIds = [...new Set([...dead.flatMap((d) => d.job_worker_ids), ...orphans.rows.map((o) => o.locked_by)])]
      let jobs = 0
      if (jobWorkerIds.length > 0) {
        const locked = await sql<{
          n: number
        }>`select count(*)::int as n from graphile_worker._private_jobs where locked_by = any(${jobWorkerIds}::text[])`.execute(tx)
        jobs = locked.rows[0]!.n
        await sql`select graphile_worker.force_unlock_workers(${jobWorkerIds}::text[])`.execute(tx)
      }
      const batches = await sql<{ id: string }>`
        update email_batches set worker_id = null, leased_at = null
        where status = 'sending' and worker_id is not null
          and (worker_id = any(${dead.map((d) => d.worker_id)}::text[])
            or (leased_at < now() - make_interval(secs => ${timeoutSeconds})
              and not exists (select 1 from worker_heartbeats h where h.worker_id = email_batches.worker_id)))
        returning id`.execute(tx)
      const released = { workers: dead.map((d) => ({ workerId: d.worker_id, host: d.host, pid: d.pid })), jobs, batches: batches.rows.length }
      if (dead.length > 0 || jobs > 0 || batches.rows.length > 0) logger.warn(released, 'released the work of dead workers')
      return released
    })
}

/** On a clean exit: our leases go back at once instead of after the timeout. */
export async function releaseOwnWork(workerId: string, jobWorkerIds: string[]) {
  await getDb()
    .transaction()
    .execute(async (tx) => {
      if (jobWorkerIds.length > 0) await sql`select graphile_worker.force_unlock_workers(${jobWorkerIds}::text[])`.execute(tx)
      await tx
        .updateTable('email_batches')
        .set({ worker_id: null, leased_at: null })
        .where('worker_id', '=', workerId)
        .where('status', '=', 'sending')
        .execute()
      await tx.deleteFrom('worker_heartbeats').where('worker_id', '=', workerId).execute()
    })
}

/** Nightly: sent or given-up batches older than a week, and heartbeats long silent. */
export async function pruneWorkerRecords(): Promise<{ batches: number; heartbeats: number }> {
  const batches = await sql<{ n: number }>`
    with gone as (
      delete from email_batches b where b.status <> 'sending' and b.created_at < now() - interval '7 days'
      returning 1
    ) select count(*)::int as n from gone`.execute(getDb())
  const heartbeats = await getDb()
    .deleteFrom('worker_heartbeats')
    .where('beat_at', '<', sql<Date>`now() - interval '1 day'`)
    .executeTakeFirst()
  return { batches: batches.rows[0]!.n, heartbeats: Number(heartbeats.numDeletedRows) }
}
