import { postgresCpuMs } from './proc-cpu'
import { openBenchDatabase } from './bench-database'
import { LARGE_MAIL_PROVIDERS } from '../app/utils/mail-providers'

// `npm run bench:sign-batch`: what writing signers in batches (decision 0050) saves, measured as
// the sign form's model path (signCampaignFromForm, no HTTP, no job runner) with BENCH_SIGNERS
// concurrent signers for BENCH_SECONDS, in rounds that alternate batches of up to 100
// (SIGN_BATCH_MAX=100) with each signer written alone (SIGN_BATCH_MAX=1), so that the machine's
// noise falls on both alike. Prints signatures a second and the CPU each costs in this process and
// in PostgreSQL (embedded only). Numbers, not assertions.
const SIGNERS = Number(process.env.BENCH_SIGNERS ?? 16)
const SECONDS = Number(process.env.BENCH_SECONDS ?? 3)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 4)

Object.assign(process.env, { LOG_LEVEL: 'silent', SESSION_SECRET: 'bench-secret-bench-secret-bench-secret-01', NODE_ENV: 'test' })
const { dataDir, stop } = await openBenchDatabase('chorus_bench_sign_batch', 'bench-sign-batch-pg')

const { getDb, closeDb } = await import('../app/utils/db.server')
const { getEnv, resetEnv } = await import('../app/utils/env.server')
const { signCampaignFromForm } = await import('../app/models/signature.server')
const { signBatchCounts } = await import('../app/models/sign-batch.server')
const { createCampaign } = await import('../tests/support/factories')

const campaign = await createCampaign(getDb())
const signing = { id: campaign.id, consentVersion: campaign.consent_version, organisation: { id: campaign.organisation_id } }
let n = 0
/** Signers at the large providers, which the hourly domain rule does not count (as in a real surge). */
const providers = [...LARGE_MAIL_PROVIDERS]

/** SIGNERS loops signing one after another for SECONDS; each signer new, from their own address. */
async function run(seconds: number) {
  const env = getEnv()
  const until = performance.now() + seconds * 1000
  const started = performance.now()
  const cpu = process.cpuUsage()
  const pg = dataDir ? postgresCpuMs(dataDir) : null
  let signed = 0
  await Promise.all(
    Array.from({ length: SIGNERS }, async () => {
      while (performance.now() < until) {
        const i = n++
        const ip = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`
        const result = await signCampaignFromForm(
          signing,
          { fullName: `Signer ${i}`, email: `signer.${i}@${providers[i % providers.length]}`, country: 'GB', consentUpdates: 'on' },
          { ip, userAgent: 'bench', locale: 'en' },
          { bucket: `sign:${ip}`, limit: env.SIGN_RATE_LIMIT, windowSeconds: env.SIGN_RATE_WINDOW_SECONDS },
        )
        if (result.outcome !== 'created') throw new Error(`signer ${i}: ${result.outcome}`)
        signed++
      }
    }),
  )
  const wall = (performance.now() - started) / 1000
  const used = process.cpuUsage(cpu)
  return {
    rate: signed / wall,
    serverMs: (used.user + used.system) / 1000 / signed,
    pgMs: pg === null || !dataDir ? null : (postgresCpuMs(dataDir) - pg) / signed,
  }
}

function setBatchMax(max: number) {
  process.env.SIGN_BATCH_MAX = String(max)
  resetEnv()
}

console.log(`Chorus sign-batch bench: ${SIGNERS} concurrent signers, ${ROUNDS} rounds of ${SECONDS} s each way`)
setBatchMax(100)
await run(1) // warm-up: keys, prepared statements, JIT
const results: Record<'batched' | 'alone', Awaited<ReturnType<typeof run>>[]> = { batched: [], alone: [] }
for (let round = 0; round < ROUNDS; round++) {
  for (const mode of round % 2 === 0 ? (['batched', 'alone'] as const) : (['alone', 'batched'] as const)) {
    setBatchMax(mode === 'batched' ? 100 : 1)
    const before = signBatchCounts()
    const result = await run(SECONDS)
    const after = signBatchCounts()
    results[mode].push(result)
    const size = after.batches > before.batches ? `, ${((after.signers - before.signers) / (after.batches - before.batches)).toFixed(1)} signers a batch` : ''
    console.log(
      `  round ${round + 1} ${mode.padEnd(8)} ${result.rate.toFixed(0).padStart(5)} signatures/s   CPU per signature: here ${result.serverMs.toFixed(2)} ms` +
        (result.pgMs === null ? '' : `, PostgreSQL ${result.pgMs.toFixed(2)} ms`) +
        size,
    )
  }
}
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!
for (const mode of ['batched', 'alone'] as const) {
  const rows = results[mode]
  const pg = rows.every((row) => row.pgMs !== null) ? `, PostgreSQL ${median(rows.map((row) => row.pgMs!)).toFixed(2)} ms` : ''
  console.log(
    `median ${mode.padEnd(8)} ${median(rows.map((row) => row.rate))
      .toFixed(0)
      .padStart(5)} signatures/s   CPU per signature: here ${median(rows.map((row) => row.serverMs)).toFixed(2)} ms${pg}`,
  )
}
const ratio = median(results.batched.map((row) => row.rate)) / median(results.alone.map((row) => row.rate))
console.log(`batched / alone: ${ratio.toFixed(2)}× the signatures a second`)

await closeDb()
await stop()
