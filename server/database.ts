import fs from 'node:fs'
import path from 'node:path'
import { ensureDatabase, startEmbeddedPostgres } from '../app/utils/embedded-db.server'
import { closeDb } from '../app/utils/db.server'
import type { Env } from '../app/utils/env.server'
import { logger } from '../app/utils/logger.server'
import { migrateToLatest } from '../app/utils/migrate.server'

export interface PreparedDatabase {
  url: string
  embedded: boolean
  stop(): Promise<void>
}

/**
 * With DATABASE_URL, uses that server; without, starts the embedded PostgreSQL under DATA_DIR.
 * Either way the schema is migrated and process.env.DATABASE_URL names the database.
 */
export async function prepareDatabase(env: Env, { migrate = true } = {}): Promise<PreparedDatabase> {
  let url = env.DATABASE_URL
  let stop = async () => {}
  if (!url) {
    const dir = path.resolve(env.DATA_DIR, 'pg')
    const pgLogger = logger.child({ component: 'embedded-postgres' })
    const embedded = await startEmbeddedPostgres({ dir, onLog: (message) => pgLogger.debug(message) })
    await ensureDatabase(embedded.serverUrl, 'chorus')
    url = embedded.urlFor('chorus')
    stop = embedded.stop
    logger.info({ dir }, 'embedded PostgreSQL started')
  }
  process.env.DATABASE_URL = url
  if (migrate) {
    const applied = await migrateToLatest(url)
    if (applied.length > 0) logger.info({ applied }, 'database migrated')
  }
  return { url, embedded: !env.DATABASE_URL, stop }
}

/** The embedded database another process (npm start) is already running under DATA_DIR, if any. */
export function runningEmbeddedDatabase(dataDir: string): string | undefined {
  const dir = path.resolve(dataDir, 'pg')
  try {
    const [pid, , , port] = fs.readFileSync(path.join(dir, 'postmaster.pid'), 'utf8').split('\n')
    process.kill(Number(pid), 0)
    const password = fs.readFileSync(`${dir}.password`, 'utf8').trim()
    return `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${Number(port)}/chorus`
  } catch {
    return undefined
  }
}

/**
 * For one-off scripts: prepares the database (DATABASE_URL, else the embedded one `npm start` is
 * running, else a fresh embedded one), runs `task`, then closes the pool and the database.
 * Answers the exit code: 1 when `task` threw, after printing its message.
 */
export async function withPreparedDatabase(env: Env, task: () => Promise<void>): Promise<number> {
  const database = await prepareDatabase({ ...env, DATABASE_URL: env.DATABASE_URL ?? runningEmbeddedDatabase(env.DATA_DIR) })
  try {
    await task()
    return 0
  } catch (error) {
    console.error(error instanceof Error ? error.message : error)
    return 1
  } finally {
    await closeDb()
    await database.stop()
  }
}
