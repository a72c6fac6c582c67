import { sql } from 'kysely'
import { openBenchDatabase } from './bench-database'

// `npm run bench:integrity`: what the integrity rules promise about speed and tests cannot time.
//  1. A held signer cannot tell by timing: signing latencies of signatures the rules count and of
//     those they hold, interleaved in one run so the machine's noise falls on both alike.
//  2. Bulk review holds on a big campaign: a flood of BENCH_INTEGRITY_SIGNATURES (a million by
//     default) with a fifth held, previewed and invalidated in batches, beside a single-statement
//     update of the same rows (rolled back) as the reference.
// Numbers, not assertions.
const SIGNS = Number(process.env.BENCH_INTEGRITY_SIGNS ?? 3000)
const SIGNATURES = Number(process.env.BENCH_INTEGRITY_SIGNATURES ?? 1_000_000)

Object.assign(process.env, { LOG_LEVEL: 'silent', SESSION_SECRET: 'bench-secret-bench-secret-bench-secret-01', NODE_ENV: 'test' })
const { stop } = await openBenchDatabase('chorus_bench_integrity', 'bench-integrity-pg')

const { getDb, closeDb } = await import('../app/utils/db.server')
const { signCampaign } = await import('../app/models/signature.server')
const { previewIntegrityAction, startIntegrityAction, runIntegrityAction } = await import('../app/models/integrity-review.server')
const { IntegrityFilterSchema } = await import('../app/models/integrity-schema')
const { createCampaign, createOrganisation } = await import('../tests/support/factories')

const db = getDb()

function quantiles(values: number[]) {
  const sorted = [...values].sort((a, b) => a - b)
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!
  return { p50: at(0.5), p95: at(0.95), mean: sorted.reduce((a, b) => a + b, 0) / sorted.length }
}
const ms = (n: number) => `${n.toFixed(2).padStart(7)} ms`

// 1. Held or counted: the same work, the same time.
console.log(`Chorus integrity bench`)
console.log(`\n1. Signing latency by outcome (${SIGNS} signatures, interleaved, one at a time)`)
const signing = await createCampaign(db)
const kinds = ['counted', 'held: disposable domain', 'held: one address flooding'] as const
const latencies: Record<(typeof kinds)[number], number[]> = { counted: [], 'held: disposable domain': [], 'held: one address flooding': [] }
// Kinds in a shuffled order, so no kind always follows another.
const order = Array.from({ length: SIGNS }, (_, i) => kinds[i % kinds.length]!).sort(() => Math.random() - 0.5)
for (let i = 0; i < SIGNS; i++) {
  const kind = order[i]!
  const email = kind === 'held: disposable domain' ? `x${i}@mailinator.com` : `person${i}@gmail.com`
  const ip = kind === 'held: one address flooding' ? '198.51.100.7' : `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`
  const start = performance.now()
  await signCampaign({ id: signing.id, consentVersion: 'bench' }, { fullName: `Signer ${i}`, email, country: 'GB' }, { ip, userAgent: 'bench', locale: 'en' })
  if (i >= kinds.length * 20) latencies[kind].push(performance.now() - start) // after a warm-up
}
const states = await db
  .selectFrom('signatures')
  .select(['state', sql<number>`count(*)::int`.as('n')])
  .where('campaign_id', '=', signing.id)
  .groupBy('state')
  .execute()
console.log(`   stored: ${states.map((s) => `${s.n} ${s.state}`).join(', ')}`)
const counted = quantiles(latencies.counted)
for (const kind of kinds) {
  const q = quantiles(latencies[kind])
  console.log(`   ${kind.padEnd(28)} p50 ${ms(q.p50)}  p95 ${ms(q.p95)}  mean ${ms(q.mean)}  (mean ${(q.mean / counted.mean).toFixed(2)}× counted)`)
}

// 2. Reviewing a flood on a campaign of a million.
console.log(`\n2. Bulk invalidation on a campaign of ${SIGNATURES.toLocaleString('en')} signatures`)
const big = await createCampaign(db, { signature_goal: 2_000_000 })
let t = performance.now()
const CHUNK = 100_000
for (let from = 1; from <= SIGNATURES; from += CHUNK) {
  const to = Math.min(SIGNATURES, from + CHUNK - 1)
  // Four in five are real signers on large providers; one in five is a held flood from one domain.
  await sql`
    insert into signatures (campaign_id, full_name, email, email_index, email_domain, country, consent_version, state,
                            hold_reasons, created_at, confirmed_at, counted_at, ip_hash)
    select ${big.id}, 'Signer ' || n,
           case when n % 5 = 0 then 'bot' || n || '@flood.example' else 'signer' || n || '@gmail.com' end,
           case when n % 5 = 0 then 'bot' || n || '@flood.example' else 'signer' || n || '@gmail.com' end,
           case when n % 5 = 0 then 'flood.example' else 'gmail.com' end,
           'RU', 'bench',
           case when n % 5 = 0 then 'held' else 'confirmed' end,
           case when n % 5 = 0 then array['domain_rate'] else array[]::text[] end,
           now() - (n % 1200) * interval '1 minute',
           case when n % 2 = 0 then now() end,
           case when n % 5 <> 0 and n % 2 = 0 then now() end,
           decode(lpad(to_hex(n % 5000), 10, '0') || repeat('00', 27), 'hex')
    from generate_series(${from}::int, ${to}::int) n`.execute(db)
  process.stdout.write(`\r   seeding ${to.toLocaleString('en')}`)
}
await sql`vacuum analyze signatures`.execute(db)
console.log(`\r   seeded in ${((performance.now() - t) / 1000).toFixed(1)} s`)

const filter = IntegrityFilterSchema.parse({ domain: 'flood.example', state: 'held', window: '24h' })
t = performance.now()
const preview = await previewIntegrityAction(big.id, 'invalidate', filter)
console.log(`   preview: ${preview.rows.toLocaleString('en')} rows, count change ${preview.countChange} in ${ms(performance.now() - t)}`)

// Reference: the same rows in one statement, rolled back.
t = performance.now()
await db
  .transaction()
  .execute(async (tx) => {
    await sql`update signatures set state = 'invalidated', invalidated_at = now(), updated_at = now()
              where campaign_id = ${big.id} and state = 'held' and email_domain = 'flood.example'`.execute(tx)
    throw new Error('rollback')
  })
  .catch(() => undefined)
const reference = performance.now() - t
console.log(`   reference: one UPDATE of the same rows (rolled back) ${ms(reference)}`)

const organisation = await createOrganisation(db)
const user = await db
  .insertInto('users')
  .values({ email: `bench-reviewer-${Date.now()}@example.org` })
  .returning('id')
  .executeTakeFirstOrThrow()
t = performance.now()
const started = await startIntegrityAction({ user: { id: user.id }, organisation: { id: organisation.id } }, big.id, 'invalidate', preview.pinned, preview.rows)
let batches = 0
let slowest = 0
let last = performance.now()
const processed = started.background
  ? await runIntegrityAction(started.id, () => {
      batches++
      const now = performance.now()
      slowest = Math.max(slowest, now - last)
      last = now
    })
  : preview.rows
const total = performance.now() - t
console.log(
  `   invalidated ${processed.toLocaleString('en')} in ${batches} batches: ${ms(total)} in all (${(total / reference).toFixed(1)}× the reference), slowest batch ${ms(slowest)}`,
)
const after = await db
  .selectFrom('signatures')
  .select(['state', sql<number>`count(*)::int`.as('n')])
  .where('campaign_id', '=', big.id)
  .groupBy('state')
  .execute()
console.log(`   stored: ${after.map((s) => `${s.n} ${s.state}`).join(', ')}`)

await closeDb()
await stop()
