import { sql } from 'kysely'
import { openBenchDatabase } from './bench-database'

// `npm run bench`: signing, confirming and counting throughput on a fresh database.
// Numbers, not assertions: compare runs on the same machine.
const SIGNATURES = Number(process.env.BENCH_SIGNATURES ?? 5000)
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16)

Object.assign(process.env, { LOG_LEVEL: 'silent', SESSION_SECRET: 'bench-secret-bench-secret-bench-secret-01', NODE_ENV: 'test' })
process.env.DATABASE_POOL_MAX = String(CONCURRENCY + 2)
const { stop } = await openBenchDatabase('chorus_bench', 'bench-pg')

const { getDb, closeDb } = await import('../app/utils/db.server')
const { signCampaign, confirmSignature } = await import('../app/models/signature.server')
const { foldConfirmedSignatures } = await import('../app/models/signature-count.server')
const { createCampaign } = await import('../tests/support/factories')

const db = getDb()
const campaign = await createCampaign(db)
const countries = ['GB', 'RU', 'DE', 'FR', 'US', 'UA', 'PL', 'GE']

async function pool<T>(items: T[], worker: (item: T) => Promise<void>) {
  let next = 0
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < items.length) await worker(items[next++]!)
    }),
  )
}

function report(label: string, count: number, ms: number) {
  console.log(`${label.padEnd(28)} ${String(count).padStart(7)} in ${(ms / 1000).toFixed(2)} s  ${Math.round((count / ms) * 1000)}/s`)
}

console.log(`Chorus bench: ${SIGNATURES} signatures, concurrency ${CONCURRENCY}`)
const indexes = Array.from({ length: SIGNATURES }, (_, i) => i)
let t = performance.now()
await pool(indexes, async (i) => {
  await signCampaign(
    { id: campaign.id, consentVersion: 'bench' },
    { fullName: `Signer ${i}`, email: `signer${i}@example.org`, country: countries[i % countries.length]! },
    { ip: `10.0.${i % 250}.${i % 200}`, userAgent: 'bench', locale: 'en' },
  )
})
report('sign (with email job)', SIGNATURES, performance.now() - t)

const { rows } = await sql<{ token: string }>`select payload->>'token' as token from graphile_worker._private_jobs where payload->>'token' is not null`.execute(
  db,
)
t = performance.now()
await pool(rows, async ({ token }) => {
  await confirmSignature(token)
})
report('confirm (no campaign write)', rows.length, performance.now() - t)

t = performance.now()
let folded = 0
for (let r = await foldConfirmedSignatures(); r.folded > 0; r = await foldConfirmedSignatures()) folded += r.folded
report('fold into counts', folded, performance.now() - t)

const stored = await db.selectFrom('campaigns').select('signature_count').where('id', '=', campaign.id).executeTakeFirstOrThrow()
console.log(`campaign count ${stored.signature_count} (expected ${SIGNATURES})`)
await closeDb()
await stop()
if (stored.signature_count !== SIGNATURES) process.exit(1)
