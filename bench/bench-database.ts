import fs from 'node:fs'
import path from 'node:path'
import { ensureDatabase, startEmbeddedPostgres } from '../app/utils/embedded-db.server'
import { migrateToLatest } from '../app/utils/migrate.server'
import { recreateDatabase, serverUrlOf, withDatabase } from '../tests/support/database'

/**
 * The database a bench runs on, migrated: a fresh database called `name` on DATABASE_URL's
 * server, or, with no DATABASE_URL, an embedded PostgreSQL with its data in `.data/<dir>`
 * (started afresh). DATABASE_URL names it afterwards. `dataDir` is the embedded server's (its
 * processes' CPU time can be read), null on DATABASE_URL's server; `stop` stops what was started.
 */
export async function openBenchDatabase(name: string, dir: string): Promise<{ dataDir: string | null; stop: () => Promise<void> }> {
  if (process.env.DATABASE_URL) {
    await recreateDatabase(serverUrlOf(process.env.DATABASE_URL), name)
    process.env.DATABASE_URL = withDatabase(process.env.DATABASE_URL, name)
    await migrateToLatest(process.env.DATABASE_URL)
    return { dataDir: null, stop: async () => {} }
  }
  const dataDir = path.resolve('.data', dir)
  fs.rmSync(dataDir, { recursive: true, force: true })
  const embedded = await startEmbeddedPostgres({ dir: dataDir, persistent: false })
  await ensureDatabase(embedded.serverUrl, name)
  process.env.DATABASE_URL = embedded.urlFor(name)
  await migrateToLatest(process.env.DATABASE_URL)
  return { dataDir, stop: embedded.stop }
}
