import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import autocannon from 'autocannon'
import pg from 'pg'
import { ensureDatabase, startEmbeddedPostgres } from '../app/utils/embedded-db.server'
import { pacedLoadApart } from './paced-load'
import { childrenOf, postgresCpuMs, processCpuMs } from './proc-cpu'
import { recreateDatabase, serverUrlOf, withDatabase } from '../tests/support/database'

// `npm run bench:surge`: a news-story surge against the production build (`npm start`'s server,
// worker in-process) on loopback, measured from outside in one run:
//   1. the reference: raw single-row inserts into a signatures-shaped table, same PostgreSQL;
//   2. the campaign page and the public JSON with 32 connections;
//   3. sign-form POSTs at full speed (unique emails, each from its own client address through
//      one trusted proxy hop), and their ratio to the raw insert rate;
//   4. the time until every confirmation of that burst was accepted by a fake Resend that
//      enforces a 5 requests/s team limit with 429s (as Resend does);
//   5. sign POSTs offered at a fixed 500/s: p50/p99 and how many were answered with the redirect.
// Numbers, not pass/fail: compare runs on the same machine.
const PORT = Number(process.env.BENCH_PORT ?? 3412)
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10)
const BURST = Number(process.env.BENCH_SIGNERS ?? 2000)
const SIGN_CONNECTIONS = Number(process.env.BENCH_SIGN_CONNECTIONS ?? 16)
const FIXED_RATE = Number(process.env.BENCH_FIXED_RATE ?? 500)
const EMAIL_WAIT_SECONDS = Number(process.env.BENCH_EMAIL_WAIT_SECONDS ?? 90)
const RESEND_LIMIT = Number(process.env.BENCH_RESEND_LIMIT ?? 5)
const RAW_ROWS = Number(process.env.BENCH_RAW_ROWS ?? 20000)
/** The server's log level: `info`, as `npm start` runs, writes a line for every request. */
const LOG_LEVEL = process.env.BENCH_LOG_LEVEL ?? 'info'
/** Prints PostgreSQL's costliest statements of the fixed-rate phase (pg_stat_statements). */
const PG_STATEMENTS = process.env.BENCH_PG_STATEMENTS === '1'
const base = `http://127.0.0.1:${PORT}`
const slug = 'chechnya-investigate-now'
const run = Date.now().toString(36)

// ---- the database: DATABASE_URL's server (a fresh database) or an embedded one ----
let stopPostgres = async () => {}
let databaseUrl: string
/** The embedded server's data directory: its postmaster's children are counted for CPU time. */
let embeddedDir: string | null = null
if (process.env.DATABASE_URL) {
  const name = `${new URL(process.env.DATABASE_URL).pathname.slice(1) || 'chorus'}_surge`
  await recreateDatabase(serverUrlOf(process.env.DATABASE_URL), name)
  databaseUrl = withDatabase(process.env.DATABASE_URL, name)
} else {
  const dir = path.resolve('.data/bench-surge-pg')
  embeddedDir = dir
  fs.rmSync(dir, { recursive: true, force: true })
  const embedded = await startEmbeddedPostgres({
    dir,
    persistent: false,
    settings: PG_STATEMENTS ? ['shared_preload_libraries=pg_stat_statements', 'pg_stat_statements.track=all'] : [],
  })
  await ensureDatabase(embedded.serverUrl, 'chorus_surge')
  databaseUrl = embedded.urlFor('chorus_surge')
  stopPostgres = embedded.stop
}

// ---- a fake Resend with a team rate limit: fixed one-second windows, every request counts ----
const accepted = new Map<string, number>()
let resendRequests = 0
let refused429 = 0
let windowStart = 0
let windowHits = 0
const resend = http.createServer((req, res) => {
  const chunks: Buffer[] = []
  req.on('data', (chunk: Buffer) => chunks.push(chunk))
  req.on('end', () => {
    resendRequests++
    const now = Date.now()
    const second = Math.floor(now / 1000) * 1000
    if (second !== windowStart) {
      windowStart = second
      windowHits = 0
    }
    windowHits++
    const reply = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, {
        'Content-Type': 'application/json',
        'ratelimit-limit': String(RESEND_LIMIT),
        'ratelimit-remaining': String(Math.max(0, RESEND_LIMIT - windowHits)),
        'ratelimit-reset': '1',
        ...headers,
      })
      res.end(JSON.stringify(payload))
    }
    if (windowHits > RESEND_LIMIT) {
      refused429++
      return reply(429, { name: 'rate_limit_exceeded', message: 'Too many requests', statusCode: 429 }, { 'retry-after': '1' })
    }
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || 'null')
    const emails: { to: string | string[] }[] = req.url === '/emails/batch' && Array.isArray(body) ? body : req.url === '/emails' && body ? [body] : []
    if (emails.length === 0) return reply(422, { name: 'validation_error', message: 'No email', statusCode: 422 })
    const key = req.headers['idempotency-key']
    const replay = typeof key === 'string' && seenKeys.has(key)
    if (!replay) {
      if (typeof key === 'string') seenKeys.add(key)
      for (const email of emails) {
        for (const to of Array.isArray(email.to) ? email.to : [email.to]) accepted.set(to, (accepted.get(to) ?? 0) + 1)
      }
    }
    const ids = emails.map((_, i) => ({ id: `email_${resendRequests}_${i}` }))
    reply(200, req.url === '/emails/batch' ? { data: ids } : ids[0])
  })
})
const seenKeys = new Set<string>()
await new Promise<void>((resolve) => resend.listen(0, '127.0.0.1', resolve))
const resendUrl = `http://127.0.0.1:${(resend.address() as AddressInfo).port}`

/**
 * The statements PostgreSQL spent the most time executing since the last reset, per sign POST
 * answered: execution only (not parsing, the protocol, commits or background work, which the
 * CPU figure above includes).
 */
async function printStatements(answered: number) {
  const rows = await query<{ total: number; calls: string; rows: string; text: string }>(
    `select total_exec_time::float8 as total, calls::text, rows::text, left(regexp_replace(query, '\\s+', ' ', 'g'), 90) as text
     from pg_stat_statements where query not like '%pg_stat_statements%' order by total_exec_time desc limit 12`,
    [],
  )
  line('PostgreSQL statements (fixed rate)', 'execution ms per sign POST answered, calls, rows; the costliest first')
  for (const row of rows) {
    line('', `${(row.total / Math.max(answered, 1)).toFixed(3)} ms  calls ${row.calls}  rows ${row.rows}  ${row.text}`)
  }
}

/** One query on a connection of its own, outside the server (the bench's setup and its tally). */
async function query<R extends pg.QueryResultRow>(text: string, params: unknown[]): Promise<R[]> {
  const client = new pg.Client({ connectionString: databaseUrl })
  await client.connect()
  try {
    return (await client.query<R>(text, params)).rows
  } finally {
    await client.end()
  }
}

// ---- the reference: raw inserts into a signatures-shaped table, 16 connections ----
async function rawInsertRate(): Promise<number> {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: SIGN_CONNECTIONS })
  try {
    await pool.query(`
      create table bench_raw_signatures (
        id bigint generated always as identity primary key,
        campaign_id bigint not null,
        full_name text not null, email text not null, email_index text not null,
        country text not null, locale text not null default 'en',
        consent_updates boolean not null default false, consent_version text not null,
        state text not null default 'pending', confirmation_token_hash bytea, ip_hash bytea,
        created_at timestamptz not null default now(), updated_at timestamptz not null default now(),
        unique (campaign_id, email_index))`)
    let next = 0
    const started = performance.now()
    await Promise.all(
      Array.from({ length: SIGN_CONNECTIONS }, async () => {
        while (next < RAW_ROWS) {
          const i = next++
          const email = `raw-${i}@example.org`
          await pool.query(
            `insert into bench_raw_signatures (campaign_id, full_name, email, email_index, country, consent_version,
               confirmation_token_hash, ip_hash) values ($1, $2, $3, $3, 'GB', 'v1', $4, $5) returning id`,
            [1, `Raw ${i}`, email, Buffer.alloc(32, i % 256), Buffer.alloc(32, (i * 7) % 256)],
          )
        }
      }),
    )
    const rate = RAW_ROWS / ((performance.now() - started) / 1000)
    await pool.query('drop table bench_raw_signatures')
    return rate
  } finally {
    await pool.end()
  }
}

// ---- the server: `npm start` as an operator runs it, behind one trusted proxy hop ----
const dataDir = path.resolve('.data/bench-surge')
fs.mkdirSync(dataDir, { recursive: true })
// The server's own output (the build, the worker's retries) goes to a file, not among the numbers.
const serverLog = fs.openSync(path.join(dataDir, 'server.log'), 'w')
// BENCH_CPU_PROF=1 writes the server's CPU profile under .data/bench-surge/profiles (open it in Chrome's DevTools).
// BENCH_NODE_ARGS: more of Node's options for the server (`--max-semi-space-size=32`, say).
const profileArgs = [
  ...(process.env.BENCH_CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir', path.join(dataDir, 'profiles')] : []),
  ...(process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean),
]
const server = spawn(process.execPath, [...profileArgs, '--import', 'tsx', 'server/start.ts'], {
  env: {
    ...process.env,
    NODE_ENV: 'production',
    CHORUS_BUILD_DIR: '.cache/build-surge',
    DATABASE_URL: databaseUrl,
    PORT: String(PORT),
    APP_URL: base,
    DATA_DIR: dataDir,
    SESSION_SECRET: 'bench-surge-secret-bench-surge-secret-0123',
    // Production requires a master key; a fresh one per run (the database is fresh too).
    DATA_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    EMAIL_TRANSPORT: 'resend',
    RESEND_API_KEY: 're_test_key',
    RESEND_BASE_URL: resendUrl,
    TRUST_PROXY: 'on',
    WORKER: process.env.BENCH_WORKER ?? 'on',
    LOG_LEVEL: LOG_LEVEL,
    STRIPE_SECRET_KEY: '',
    STRIPE_WEBHOOK_SECRET: '',
  },
  stdio: ['ignore', serverLog, serverLog],
})
const serverExited = new Promise((resolve) => server.on('exit', resolve))

async function waitForServer() {
  for (let i = 0; i < 1200; i++) {
    if (server.exitCode !== null) throw new Error('the server exited')
    try {
      if ((await fetch(`${base}/healthz`)).ok) return
    } catch {
      // not up yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
  throw new Error('the server did not start')
}

/** A client address per request: one trusted proxy hop wrote it. */
function clientAddress(i: number) {
  return `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`
}

// A news-story surge signs mostly from the large public providers, which the integrity rules'
// domain count skips (decision 0030); one signer in ten from an organisation's own domain, spread
// over many domains as real ones are. (All from one small domain would be a flood, and held.)
const LARGE_PROVIDERS = ['gmail.com', 'outlook.com', 'yahoo.com', 'hotmail.com', 'icloud.com', 'mail.ru', 'yandex.ru', 'gmx.de', 'web.de']
function signerEmail(prefix: string, n: number) {
  const domain = n % 10 === 9 ? `org-${n % 500}.example` : LARGE_PROVIDERS[n % LARGE_PROVIDERS.length]
  return `${prefix}-${n}@${domain}`
}

function signBody(email: string, i: number) {
  return new URLSearchParams({ fullName: `Surge Signer ${i}`, email, country: 'GB', consentUpdates: 'on' }).toString()
}

/** The nth signer's form post, from their own client address (one trusted proxy hop wrote it). */
function signRequest(prefix: string, offset: number, n: number) {
  return {
    method: 'POST' as const,
    path: `/campaigns/${slug}`,
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-forwarded-for': clientAddress(offset + n),
      accept: 'text/html',
    },
    body: signBody(signerEmail(prefix, n), n),
  }
}

function signRequests(prefix: string, offset: number) {
  let i = 0
  return [{ method: 'POST' as const, path: `/campaigns/${slug}`, setupRequest: (request: any) => ({ ...request, ...signRequest(prefix, offset, i++) }) }]
}

// ---- CPU time, which a busy machine does not inflate as it does wall time (bench/proc-cpu.ts) ----
/** CPU milliseconds used so far by the server and by the embedded PostgreSQL's backends (null when not embedded). */
function cpuSnapshot() {
  return {
    server: processCpuMs(server.pid!) + childrenOf(server.pid!).reduce((sum, pid) => sum + processCpuMs(pid), 0),
    postgres: embeddedDir ? postgresCpuMs(embeddedDir) : null,
  }
}
/** CPU per request between two snapshots (PostgreSQL's backends that ended in between included). */
function cpuPerRequest(before: ReturnType<typeof cpuSnapshot>, after: ReturnType<typeof cpuSnapshot>, requests: number) {
  const server = (after.server - before.server) / requests
  if (before.postgres === null || after.postgres === null) return `CPU per request: server ${server.toFixed(2)} ms`
  return `CPU per request: server ${server.toFixed(2)} ms, PostgreSQL ${((after.postgres - before.postgres) / requests).toFixed(2)} ms`
}

function cannon(options: Omit<autocannon.Options, 'url'>): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    autocannon({ ...options, url: base }, (error, result) => (error ? reject(error) : resolve(result)))
  })
}

function statuses(result: autocannon.Result) {
  const stats = (result as unknown as { statusCodeStats: Record<string, { count: number }> }).statusCodeStats
  const entries = Object.entries(stats ?? {}).map(([code, { count }]) => `${code}:${count}`)
  if (result.errors) entries.push(`errors:${result.errors}`)
  if (result.timeouts) entries.push(`timeouts:${result.timeouts}`)
  return entries.join(' ')
}

function line(label: string, value: string) {
  console.log(`${label.padEnd(44)} ${value}`)
}

try {
  console.log(`Building and starting the production server (its output: ${path.relative('.', dataDir)}/server.log)…`)
  const rawBefore = cpuSnapshot()
  const raw = await rawInsertRate()
  const rawAfter = cpuSnapshot()
  await waitForServer()
  console.log(`Chorus surge bench: ${base}, ${SECONDS} s per load, PostgreSQL ${new URL(databaseUrl).host}`)
  line('raw PostgreSQL inserts (16 connections)', `${Math.round(raw)} rows/s  (the reference)`)
  if (rawBefore.postgres !== null && rawAfter.postgres !== null) {
    line('', `CPU per row: PostgreSQL ${((rawAfter.postgres - rawBefore.postgres) / RAW_ROWS).toFixed(2)} ms (the server may be starting meanwhile)`)
  }

  for (const [label, target] of [
    ['GET /campaigns/:slug (32 connections)', `/campaigns/${slug}`],
    ['GET /api/campaigns/:slug (32 connections)', `/api/campaigns/${slug}`],
  ] as const) {
    await cannon({ connections: 32, duration: 2, requests: [{ method: 'GET', path: target }] }) // warm-up
    const before = cpuSnapshot()
    const result = await cannon({
      connections: 32,
      duration: SECONDS,
      requests: [{ method: 'GET', path: target, headers: { 'accept-encoding': 'br, gzip', 'accept-language': 'en' } }],
    })
    line(label, `${Math.round(result.requests.average)} req/s  p50 ${result.latency.p50} ms  p99 ${result.latency.p99} ms  [${statuses(result)}]`)
    line('', cpuPerRequest(before, cpuSnapshot(), result.requests.total))
  }

  // BENCH_ATTACK_MODE=on: the campaign in attack mode from the start, as a surge puts it within a
  // minute (decision 0030); otherwise the detector's minute may or may not fall within the run.
  if (process.env.BENCH_ATTACK_MODE === 'on') {
    await query(`update campaigns set attack_mode_started_at = now(), attack_mode_origin = 'manual' where slug = $1`, [slug])
  }

  // The burst: BURST signers as fast as the server takes them.
  const cpuBefore = cpuSnapshot()
  // A run of `amount` requests ends at autocannon's next sample: every 50 ms, not every second,
  // or the burst's duration rounds up to whole seconds (2,000 in 4.1 s read as 5 s).
  const burst = await cannon({ connections: SIGN_CONNECTIONS, amount: BURST, sampleInt: 50, requests: signRequests(`surge-${run}-burst`, 0) })
  const lastSignature = Date.now()
  const cpuAfter = cpuSnapshot()
  const burstRate = burst.requests.total / burst.duration
  line(
    `sign POSTs, full speed (${SIGN_CONNECTIONS} connections)`,
    `${Math.round(burstRate)}/s  ratio to raw ${(burstRate / raw).toFixed(3)}  p50 ${burst.latency.p50} ms  p99 ${burst.latency.p99} ms  [${statuses(burst)}]`,
  )
  line('', cpuPerRequest(cpuBefore, cpuAfter, burst.requests.total))

  // Every confirmation of the burst accepted by the rate-limited provider.
  const expected = Array.from({ length: BURST }, (_, n) => signerEmail(`surge-${run}-burst`, n))
  const outstanding = () => expected.filter((to) => !accepted.has(to)).length
  while (outstanding() > 0 && Date.now() - lastSignature < EMAIL_WAIT_SECONDS * 1000) {
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  const waited = ((Date.now() - lastSignature) / 1000).toFixed(1)
  const twice = expected.filter((to) => (accepted.get(to) ?? 0) > 1).length
  line(
    `confirmations of ${BURST} signers (Resend ${RESEND_LIMIT} req/s)`,
    outstanding() === 0
      ? `all accepted ${waited} s after the last signature (floor ${(BURST / 100 / RESEND_LIMIT).toFixed(1)} s)  ` +
          `${resendRequests} requests, ${refused429} refused 429, ${twice} sent twice`
      : `${BURST - outstanding()} of ${BURST} accepted after ${waited} s (gave up)  ${resendRequests} requests, ${refused429} refused 429, ${twice} sent twice`,
  )

  // A fixed offered rate, evenly spaced (bench/paced-load.ts): latency while the server is not saturated.
  if (PG_STATEMENTS) {
    // With DATABASE_URL, that server must load the module itself (shared_preload_libraries).
    await query('create extension if not exists pg_stat_statements', [])
    await query('select pg_stat_statements_reset()', [])
  }
  const fixedCpuBefore = cpuSnapshot()
  const fixed = await pacedLoadApart({
    base,
    rate: FIXED_RATE,
    seconds: SECONDS,
    connections: 128,
    request: (n) => signRequest(`surge-${run}-fixed`, BURST, n),
  })
  const fixedStatuses = Object.entries(fixed.statuses).map(([code, count]) => `${code}:${count}`)
  if (fixed.errors)
    fixedStatuses.push(
      `errors:${fixed.errors} (${Object.entries(fixed.errorCodes)
        .map(([code, count]) => `${code} ${count}`)
        .join(', ')})`,
    )
  line(
    `sign POSTs offered at ${FIXED_RATE}/s, evenly spaced`,
    `${Math.round(fixed.rate)}/s served  p50 ${fixed.p50} ms  p99 ${fixed.p99} ms  max ${fixed.max} ms  [${fixedStatuses.join(' ')}]`,
  )
  // Meanwhile the worker sends the confirmations as they come: its CPU is in the server's.
  line('', cpuPerRequest(fixedCpuBefore, cpuSnapshot(), fixed.answered))
  if (PG_STATEMENTS) await printStatements(fixed.answered)

  // What the integrity rules made of the surge: a surge starts attack mode (decision 0030), and
  // signers without a solved challenge are then held, so the fixed rate may run in attack mode.
  const states = await query<{ state: string; reasons: string; n: number }>(
    `select s.state, array_to_string(s.hold_reasons, '+') as reasons, count(*)::int as n
     from signatures s join campaigns c on c.id = s.campaign_id where c.slug = $1 group by 1, 2 order by 1, 2`,
    [slug],
  )
  const attack = await query<{ since: Date | null }>('select attack_mode_started_at as since from campaigns where slug = $1', [slug])
  line(
    'signatures by state (hold reasons)',
    states.map((row) => `${row.state}${row.reasons ? ` (${row.reasons})` : ''} ${row.n}`).join(', ') +
      (attack[0]?.since ? `; attack mode since ${attack[0].since.toISOString().slice(11, 19)} UTC` : '; no attack mode'),
  )
} finally {
  server.kill('SIGTERM')
  await serverExited
  resend.close()
  await stopPostgres()
}
