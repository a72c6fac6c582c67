import cluster, { type Worker } from 'node:cluster'
import path from 'node:path'
import { seedDemoContentIfEmpty } from '../app/models/seed.server'
import { closeDb } from '../app/utils/db.server'
import type { Env } from '../app/utils/env.server'
import { logger } from '../app/utils/logger.server'
import { prepareDatabase } from './database'

// WEB_CONCURRENCY > 1 (decision 0001): this primary prepares the database once (the embedded one
// too), then forks that many web processes sharing the port. Only the first runs the job runner
// (WORKER=on): the counter and the outbox's sender are single chains, so more runners would only
// hold more connections. Every web process beats its own heartbeat, so if the one with the
// runner dies, the others release its jobs and the primary starts it again.

const WORKER_ENTRY = path.resolve(import.meta.dirname, 'web-process.ts')

export async function runPrimary(env: Env) {
  const database = await prepareDatabase(env)
  if (await seedDemoContentIfEmpty()) logger.info('demo content seeded')
  await closeDb()

  // Forked processes run TypeScript the way `npm start` does, whatever wrapper started us.
  cluster.setupPrimary({ exec: WORKER_ENTRY, execArgv: ['--import', 'tsx'] })
  let stopping = false
  const roles = new Map<Worker, { jobs: boolean }>()
  const fork = (jobs: boolean) => {
    const worker = cluster.fork({ DATABASE_URL: process.env.DATABASE_URL, CHORUS_WEB_PROCESS_JOBS: jobs ? 'on' : 'off' })
    roles.set(worker, { jobs })
  }
  for (let i = 0; i < env.WEB_CONCURRENCY; i++) fork(env.WORKER && i === 0)
  cluster.on('exit', (worker, code, signal) => {
    const role = roles.get(worker) ?? { jobs: false }
    roles.delete(worker)
    if (stopping) return
    logger.error({ pid: worker.process.pid, code, signal }, 'a web process died: starting another')
    setTimeout(() => fork(role.jobs), 1000)
  })
  console.log(`Chorus is running at http://localhost:${env.PORT} (${env.WEB_CONCURRENCY} web processes)`)

  const shutdown = async (signal: NodeJS.Signals) => {
    if (stopping) return
    stopping = true
    logger.info({ signal }, 'stopping the web processes')
    // Each drains as a lone process would (decision 0026); the database goes last.
    const exits = [...roles.keys()].map(
      (worker) =>
        new Promise<void>((resolve) => {
          if (worker.isDead()) return resolve()
          worker.once('exit', () => resolve())
          worker.process.kill(signal)
        }),
    )
    setTimeout(() => process.exit(1), (env.SHUTDOWN_GRACE_SECONDS + 15) * 1000).unref()
    await Promise.all(exits)
    await database.stop()
    process.exit(0)
  }
  process.on('SIGINT', () => void shutdown('SIGINT'))
  process.on('SIGTERM', () => void shutdown('SIGTERM'))
}
