import type { Server } from 'node:http'
import type { ServerBuild } from '@remix-run/node'
import type express from 'express'
import type { Runner } from 'graphile-worker'
import { seedDemoContentIfEmpty } from '../app/models/seed.server'
import { closeDb, getSqlClient } from '../app/utils/db.server'
import { logger } from '../app/utils/logger.server'
import { startWorker } from './job-runner'
import { createApp } from './app'
import { CAMPAIGN_CHANGED_CHANNEL, type PageCache } from './page-cache'
import { prepareDatabase } from './database'
import { loadEnvironment } from './environment'

export interface BootOptions {
  mode: 'production' | 'development'
  web: boolean
  build?: () => Promise<ServerBuild>
  viteMiddleware?: express.RequestHandler
  beforeShutdown?: () => Promise<void>
}

/** Database, migrations, demo seed, job runner and web server, in one process; stops them in reverse. */
export async function boot(options: BootOptions) {
  const env = loadEnvironment()
  const database = await prepareDatabase(env)
  if (await seedDemoContentIfEmpty()) logger.info('demo content seeded')

  let runner: Runner | undefined
  if (env.WORKER || !options.web) runner = await startWorker()

  let server: Server | undefined
  if (options.web && options.build) {
    const app = createApp({ env, mode: options.mode, build: options.build, viteMiddleware: options.viteMiddleware })
    const pageCache = app.locals.pageCache as PageCache | undefined
    if (pageCache) {
      // A campaign's change (an edit, the counter's fold) reaches every process's cache at once
      // (decision 0021); postgres.js listens again after a lost connection, and entries expire anyway.
      await getSqlClient().listen(CAMPAIGN_CHANGED_CHANNEL, () => pageCache.invalidate(), () => pageCache.invalidate())
    }
    server = await new Promise<Server>((resolve) => {
      const s = app.listen(env.PORT, () => resolve(s))
    })
    logger.info({ url: env.APP_URL, port: env.PORT, worker: Boolean(runner) }, 'Chorus is running')
    console.log(`Chorus is running at http://localhost:${env.PORT}`)
  }

  let stopping = false
  const shutdown = async (signal: string) => {
    if (stopping) return
    stopping = true
    logger.info({ signal }, 'shutting down')
    const forced = setTimeout(() => process.exit(1), 15000)
    forced.unref()
    try {
      if (server) {
        server.closeIdleConnections()
        await new Promise<void>((resolve) => server!.close(() => resolve()))
      }
      await options.beforeShutdown?.()
      await runner?.stop()
      await closeDb()
      await database.stop()
      process.exit(0)
    } catch (error) {
      logger.error({ err: error }, 'shutdown failed')
      process.exit(1)
    }
  }
  process.on('SIGINT', () => void shutdown('SIGINT'))
  process.on('SIGTERM', () => void shutdown('SIGTERM'))
  return { env, server, runner }
}
