import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createCampaign, uniqueEmail } from '../support/factories'
import { queuedEmails } from '../support/jobs'
import { routeModulesBuild } from '../support/route-table'
import { createApp } from '../../server/app'
import { getDb } from '~/utils/db.server'
import { getEnv, resetEnv } from '~/utils/env.server'
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
})
