import { sql } from 'kysely'
import { startFakeResend } from '../tests/support/fake-resend'
import { openBenchDatabase } from './bench-database'

// `npm run bench:updates`: an update to 100,000 signers (BENCH_UPDATE_RECIPIENTS) fanned out
// through the fake Resend (in this process, over HTTP), at BENCH_UPDATE_RATE batch requests a
// second (default 1000, i.e. unthrottled in practice). Reports emails per second and peak memory.
const RECIPIENTS = Number(process.env.BENCH_UPDATE_RECIPIENTS ?? 100_000)
const RATE = process.env.BENCH_UPDATE_RATE ?? '1000'

const resend = await startFakeResend({ keepBodies: false })
Object.assign(process.env, {
  LOG_LEVEL: 'silent',
  SESSION_SECRET: 'bench-secret-bench-secret-bench-secret-01',
  NODE_ENV: 'test',
  APP_URL: 'https://chorus.example.org',
  EMAIL_TRANSPORT: 'resend',
  RESEND_API_KEY: resend.apiKey,
  RESEND_BASE_URL: resend.url,
  RESEND_RATE_LIMIT: RATE,
})
const { stop } = await openBenchDatabase('chorus_bench_updates', 'bench-updates-pg')

const { getDb, closeDb } = await import('../app/utils/db.server')
const { createCampaign } = await import('../tests/support/factories')
const { createCampaignUpdate, startUpdateSend } = await import('../app/models/campaign-update.server')
const { materialiseUpdateAudience } = await import('../app/models/campaign-update-send.server')
const { sendNextBatch } = await import('../app/models/email-sender.server')

const db = getDb()
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`

console.log(`Chorus update fan-out bench: ${RECIPIENTS.toLocaleString('en')} recipients, RESEND_RATE_LIMIT=${RATE}`)
const campaign = await createCampaign(db, {
  translations: { ru: { title: 'Свободу правозащитникам', summary: 'Кратко', demand: 'Требуем', target_name: 'Министр' } },
})
let t = performance.now()
// Every third signer reads Russian; a tenth more did not opt in (they are not in the audience).
const total = RECIPIENTS + Math.floor(RECIPIENTS / 10)
await sql`
  insert into signatures (campaign_id, full_name, email, email_index, country, consent_version, state, consent_updates, confirmed_at, counted_at, locale)
  select ${campaign.id}, 'Signer ' || n, 'signer' || n || '@example.org', 'signer' || n || '@example.org', 'GB', 'bench', 'confirmed',
         n <= ${RECIPIENTS}, now(), now(), case when n % 3 = 0 then 'ru' else 'en' end
  from generate_series(1, ${total}::int) n`.execute(db)
await sql`analyze signatures`.execute(db)
console.log(`seeded ${total.toLocaleString('en')} signatures in ${seconds(performance.now() - t)}`)

const { id: updateId } = await createCampaignUpdate(db, {
  campaignId: campaign.id,
  kind: 'update',
  content: [
    { locale: 'en', subject: 'We met the minister', body: 'The minister **listened**.\n\n- the hearing is on 3 December\n- bring a friend' },
    { locale: 'ru', subject: 'Мы встретились с министром', body: 'Министр **выслушал** нас.\n\n- слушания 3 декабря\n- приходите с друзьями' },
  ],
  createdBy: null,
})
await startUpdateSend(db, updateId, null)

// Peak memory, sampled while it runs (the bench's own seeding is done by now).
global.gc?.()
const base = process.memoryUsage()
let peakRss = base.rss
let peakHeap = base.heapUsed
const sampler = setInterval(() => {
  const m = process.memoryUsage()
  peakRss = Math.max(peakRss, m.rss)
  peakHeap = Math.max(peakHeap, m.heapUsed)
}, 50)

t = performance.now()
const queued = await materialiseUpdateAudience(updateId)
const materialised = performance.now() - t
console.log(`step 1: ${queued!.toLocaleString('en')} email records queued in one statement in ${seconds(materialised)}`)

t = performance.now()
let lastReport = t
// The outbox's sender, as the job runs it, until nothing is due.
const outcome = { sent: 0, failed: 0, batches: 0 }
for (;;) {
  const result = await sendNextBatch('bench-sender')
  if (result.status === 'idle') break
  if (result.status === 'paused' || result.status === 'retry') {
    await new Promise((resolve) => setTimeout(resolve, Math.min(result.waitMs, 1000)))
    continue
  }
  outcome.batches += 1
  if (result.status === 'sent') outcome.sent += result.emails
  if (result.status === 'failed') outcome.failed += 1
  const now = performance.now()
  if (now - lastReport > 5000) {
    lastReport = now
    const done = resend.batchEmailCount()
    process.stdout.write(`\rstep 2: ${done.toLocaleString('en')} sent, ${((done / (now - t)) * 1000).toFixed(0)} emails/s (batch ${outcome.batches})`)
  }
}
const sending = performance.now() - t
clearInterval(sampler)

const accepted = resend.batchEmailCount()
const keys = [...resend.acceptedBatchKeys.values()]
console.log(`\rstep 2: ${outcome.sent.toLocaleString('en')} sent, ${outcome.failed} failed, in ${outcome.batches} batch requests, ${seconds(sending)}     `)
console.log(`emails per second (sending): ${((outcome.sent / sending) * 1000).toFixed(0)}`)
console.log(`emails per second (whole update, step 1 included): ${((outcome.sent / (sending + materialised)) * 1000).toFixed(0)}`)
console.log(`peak memory: RSS ${mb(peakRss)} (${mb(peakRss - base.rss)} above the start), heap ${mb(peakHeap)} (start ${mb(base.heapUsed)})`)
console.log(
  `fake Resend accepted ${accepted.toLocaleString('en')} emails; every batch key once: ${keys.every((n) => n === 1) && keys.length === outcome.batches}`,
)
const update = await db
  .selectFrom('campaign_updates')
  .select(['status', 'sent_count', 'failed_count', 'audience_size'])
  .where('id', '=', updateId)
  .executeTakeFirstOrThrow()
console.log(`update: ${update.status}, ${update.sent_count} sent, ${update.failed_count} failed, audience ${update.audience_size}`)
if (accepted !== RECIPIENTS || update.status !== 'sent') {
  console.error(`expected ${RECIPIENTS} accepted emails and a sent update`)
  process.exitCode = 1
}

await closeDb()
await resend.close()
await stop()
