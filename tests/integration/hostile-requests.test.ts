import crypto from 'node:crypto'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createCampaign } from '../support/factories'
import { listRouteFiles, pathFor, routeModulesBuild } from '../support/route-table'
import { createApp } from '../../server/app'
import { getDb } from '~/utils/db.server'
import { getEnv } from '~/utils/env.server'
import { stopEventLoopWatchdog } from '~/utils/event-loop.server'

// A few thousand malformed requests (random bytes, huge fields, wrong
// content types, broken encodings, NUL, chunked bodies) across every public route and the
// webhooks, through the real server: no 5xx, nothing written. (/healthz within 100 ms throughout
// is not asserted yet: under this load the watchdog saw a stall over a second, still to be found;
// decision 0015.)

const REQUESTS = 2400
const CONCURRENCY = 6
/**
 * Bookkeeping a request may touch: rate-limit buckets count refusals by design, and a campaign's
 * share card is a cache drawn on its first GET.
 */
const BOOKKEEPING = new Set(['rate_limits', 'rate_limit_buckets', 'campaign_share_cards', 'kysely_migration', 'kysely_migration_lock'])

let server: http.Server
let port = 0
let paths: string[] = []

/** A seeded generator, so a failure can be replayed. */
function generator(seed: number) {
  let state = seed >>> 0
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)]!
  const bytes = (n: number) => Buffer.from(Array.from({ length: n }, () => Math.floor(next() * 256)))
  return { next, pick, bytes }
}

interface Attempt {
  method: string
  path: string
  headers: Record<string, string>
  body?: Buffer
  chunked?: boolean
}

const FIELDS = [
  'fullName',
  'email',
  'country',
  'postcode',
  'source',
  'utm_source',
  'consentUpdates',
  'amount',
  'otherAmount',
  'name',
  'frequency',
  'csrf',
  'code',
  'intent',
  'q',
]

function hostile(random: ReturnType<typeof generator>): Attempt {
  const path = random.pick(paths)
  const kind = random.pick(['bytes', 'huge', 'type', 'encoding', 'nul', 'chunked', 'json', 'multipart', 'query', 'method'] as const)
  const headers: Record<string, string> = { Host: 'localhost:3000' }
  const field = () => random.pick(FIELDS)
  switch (kind) {
    case 'bytes':
      return {
        method: 'POST',
        path,
        headers: {
          ...headers,
          'Content-Type': random.pick(['application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/json', 'text/plain']),
        },
        body: random.bytes(Math.floor(random.next() * 4096)),
      }
    case 'huge':
      return {
        method: 'POST',
        path,
        headers: { ...headers, 'Content-Type': 'application/x-www-form-urlencoded' },
        body: Buffer.from(`${field()}=${'a'.repeat(70 * 1024 + Math.floor(random.next() * 100_000))}`),
      }
    case 'type':
      return {
        method: 'POST',
        path,
        headers: {
          ...headers,
          'Content-Type': random.pick([
            'image/png',
            'application/xml',
            'multipart/mixed',
            'application/x-www-form-urlencoded; charset=utf-16',
            '',
            'text/html; boundary=',
          ]),
        },
        body: Buffer.from(`${field()}=x&${field()}=y`),
      }
    case 'encoding':
      return {
        method: 'POST',
        path,
        headers: { ...headers, 'Content-Type': 'application/x-www-form-urlencoded' },
        body: Buffer.concat([
          Buffer.from(`${field()}=`),
          random.pick([Buffer.from('%E0%A4%A'), Buffer.from('%'), Buffer.from([0xc3, 0x28]), Buffer.from([0xff, 0xfe, 0x00]), Buffer.from('%ED%A0%80')]),
        ]),
      }
    case 'nul':
      return {
        method: 'POST',
        path,
        headers: { ...headers, 'Content-Type': 'application/x-www-form-urlencoded' },
        body: Buffer.from(FIELDS.map((f) => `${f}=a%00b`).join('&')),
      }
    case 'chunked':
      return {
        method: 'POST',
        path,
        headers: { ...headers, 'Content-Type': random.pick(['multipart/form-data; boundary=zz', 'application/x-www-form-urlencoded']) },
        body: Buffer.concat([
          Buffer.from('--zz\r\nContent-Disposition: form-data; name="fullName"\r\n\r\n'),
          random.bytes(Math.floor(random.next() * 120_000)),
        ]),
        chunked: true,
      }
    case 'json':
      return {
        method: 'POST',
        path,
        headers: { ...headers, 'Content-Type': 'application/json' },
        body: Buffer.from(
          random.pick([
            '{',
            '[]',
            'null',
            '{"person":{"given_name":"\\u0000"}}',
            `{"a":${'['.repeat(5000)}`,
            '"x"',
            '{"person":[]}',
            JSON.stringify({ id: 'evt_1', type: 'checkout.session.completed' }),
          ]),
        ),
      }
    case 'multipart':
      return {
        method: 'POST',
        path,
        headers: { ...headers, 'Content-Type': 'multipart/form-data; boundary=b' },
        body: Buffer.from(
          random.pick([
            '--b\r\nContent-Disposition: form-data; name="x"\r\n\r\n',
            '--b--',
            '--b\r\n\r\n\r\n--b--\r\n',
            `--b\r\nContent-Disposition: form-data; name="${'n'.repeat(10000)}"\r\n\r\nv\r\n--b--\r\n`,
          ]),
        ),
      }
    case 'query':
      return {
        method: 'GET',
        path: `${path}?${random.pick(['q=%00', 'lang=%ZZ', 'page=-1', 'page=99999999999999999999', `q=${'a'.repeat(9000)}`, 'next=//evil', 'sig=' + '%'.repeat(50), 'code=%E0%A4%A'])}`,
        headers,
      }
    case 'method':
      return { method: random.pick(['PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD']), path, headers, body: random.next() < 0.5 ? random.bytes(100) : undefined }
  }
}

function send(attempt: Attempt) {
  return new Promise<number>((resolve) => {
    const headers = { ...attempt.headers }
    if (attempt.body && !attempt.chunked) headers['Content-Length'] = String(attempt.body.length)
    const request = http.request({ host: '127.0.0.1', port, path: attempt.path, method: attempt.method, headers, agent: false }, (response) => {
      response.resume()
      response.on('end', () => resolve(response.statusCode!))
      response.on('error', () => resolve(response.statusCode ?? 0))
    })
    // The server may close the connection after a 413 while we are still writing: not a failure.
    request.on('error', () => resolve(0))
    if (attempt.chunked && attempt.body) {
      for (let offset = 0; offset < attempt.body.length; offset += 8192) request.write(attempt.body.subarray(offset, offset + 8192))
      request.end()
    } else request.end(attempt.body)
  })
}

async function rowCounts(): Promise<Record<string, number>> {
  const { rows: tables } = await sql<{ name: string }>`select tablename as name from pg_tables where schemaname = 'public'`.execute(getDb())
  const counts: Record<string, number> = {}
  for (const { name } of tables) {
    if (BOOKKEEPING.has(name)) continue
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from ${sql.table(name)}`.execute(getDb())
    counts[name] = rows[0]!.n
  }
  const { rows } = await sql<{ n: number }>`select count(*)::int as n from graphile_worker._private_jobs`.execute(getDb())
  counts['graphile_worker.jobs'] = rows[0]!.n
  return counts
}

beforeAll(async () => {
  const routes = listRouteFiles()
  server = http.createServer(createApp({ env: getEnv(), mode: 'production', build: await routeModulesBuild(routes), pageCache: false }))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  port = (server.address() as AddressInfo).port
  // Every public route and the webhooks: not the workspace (behind sign-in) nor development pages.
  // Left out for now: drawing a share card (satori + resvg) holds the event loop for over a
  // second on a busy machine, which /healthz then reports for 30 s (decision 0015, noticed, left).
  const publicRoutes = routes.filter(
    (route) => !route.layout && !route.id.startsWith('admin') && !route.id.startsWith('dev.') && !route.id.includes('share-card'),
  )
  paths = publicRoutes.map((route) => route.pattern)
})

afterAll(async () => {
  server?.closeAllConnections()
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()))
  stopEventLoopWatchdog()
})

describe('hostile requests', () => {
  it(`${REQUESTS} malformed requests: no 5xx, nothing written`, async () => {
    const campaign = await createCampaign(getDb())
    const routes = listRouteFiles().filter((route) => paths.includes(route.pattern))
    paths = routes.map((route) => pathFor(route, { slug: campaign.slug, petitionId: campaign.id }, 'x'))
    const before = await rowCounts()
    const seed = Number(process.env.FUZZ_SEED ?? crypto.randomInt(1, 2 ** 31))
    const random = generator(seed)
    const attempts = Array.from({ length: REQUESTS }, () => hostile(random))

    const failures: string[] = []
    let index = 0
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (index < attempts.length) {
          const attempt = attempts[index++]!
          const status = await send(attempt)
          if (status >= 500) failures.push(`${attempt.method} ${attempt.path.slice(0, 80)} (${attempt.headers['Content-Type'] ?? 'no type'}) -> ${status}`)
        }
      }),
    )

    expect(failures, `seed ${seed}`).toEqual([])
    expect(await rowCounts(), `seed ${seed}`).toEqual(before)
  }, 90_000)
})
