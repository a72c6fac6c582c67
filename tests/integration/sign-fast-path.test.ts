import http from 'node:http'
import type { AddressInfo } from 'node:net'
import zlib from 'node:zlib'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { createCampaign, uniqueEmail } from '../support/factories'
import { queuedEmails } from '../support/jobs'
import { routeModulesBuild } from '../support/route-table'
import { createApp } from '../../server/app'
import { getDb } from '~/utils/db.server'
import { getEnv, parseEnv, resetEnv } from '~/utils/env.server'
import { logger } from '~/utils/logger.server'
import { rateLimitKey } from '~/utils/security.server'
import { stopEventLoopWatchdog } from '~/utils/event-loop.server'

// The campaign page's form posted without JavaScript is signed before Remix in production
// (server/sign-fast-path.ts, decision 0020): through the real Express server, it must answer
// exactly as the route does, and leave to the route whatever is not a plain signature.

let server: http.Server
let base = ''
let appUrl: string | undefined

beforeAll(async () => {
  // The app is served from APP_URL's origin, as in production: Remix refuses an action whose
  // Origin is not the Host.
  let app: http.RequestListener = () => {}
  server = http.createServer((req, res) => app(req, res))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  appUrl = process.env.APP_URL
  process.env.APP_URL = base
  resetEnv()
  app = createApp({ env: getEnv(), mode: 'production', build: await routeModulesBuild(), pageCache: true })
})

afterAll(async () => {
  process.env.APP_URL = appUrl
  resetEnv()
  server?.closeAllConnections()
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()))
  stopEventLoopWatchdog()
})

const post = (path: string, values: Record<string, string>, headers: Record<string, string> = {}) =>
  fetch(`${base}${path}`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: base, ...headers },
    body: new URLSearchParams(values).toString(),
  })

/** Every sign attempt counted against the rate limits so far. */
async function signHits() {
  const { rows } = await sql<{ hits: number }>`select coalesce(sum(hits), 0)::int as hits from rate_limits where bucket like 'sign:%'`.execute(getDb())
  return rows[0]!.hits
}

describe('the sign fast path', () => {
  it('signs, queues the confirmation in the same statement and redirects with the sent-email cookie', async () => {
    const campaign = await createCampaign(getDb())
    const email = uniqueEmail()
    const response = await post(`/campaigns/${campaign.slug}`, { fullName: 'Grace Hopper', email, country: 'GB' })
    expect(response.status).toBe(302)
    expect(response.headers.get('location')).toBe(`/campaigns/${campaign.slug}/check-your-email#main`)
    expect(response.headers.get('cache-control')).toBe('no-store')
    expect(response.headers.get('set-cookie')).toMatch(new RegExp(`^chorus_sent=.+Path=/campaigns/${campaign.slug}/;.*HttpOnly`, 'i'))
    // The security headers of every response.
    expect(response.headers.get('content-security-policy')).toContain("default-src 'self'")
    const signatures = await getDb().selectFrom('signatures').select(['id', 'state']).where('campaign_id', '=', campaign.id).execute()
    expect(signatures).toEqual([{ id: expect.any(String), state: 'pending' }])
    const emails = await queuedEmails('signature-confirmation')
    expect(emails.filter((queued) => queued.payload.signatureId === signatures[0]!.id)).toHaveLength(1)
  })

  it('leaves a refusal to the page, counting the attempt once', async () => {
    const campaign = await createCampaign(getDb())
    const before = await signHits()
    const response = await post(`/campaigns/${campaign.slug}`, { fullName: '', email: 'not-an-email', country: 'GB' })
    expect(response.status).toBe(400)
    // The route's answer (this test build renders the action's data): the form's own errors.
    const body = (await response.json()) as Record<string, { result: { error: Record<string, string[]> } }>
    expect(body['campaigns.$slug']!.result.error.email).toEqual(['sign.error.emailInvalid'])
    expect(await signHits()).toBe(before + 1)
    expect(await getDb().selectFrom('signatures').select('id').where('campaign_id', '=', campaign.id).execute()).toHaveLength(0)
  })

  it('writes its redirect uncompressed and the page of a refusal compressed, as Accept-Encoding allows', async () => {
    const campaign = await createCampaign(getDb())
    const headers = { 'Accept-Encoding': 'gzip' }
    const signed = await post(`/campaigns/${campaign.slug}`, { fullName: 'Grace Hopper', email: uniqueEmail(), country: 'GB' }, headers)
    expect(signed.status).toBe(302)
    expect(signed.headers.get('content-encoding')).toBeNull()
    const refused = await post(`/campaigns/${campaign.slug}`, { fullName: '', email: 'not-an-email', country: 'GB' }, headers)
    expect(refused.status).toBe(400)
    expect(refused.headers.get('content-encoding')).toBe('gzip')
    const body = (await refused.json()) as Record<string, { result: { error: Record<string, string[]> } }>
    expect(body['campaigns.$slug']!.result.error.email).toEqual(['sign.error.emailInvalid'])
  })

  it('serves the cached page compressed once, and leaves what it does not cache to the compression middleware', async () => {
    // The page cache sits before the compression middleware (it holds its entries compressed):
    // what it answers and what it passes on must both still be compressed as Accept-Encoding allows.
    const campaign = await createCampaign(getDb(), {
      // Long enough (over 512 bytes of JSON) for the cache to keep it compressed.
      title: 'Chechnya: find and prosecute everyone who abducted, secretly detained, tortured and killed gay men, and protect those who survived',
      target_name: 'The Prosecutor General of the Russian Federation and the Investigative Committee',
      target_role: 'Investigate the abduction, secret detention, torture and killing of gay men in Chechnya',
    })
    const get = (path: string, headers: Record<string, string>) =>
      new Promise<{ headers: http.IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
        http
          .get(`${base}${path}`, { headers }, (res) => {
            const chunks: Buffer[] = []
            res.on('data', (chunk: Buffer) => chunks.push(chunk))
            res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }))
          })
          .on('error', reject)
      })
    const cached = await get(`/api/campaigns/${campaign.slug}`, { 'Accept-Encoding': 'br' })
    expect(cached.headers['content-encoding']).toBe('br')
    expect(cached.headers.etag).toBeDefined()
    const again = await get(`/api/campaigns/${campaign.slug}`, { 'Accept-Encoding': 'br' })
    expect(again.body.equals(cached.body)).toBe(true)
    const identity = await get(`/api/campaigns/${campaign.slug}`, { 'Accept-Encoding': 'identity' })
    expect(identity.headers['content-encoding']).toBeUndefined()
    expect(zlib.brotliDecompressSync(cached.body).toString()).toBe(identity.body.toString())
    // A visitor with a session is not served from the cache: compressed per response, no ETag of the cache's.
    const personal = await get(`/api/campaigns/${campaign.slug}`, { 'Accept-Encoding': 'gzip', Cookie: '__session=someone' })
    expect(personal.headers.etag).toBeUndefined()
    expect(personal.headers['content-encoding']).toBe('gzip')
    expect(JSON.parse(zlib.gunzipSync(personal.body).toString())).toEqual(JSON.parse(identity.body.toString()))
  })

  it('leaves a campaign that is not there to the route, and a post with a query string (JavaScript) too', async () => {
    const missing = await post('/campaigns/no-such-campaign-here', { fullName: 'Grace Hopper', email: uniqueEmail(), country: 'GB' })
    expect(missing.status).toBe(404)
    const campaign = await createCampaign(getDb())
    const withQuery = await post(`/campaigns/${campaign.slug}?index`, { fullName: 'Grace Hopper', email: uniqueEmail(), country: 'GB' })
    expect(withQuery.status).toBe(302)
    expect(await getDb().selectFrom('signatures').select('id').where('campaign_id', '=', campaign.id).execute()).toHaveLength(1)
  })

  it('refuses a campaign closed a moment after a signature (the fast path may still hold it as read), counting the attempt once', async () => {
    const campaign = await createCampaign(getDb())
    expect((await post(`/campaigns/${campaign.slug}`, { fullName: 'Grace Hopper', email: uniqueEmail(), country: 'GB' })).status).toBe(302)
    await getDb().updateTable('campaigns').set({ status: 'closed' }).where('id', '=', campaign.id).execute()
    const before = await signHits()
    const late = await post(`/campaigns/${campaign.slug}`, { fullName: 'Ada Lovelace', email: uniqueEmail(), country: 'GB' })
    expect(late.status).toBe(403)
    const body = (await late.json()) as Record<string, { result: { error: Record<string, string[]> } }>
    expect(body['campaigns.$slug']!.result.error['']).toEqual(['sign.error.closed'])
    expect(await signHits()).toBe(before + 1)
    expect(await getDb().selectFrom('signatures').select('id').where('campaign_id', '=', campaign.id).execute()).toHaveLength(1)
  })

  it('refuses a body over the public cap with 413, chunked or declared, and writes nothing', async () => {
    const campaign = await createCampaign(getDb())
    const huge = 'x'.repeat(70 * 1024)
    const declared = await post(`/campaigns/${campaign.slug}`, { fullName: huge, email: uniqueEmail(), country: 'GB' })
    expect(declared.status).toBe(413)
    const chunked = await new Promise<number>((resolve, reject) => {
      const request = http.request(`${base}/campaigns/${campaign.slug}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'Transfer-Encoding': 'chunked', Origin: base },
      })
      request.on('response', (response) => resolve(response.statusCode ?? 0))
      request.on('error', reject)
      for (let i = 0; i < 80; i++) request.write(`fullName=${'y'.repeat(1024)}&`)
      request.end()
    })
    expect(chunked).toBe(413)
    expect(await getDb().selectFrom('signatures').select('id').where('campaign_id', '=', campaign.id).execute()).toHaveLength(0)
  })

  it('lets a client go that leaves mid-body: nothing written, and the next signer is answered', async () => {
    const campaign = await createCampaign(getDb())
    await new Promise<void>((resolve, reject) => {
      const request = http.request(`${base}/campaigns/${campaign.slug}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'Content-Length': '1000', Origin: base },
      })
      request.on('error', () => resolve())
      request.on('response', () => reject(new Error('an answer to a body never finished')))
      request.write('fullName=Grace+Hopper&email=')
      setTimeout(() => {
        request.destroy()
        resolve()
      }, 100)
    })
    const next = await post(`/campaigns/${campaign.slug}`, { fullName: 'Ada Lovelace', email: uniqueEmail(), country: 'GB' })
    expect(next.status).toBe(302)
    expect(await getDb().selectFrom('signatures').select('full_name').where('campaign_id', '=', campaign.id).execute()).toHaveLength(1)
  })

  it('answers a body that is not UTF-8 with a 4xx, never a 500', async () => {
    const campaign = await createCampaign(getDb())
    const response = await fetch(`${base}/campaigns/${campaign.slug}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: base },
      body: Buffer.from([0x66, 0x75, 0x6c, 0x6c, 0x4e, 0x61, 0x6d, 0x65, 0x3d, 0xff, 0xfe]),
    })
    expect(response.status).toBeGreaterThanOrEqual(400)
    expect(response.status).toBeLessThan(500)
  })

  it('leaves a form over its own 16 KB cap (but within the public one) to the route: 413, nothing written', async () => {
    const campaign = await createCampaign(getDb())
    const response = await post(`/campaigns/${campaign.slug}`, { fullName: 'x'.repeat(20 * 1024), email: uniqueEmail(), country: 'GB' })
    expect(response.status).toBe(413)
    expect(await getDb().selectFrom('signatures').select('id').where('campaign_id', '=', campaign.id).execute()).toHaveLength(0)
  })

  it('signs in the language getLocale would choose: the switcher cookie, then Accept-Language', async () => {
    const campaign = await createCampaign(getDb())
    const byHeader = uniqueEmail()
    const byCookie = uniqueEmail()
    expect(
      (await post(`/campaigns/${campaign.slug}`, { fullName: 'Анна', email: byHeader, country: 'GB' }, { 'Accept-Language': 'ru-RU,ru;q=0.9' })).status,
    ).toBe(302)
    const cookieAnswer = await post(
      `/campaigns/${campaign.slug}`,
      { fullName: 'Grace Hopper', email: byCookie, country: 'GB' },
      { 'Accept-Language': 'ru', Cookie: 'chorus_lang=en' },
    )
    expect(cookieAnswer.status).toBe(302)
    const rows = await getDb().selectFrom('signatures').select(['locale', 'id']).where('campaign_id', '=', campaign.id).orderBy('id').execute()
    expect(rows.map((row) => row.locale)).toEqual(['ru', 'en'])
  })

  it('refuses, in its one statement, a client another process counted to its limit, and then before reading its body', async () => {
    process.env.SIGN_RATE_LIMIT = '3'
    resetEnv()
    try {
      const campaign = await createCampaign(getDb())
      expect((await post(`/campaigns/${campaign.slug}`, { fullName: 'Grace Hopper', email: uniqueEmail(), country: 'GB' })).status).toBe(302)
      // Hits this process never saw (another web process's): its own look still lets the client
      // through, and the database refuses.
      await sql`update rate_limits set hits = 3 where bucket like 'sign:%'`.execute(getDb())
      const refused = await post(`/campaigns/${campaign.slug}`, { fullName: 'Ada Lovelace', email: uniqueEmail(), country: 'GB' })
      expect(refused.status).toBe(429)
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0)
      // Now this process knows: a body that never ends is not waited for.
      const status = await new Promise<number>((resolve, reject) => {
        const request = http.request(`${base}/campaigns/${campaign.slug}`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'Transfer-Encoding': 'chunked', Origin: base },
        })
        request.on('response', (response) => {
          resolve(response.statusCode ?? 0)
          request.destroy()
        })
        request.on('error', reject)
        request.write('fullName=')
      })
      expect(status).toBe(429)
      expect(await getDb().selectFrom('signatures').select('id').where('campaign_id', '=', campaign.id).execute()).toHaveLength(1)
    } finally {
      delete process.env.SIGN_RATE_LIMIT
      resetEnv()
    }
  })
})

describe('the sign front, ahead of Express', () => {
  /** The request log lines written while `run` runs (each is written once its answer is finished). */
  async function requestLines(run: () => Promise<void>) {
    const lines: Record<string, unknown>[] = []
    const spy = vi.spyOn(logger, 'info').mockImplementation(((entry: Record<string, unknown>, message?: string) => {
      if (message === 'request') lines.push(entry)
    }) as never)
    try {
      await run()
      await new Promise((resolve) => setTimeout(resolve, 50))
    } finally {
      spy.mockRestore()
    }
    return lines
  }

  it("answers with every response's security headers, a policy allowing no inline script, and one log line; a refusal it hands on is the page's, logged once", async () => {
    const campaign = await createCampaign(getDb())
    let signed: Response | undefined
    let refused: Response | undefined
    const lines = await requestLines(async () => {
      signed = await post(`/campaigns/${campaign.slug}`, { fullName: 'Grace Hopper', email: uniqueEmail(), country: 'GB' })
      refused = await post(`/campaigns/${campaign.slug}`, { fullName: '', email: 'not-an-email', country: 'GB' })
      await refused.text()
    })
    expect(signed!.status).toBe(302)
    const csp = signed!.headers.get('content-security-policy')!
    expect(csp).toContain("script-src 'self';")
    expect(csp).toContain("frame-ancestors 'none'")
    expect(csp).not.toMatch(/nonce|unsafe-inline/)
    expect(signed!.headers.get('x-frame-options')).toBe('DENY')
    expect(signed!.headers.get('x-content-type-options')).toBe('nosniff')
    expect(signed!.headers.get('referrer-policy')).toBe('same-origin')
    expect(signed!.headers.get('cross-origin-opener-policy')).toBe('same-origin')
    expect(signed!.headers.get('permissions-policy')).toContain('camera=()')
    // The route rendered the refusal: its policy carries that response's own nonce.
    expect(refused!.status).toBe(400)
    expect(refused!.headers.get('content-security-policy')).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]+'/)
    expect(refused!.headers.get('x-frame-options')).toBe('DENY')
    const path = `/campaigns/${campaign.slug}`
    expect(lines.map(({ method, path, status }) => ({ method, path, status }))).toEqual([
      { method: 'POST', path, status: 302 },
      { method: 'POST', path, status: 400 },
    ])
  })

  it("answers a campaign page and its JSON from the page cache ahead of Express: every response's security headers, the policy by hashes, no nonce, one log line", async () => {
    const campaign = await createCampaign(getDb())
    const path = `/campaigns/${campaign.slug}`
    const responses: Response[] = []
    const lines = await requestLines(async () => {
      for (const [url, headers] of [
        [path, {}],
        [path, {}],
        [`/api${path}`, {}],
        [path, { Cookie: '__session=someone' }],
      ] as const) {
        const response = await fetch(`${base}${url}`, { headers })
        await response.arrayBuffer()
        responses.push(response)
      }
      const etag = responses[0]!.headers.get('etag')!
      const revalidated = await fetch(`${base}${path}`, { headers: { 'If-None-Match': etag } })
      responses.push(revalidated)
      const head = await fetch(`${base}${path}`, { method: 'HEAD' })
      responses.push(head)
    })
    const [page, again, json, personal, revalidated, head] = responses as [Response, Response, Response, Response, Response, Response]
    for (const response of [page, again, json, revalidated, head]) {
      expect(response.headers.get('x-frame-options')).toBe('DENY')
      expect(response.headers.get('x-content-type-options')).toBe('nosniff')
      expect(response.headers.get('referrer-policy')).toBe('same-origin')
      expect(response.headers.get('cross-origin-opener-policy')).toBe('same-origin')
      expect(response.headers.get('permissions-policy')).toContain('camera=()')
      expect(response.headers.get('content-security-policy')).not.toMatch(/nonce|unsafe-inline/)
      expect(response.headers.get('etag')).toMatch(/^W\/"/)
    }
    // The page's inline scripts (if any) by hash, the same policy for every visitor; the JSON runs none.
    expect(page.headers.get('content-security-policy')).toMatch(/script-src 'self'( 'sha256-[A-Za-z0-9+/=]+')*;/)
    expect(again.headers.get('content-security-policy')).toBe(page.headers.get('content-security-policy'))
    expect(json.headers.get('content-security-policy')).toContain("script-src 'self';")
    expect(revalidated.status).toBe(304)
    expect(head.status).toBe(200)
    expect(head.headers.get('content-length')).toBe(page.headers.get('content-length'))
    // A visitor with a session is Express's: rendered for them, with a nonce of its own.
    expect(personal.status).toBe(200)
    expect(personal.headers.get('etag')).toBeNull()
    expect(personal.headers.get('content-security-policy')).toMatch(/'nonce-[A-Za-z0-9+/=]+'/)
    expect(lines.map(({ method, path, status }) => ({ method, path, status }))).toEqual([
      { method: 'GET', path, status: 200 },
      { method: 'GET', path, status: 200 },
      { method: 'GET', path: `/api${path}`, status: 200 },
      { method: 'GET', path, status: 200 },
      { method: 'GET', path, status: 304 },
      { method: 'HEAD', path, status: 200 },
    ])
    // Still Express's refusals: a NUL in the path, a GET declaring a body.
    expect((await fetch(`${base}${path}%00`)).status).toBe(400)
    const declared = await new Promise<number>((resolve, reject) => {
      const request = http.request(`${base}${path}`, { method: 'GET', headers: { 'Content-Length': String(2_000_000) } }, (res) => resolve(res.statusCode!))
      request.on('error', reject)
      request.end()
    })
    expect(declared).toBe(413)
  })

  it('refuses a post from another site (or an opaque origin) with 403, counting and writing nothing', async () => {
    const campaign = await createCampaign(getDb())
    const before = await signHits()
    for (const origin of ['https://evil.example', 'null', 'not a url']) {
      const response = await post(`/campaigns/${campaign.slug}`, { fullName: 'Grace Hopper', email: uniqueEmail(), country: 'GB' }, { Origin: origin })
      expect(response.status, origin).toBe(403)
      expect(await response.text()).toBe('Cross-site form submissions are refused.')
      expect(response.headers.get('x-frame-options')).toBe('DENY')
    }
    // A forwarded host is believed only from a trusted proxy, and none is configured here.
    const forwarded = await post(
      `/campaigns/${campaign.slug}`,
      { fullName: 'Grace Hopper', email: uniqueEmail(), country: 'GB' },
      { Origin: 'https://evil.example', 'X-Forwarded-Host': 'evil.example', 'X-Forwarded-Proto': 'https' },
    )
    expect(forwarded.status).toBe(403)
    expect(await signHits()).toBe(before)
    expect(await getDb().selectFrom('signatures').select('id').where('campaign_id', '=', campaign.id).execute()).toHaveLength(0)
  })

  it('counts a signer by the address the trusted proxies name, and believes only their forwarded origin', async () => {
    const env = { ...getEnv(), TRUST_PROXY: parseEnv({ ...process.env, TRUST_PROXY: 'loopback' }).TRUST_PROXY }
    const proxied = http.createServer(createApp({ env, mode: 'production', build: await routeModulesBuild(), pageCache: true }))
    await new Promise<void>((resolve) => proxied.listen(0, '127.0.0.1', resolve))
    const proxiedBase = `http://127.0.0.1:${(proxied.address() as AddressInfo).port}`
    try {
      const campaign = await createCampaign(getDb())
      const client = `203.0.113.${Math.floor(Math.random() * 250) + 1}`
      const spoofed = '198.51.100.77'
      const bucketHits = async (address: string) =>
        (
          await getDb()
            .selectFrom('rate_limits')
            .select('hits')
            .where('bucket', '=', `sign:${rateLimitKey(address)}`)
            .execute()
        ).reduce((sum, row) => sum + row.hits, 0)
      const before = { client: await bucketHits(client), spoofed: await bucketHits(spoofed) }
      const send = (headers: Record<string, string>) =>
        fetch(`${proxiedBase}/campaigns/${campaign.slug}`, {
          method: 'POST',
          redirect: 'manual',
          headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-Forwarded-For': `${spoofed}, ${client}`, ...headers },
          body: new URLSearchParams({ fullName: 'Grace Hopper', email: uniqueEmail(), country: 'GB' }).toString(),
        })
      // The site as the proxy served it: its origin is ours there.
      const viaProxy = { 'X-Forwarded-Host': 'petitions.example.org', 'X-Forwarded-Proto': 'https' }
      expect((await send({ ...viaProxy, Origin: 'https://petitions.example.org' })).status).toBe(302)
      expect((await send({ ...viaProxy, Origin: 'https://evil.example' })).status).toBe(403)
      expect((await send({ Origin: base })).status).toBe(302)
      // The right-most address no trusted proxy wrote is the client; the left-most is its own words.
      expect(await bucketHits(client)).toBe(before.client + 2)
      expect(await bucketHits(spoofed)).toBe(before.spoofed)
      expect(await getDb().selectFrom('signatures').select('id').where('campaign_id', '=', campaign.id).execute()).toHaveLength(2)
    } finally {
      proxied.closeAllConnections()
      await new Promise<void>((resolve) => proxied.close(() => resolve()))
    }
  })
})
