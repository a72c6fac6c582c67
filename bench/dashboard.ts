import { sql } from 'kysely'
import { openBenchDatabase } from './bench-database'

// `npm run bench:dashboard`: a campaign with a million signatures (BENCH_DASHBOARD_SIGNATURES),
// then the latency of what its dashboard and supporters pages read. Numbers, not assertions.
const SIGNATURES = Number(process.env.BENCH_DASHBOARD_SIGNATURES ?? 1_000_000)
const RUNS = Number(process.env.BENCH_RUNS ?? 50)

Object.assign(process.env, { LOG_LEVEL: 'silent', SESSION_SECRET: 'bench-secret-bench-secret-bench-secret-01', NODE_ENV: 'test' })
const { stop } = await openBenchDatabase('chorus_bench_dashboard', 'bench-dashboard-pg')

const { getDb, closeDb } = await import('../app/utils/db.server')
const { foldConfirmedSignatures, reconcileSignatureCounts } = await import('../app/models/signature-count.server')
const { findOrganisationCampaign, getCampaignDashboard } = await import('../app/models/campaign-stats.server')
const { listSupporters } = await import('../app/models/supporter.server')
const { createCampaign } = await import('../tests/support/factories')
const { createAdmin } = await import('../tests/support/admin')
const { callRoute } = await import('../tests/support/routes')
const dashboardRoute = await import('../app/routes/admin.campaigns.$campaignId._index')
const supportersRoute = await import('../app/routes/admin.campaigns.$campaignId.supporters')

const db = getDb()
const campaign = await createCampaign(db, { signature_goal: 2_000_000 })
const organisationId = String(campaign.organisation_id)

function seconds(ms: number) {
  return `${(ms / 1000).toFixed(1)} s`
}

// 85% confirmed (already counted), 12% pending, 3% invalidated, over the last 60 days, from
// 12 countries and a handful of sources; the supporters' names and addresses vary for search.
console.log(`Chorus dashboard bench: one campaign, ${SIGNATURES.toLocaleString('en')} signatures, ${RUNS} runs each`)
let t = performance.now()
const CHUNK = 100_000
for (let from = 1; from <= SIGNATURES; from += CHUNK) {
  const to = Math.min(SIGNATURES, from + CHUNK - 1)
  await sql`
    insert into signatures (campaign_id, full_name, email, email_index, country, consent_version, state,
                            created_at, confirmed_at, counted_at, utm_source, source, consent_updates, consent_show_name)
    select ${campaign.id},
           (array['Anna','Boris','Chloe','Dmitri','Elena','Farid','Greta','Hugo','Irina','Jamal'])[1 + n % 10] || ' ' ||
             (array['Ivanova','Smith','Novak','Kowalski','Garcia','Okafor','Petrov','Jones'])[1 + (n / 10) % 8] || ' ' || n,
           'signer' || n || '@example.org', 'signer' || n || '@example.org',
           (array['GB','RU','DE','FR','US','UA','PL','GE','KZ','AM','NL','SE'])[1 + n % 12],
           'bench',
           case when n % 100 < 85 then 'confirmed' when n % 100 < 97 then 'pending' else 'invalidated' end,
           now() - (n % 60) * interval '1 day' - (n % 1440) * interval '1 minute',
           case when n % 100 < 85 then now() - (n % 60) * interval '1 day' - (n % 1440) * interval '1 minute' + interval '5 minutes' end,
           case when n % 100 < 85 then now() end,
           (array[null,'facebook','twitter','newsletter','telegram',null,'partner-ngo'])[1 + n % 7],
           case when n % 5 = 0 then 'share' end,
           n % 3 = 0, n % 4 = 0
    from generate_series(${from}::int, ${to}::int) n`.execute(db)
  process.stdout.write(`\rseeding ${to.toLocaleString('en')}`)
}
await sql`analyze signatures`.execute(db)
console.log(`\rseeded ${SIGNATURES.toLocaleString('en')} signatures in ${seconds(performance.now() - t)}`)

t = performance.now()
const drift = await reconcileSignatureCounts()
console.log(`reconcile-counts built the caches (${drift.length} rows repaired) in ${seconds(performance.now() - t)}`)

// A surge of fresh confirmations for the counter, with the extra aggregates, to fold.
await sql`update signatures set counted_at = null where id in (
  select id from signatures where campaign_id = ${campaign.id} and state = 'confirmed' order by id desc limit 5000)`.execute(db)
await sql`update campaigns set signature_count = signature_count - 5000 where id = ${campaign.id}`.execute(db)
t = performance.now()
const fold = await foldConfirmedSignatures(5000)
console.log(`fold one batch of ${fold.folded} confirmations into 4 caches in ${(performance.now() - t).toFixed(0)} ms`)
await sql`vacuum analyze signatures`.execute(db)

async function measure(label: string, work: () => Promise<unknown>) {
  await work() // warm
  const latencies: number[] = []
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now()
    await work()
    latencies.push(performance.now() - start)
  }
  latencies.sort((a, b) => a - b)
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!.toFixed(1)
  console.log(`${label.padEnd(46)} p50 ${at(0.5).padStart(7)} ms   p95 ${at(0.95).padStart(7)} ms`)
}

const deepCursor = await sql<{ id: string }>`select id from signatures where campaign_id = ${campaign.id} order by id limit 1 offset 1000`.execute(db)
await measure('dashboard (campaign + all its counts)', async () => {
  const found = await findOrganisationCampaign(organisationId, campaign.id)
  return await getCampaignDashboard(found!)
})
await measure('supporters: first page', () => listSupporters(campaign.id, {}))
await measure('supporters: a page near the end', () => listSupporters(campaign.id, { after: deepCursor.rows[0]!.id }))
await measure('supporters: pending only', () => listSupporters(campaign.id, { state: 'pending' }))
await measure('supporters: invalidated only', () => listSupporters(campaign.id, { state: 'invalidated' }))
await measure('supporters: search a rare name ("okafor 77")', () => listSupporters(campaign.id, { q: 'okafor 77' }))
await measure('supporters: search an address', () => listSupporters(campaign.id, { q: 'signer123456@example.org' }))
await measure('supporters: search a common word ("smith")', () => listSupporters(campaign.id, { q: 'smith' }))

// The whole loaders, as a signed-in campaigner's request runs them: session, guard, organisation
// check, the counts, and the page's data (no HTML rendering).
const campaigner = await createAdmin(db, { role: 'campaigner', organisationId })
const load = async (loader: (args: any) => Promise<unknown>, url: string) => {
  const result = await callRoute(loader, { url, headers: campaigner.headers, params: { campaignId: campaign.id } })
  if (result.status !== 200) throw new Error(`${url} answered ${result.status}`)
}
await measure('dashboard loader (signed in, all of it)', () => load(dashboardRoute.loader, `/admin/campaigns/${campaign.id}`))
await measure('supporters loader (first page)', () => load(supportersRoute.loader, `/admin/campaigns/${campaign.id}/supporters`))
await measure('supporters loader (search "garcia 5")', () => load(supportersRoute.loader, `/admin/campaigns/${campaign.id}/supporters?q=garcia+5`))

const dashboard = await getCampaignDashboard((await findOrganisationCampaign(organisationId, campaign.id))!)
console.log(
  `dashboard says: ${dashboard.confirmed.toLocaleString('en')} confirmed, ${dashboard.pending.toLocaleString('en')} pending, ` +
    `${dashboard.invalidated.toLocaleString('en')} invalidated, ${dashboard.countries.length} countries, ${dashboard.sources.length} sources`,
)
await closeDb()
await stop()
