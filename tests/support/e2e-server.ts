import fs from 'node:fs'
import path from 'node:path'
import { ensureDatabase, startEmbeddedPostgres } from '../../app/utils/embedded-db.server'
import { e2eDataDir, recreateDatabase, serverUrlOf, withDatabase } from './database'
import { startFakeStripe } from './fake-stripe'

// The app as `npm start` serves it, on a fresh database of its own, for the browser tests.
const port = process.env.E2E_PORT ?? '3210'
// Another E2E_PORT gets its own data and build folders, so test runs can share a checkout.
const dataDir = path.resolve(e2eDataDir())
if (port !== '3210') process.env.CHORUS_BUILD_DIR = `.cache/build-${port}`
// A database folder of its own each run: a previous run's cluster may still be shutting down.
fs.mkdirSync(dataDir, { recursive: true })
for (const entry of fs.readdirSync(dataDir)) {
  if (entry.startsWith('pg-') && !isRunning(path.join(dataDir, entry, 'postmaster.pid'))) {
    fs.rmSync(path.join(dataDir, entry), { recursive: true, force: true })
  }
}

function isRunning(pidFile: string) {
  try {
    process.kill(Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0]), 0)
    return true
  } catch {
    return false
  }
}

let url: string
if (process.env.DATABASE_URL) {
  const name = `${new URL(process.env.DATABASE_URL).pathname.slice(1) || 'chorus'}_e2e`
  await recreateDatabase(serverUrlOf(process.env.DATABASE_URL), name)
  url = withDatabase(process.env.DATABASE_URL, name)
} else {
  const embedded = await startEmbeddedPostgres({ dir: path.join(dataDir, `pg-${process.pid}`), persistent: false })
  await ensureDatabase(embedded.serverUrl, 'chorus_e2e')
  url = embedded.urlFor('chorus_e2e')
}
fs.writeFileSync(path.join(dataDir, 'database-url'), url)

// Donations go through a fake Stripe whose pay page posts signed webhooks back to this server.
const fakeStripe = await startFakeStripe({ webhookUrl: `http://localhost:${port}/webhooks/stripe` })
Object.assign(process.env, {
  STRIPE_SECRET_KEY: fakeStripe.secretKey,
  STRIPE_WEBHOOK_SECRET: fakeStripe.webhookSecret,
  STRIPE_API_BASE_URL: fakeStripe.url,
})

Object.assign(process.env, {
  DATABASE_URL: url,
  PORT: port,
  APP_URL: `http://localhost:${port}`,
  DATA_DIR: dataDir,
  EMAIL_TRANSPORT: 'mailbox',
  SIGN_RATE_LIMIT: '100000',
  // Every browser here signs from one address and mostly one domain: the integrity rules'
  // defaults would hold them (stories that test the rules set per-campaign limits).
  INTEGRITY_ADDRESS_HOURLY_LIMIT: '100000',
  INTEGRITY_DOMAIN_HOURLY_LIMIT: '100000',
  LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
})
await import('../../server/start')
