import fs from 'node:fs'
import path from 'node:path'
import { ensureDatabase, startEmbeddedPostgres } from '../../app/utils/embedded-db.server'
import { recreateDatabase, serverUrlOf, withDatabase } from './database'

// The app as `npm start` serves it, on a fresh database of its own, for the browser tests.
const port = process.env.E2E_PORT ?? '3210'
const dataDir = path.resolve('.data/e2e')
fs.rmSync(dataDir, { recursive: true, force: true })
fs.mkdirSync(dataDir, { recursive: true })

let url: string
if (process.env.DATABASE_URL) {
  const name = `${new URL(process.env.DATABASE_URL).pathname.slice(1) || 'chorus'}_e2e`
  await recreateDatabase(serverUrlOf(process.env.DATABASE_URL), name)
  url = withDatabase(process.env.DATABASE_URL, name)
} else {
  const embedded = await startEmbeddedPostgres({ dir: path.join(dataDir, 'pg'), persistent: false })
  await ensureDatabase(embedded.serverUrl, 'chorus_e2e')
  url = embedded.urlFor('chorus_e2e')
}
fs.writeFileSync(path.join(dataDir, 'database-url'), url)

Object.assign(process.env, {
  DATABASE_URL: url,
  PORT: port,
  APP_URL: `http://localhost:${port}`,
  DATA_DIR: dataDir,
  EMAIL_TRANSPORT: 'mailbox',
  SIGN_RATE_LIMIT: '100000',
  LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
})
await import('../../server/start')
