import http, { type Server } from 'node:http'
import type { ServerBuild } from '@remix-run/node'
import type express from 'express'
import type { Runner } from 'graphile-worker'
import { seedDemoContentIfEmpty } from '../app/models/seed.server'
import { closeDb, getSqlClient } from '../app/utils/db.server'
import { logger } from '../app/utils/logger.server'
import { startDraining } from '../app/utils/process.server'
import { startWorker } from './job-runner'
import { createApp } from './app'
import { CAMPAIGN_CHANGED_CHANNEL } from './page-cache'
import { forgetSigningCampaigns } from '../app/models/signing-campaign.server'
import { prepareDatabase } from './database'
import { loadEnvironment } from './environment'
import { startRecovery } from './recovery'

export interface BootOptions {
  mode: 'production' | 'development'
  web: boolean
  build?: () => Promise<ServerBuild>
  viteMiddleware?: express.RequestHandler
  beforeShutdown?: () => Promise<void>
  /** Whether this process runs the job runner (default: WORKER, or always without web). */
  jobs?: boolean
  /** False in a cluster's web processes: the primary has migrated and seeded (server/cluster.ts). */
  prepare?: boolean
}

/** Database, migrations, demo seed, job runner and web server, in one process; stops them in reverse. */
export async function boot(options: BootOptions) {
  const env = loadEnvironment()
  // Signals are heard from the first moment: one that arrives while booting waits for the boot
  // to finish, then stops everything that was started (not the default, an abrupt death).
  const lifecycle: { shutdown?: (signal: NodeJS.Signals) => Promise<void> } = {}
  let signalled: NodeJS.Signals | undefined
  const onSignal = (signal: NodeJS.Signals) => {
    if (lifecycle.shutdown) void lifecycle.shutdown(signal)
    else signalled ??= signal
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  const prepare = options.prepare ?? true
  const database = await prepareDatabase(env, { migrate: prepare })
  if (prepare && (await seedDemoContentIfEmpty())) logger.info('demo content seeded')

  let runner: Runner | undefined
  if (options.jobs ?? (env.WORKER || !options.web)) runner = await startWorker()

  let server: Server | undefined
  if (options.web && options.build) {
    const app = createApp({ env, mode: options.mode, build: options.build, viteMiddleware: options.viteMiddleware })
    const { pageCache } = app
    if (pageCache) {
      // A campaign's change (an edit, the counter's fold) reaches every process's cache at once
      // (decision 0021); postgres.js listens again after a lost connection, and entries expire anyway.
      // So is what the sign fast path keeps of a campaign (decision 0020).
      const forget = () => {
        pageCache.invalidate()
        forgetSigningCampaigns()
      }
      await getSqlClient().listen(CAMPAIGN_CHANGED_CHANNEL, forget, forget)
    }
    server = await new Promise<Server>((resolve) => {
      const s = http.createServer(app).listen(env.PORT, () => resolve(s))
    })
    logger.info({ url: env.APP_URL, port: env.PORT, worker: Boolean(runner), pid: process.pid }, 'Chorus is running')
    if (prepare) console.log(`Chorus is running at http://localhost:${env.PORT}`)
  }

  // After the runner, so the first beat already names its graphile-worker ids.
  const recovery = await startRecovery({ deadAfterSeconds: env.WORKER_DEAD_AFTER_SECONDS })

  let stopping = false
  const shutdown = async (signal: NodeJS.Signals) => {
    if (stopping) return
    stopping = true
    // From here /healthz answers 503 and the outbox's sender hands its batch back (decision 0026).
    startDraining()
    const graceMs = env.SHUTDOWN_GRACE_SECONDS * 1000
    const deadline = Date.now() + graceMs
    logger.info({ signal, graceSeconds: env.SHUTDOWN_GRACE_SECONDS }, 'draining: no new jobs, finishing or releasing held work')
    // Past the grace period (and a margin for the release itself) nothing is waited for.
    setTimeout(() => {
      logger.error('shutdown overran its grace period')
      process.exit(1)
    }, graceMs + 10_000).unref()
    try {
      const web = server ? closeServer(server, signal === 'SIGTERM' && options.mode === 'production' ? Math.min(5000, graceMs / 4) : 0) : Promise.resolve()
      const jobs = runner ? Promise.race([runner.stop().then(() => true), sleep(graceMs).then(() => false)]) : Promise.resolve(true)
      const [, finished] = await Promise.all([web, jobs])
      // Whatever is still held goes back now, not after the dead-worker timeout.
      await recovery.stop({ release: true })
      logger.info({ finished, ms: graceMs - (deadline - Date.now()) }, finished ? 'work finished, stopping' : 'grace period over: held work released, stopping')
      await options.beforeShutdown?.()
      if (finished) await closeDb()
      await database.stop()
      process.exit(0)
    } catch (error) {
      logger.error({ err: error }, 'shutdown failed')
      process.exit(1)
    }
  }
  lifecycle.shutdown = shutdown
  if (signalled) void shutdown(signalled)
  return { env, server, runner }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

/**
 * Keeps answering for `lingerMs` (with /healthz at 503, so a load balancer takes this process
 * out), then stops accepting connections and waits for the open requests.
 */
async function closeServer(server: Server, lingerMs: number) {
  if (lingerMs > 0) await sleep(lingerMs)
  const closed = new Promise<void>((resolve) => server.close(() => resolve()))
  server.closeIdleConnections()
  await closed
}
