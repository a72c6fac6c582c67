import { sql } from 'kysely'
import { Logger, runOnce } from 'graphile-worker'
import { taskList } from '~/jobs/index.server'
import { drainOutbox } from '~/models/email-sender.server'
import { open, openNullable } from '~/models/data-key.server'
import { getDb, getPool } from '~/utils/db.server'

const silent = new Logger(() => () => {})

/**
 * Runs every job that is due now, once, through graphile-worker itself, then drains the outbox
 * as its sender would (stopping, not waiting, when the provider refuses for now), until neither
 * has anything left to do.
 */
export async function runDueJobs() {
  for (let round = 0; round < 10; round++) {
    await runJobsOnce()
    const outcomes = await drainOutbox()
    if (outcomes.length === 0 || outcomes.some((o) => o.status === 'retry' || o.status === 'paused')) {
      if ((await dueJobCount()) === 0) return
    }
  }
}

async function dueJobCount() {
  const { rows } = await sql<{
    n: number
  }>`select count(*)::int as n from graphile_worker._private_jobs where run_at <= now() and locked_at is null and attempts < max_attempts`.execute(getDb())
  return rows[0]!.n
}

async function runJobsOnce() {
  await runOnce({ pgPool: getPool(), taskList, logger: silent })
  await untilNoJobIsLocked()
}

/**
 * runOnce can return before a job's outcome is written (graphile-worker does not wait for a
 * completed job's deletion, and writes a failure's error as the pool shuts down): wait until no
 * job is still locked, so a test reads what the jobs did.
 */
async function untilNoJobIsLocked() {
  for (let i = 0; i < 100; i++) {
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from graphile_worker._private_jobs where locked_at is not null`.execute(getDb())
    if (rows[0]!.n === 0) return
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  throw new Error('jobs are still locked after runOnce')
}

/** Makes jobs waiting for a retry (or a future run) due now, and opens the outbox's rate gate. */
export async function makeJobsDue(task?: string) {
  await sql`update email_send_throttle set next_at = now(), reason = null`.execute(getDb())
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

/** Emails waiting in the outbox (not yet handed to a sender), oldest first, with their payloads. */
export async function queuedEmails(template?: string) {
  let query = getDb()
    .selectFrom('email_messages')
    .select(['id', 'template', 'payload', 'priority', 'locale', 'signature_id', 'attempts', 'status', 'error'])
    .where('status', '=', 'queued')
    .orderBy('priority')
    .orderBy('id')
  if (template) query = query.where('template', '=', template)
  const rows = await query.execute()
  return rows.map((row) => ({ ...row, payload: (row.payload ?? {}) as Record<string, string> }))
}

/** Runs the due jobs of one task only (graphile-worker fetches only the tasks it is given). */
export async function runJobsOf(task: string) {
  const task_ = taskList[task]
  if (!task_) throw new Error(`no task ${task}`)
  await runOnce({ pgPool: getPool(), taskList: { [task]: task_ }, logger: silent })
  await untilNoJobIsLocked()
}

/** A stored email as the sender reads it: recipient and bodies are sealed at rest (decision 0040). */
export async function openEmailRow<T extends { recipient?: string; html?: string | null; text?: string | null }>(row: T): Promise<T> {
  return {
    ...row,
    ...(row.recipient !== undefined ? { recipient: await open(row.recipient) } : {}),
    ...(row.html !== undefined ? { html: await openNullable(row.html) } : {}),
    ...(row.text !== undefined ? { text: await openNullable(row.text) } : {}),
  }
}
