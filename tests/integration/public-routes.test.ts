import http from 'node:http'
import type { AddressInfo } from 'node:net'
import type { ServerBuild } from '@remix-run/node'
import { afterEach, describe, expect, it } from 'vitest'
import { createCampaign, createSignature, uniqueEmail } from '../support/factories'
import { runDueJobs, queuedEmails } from '../support/jobs'
import { callRoute, form } from '../support/routes'
import { createApp } from '../../server/app'
import { foldConfirmedSignatures } from '~/models/signature-count.server'
import { signCampaign } from '~/models/signature.server'
import { loader as apiLoader, action as apiAction } from '~/routes/api.campaigns.$slug'
import { action as confirmAction, loader as confirmLoader } from '~/routes/confirm.$token'
import { loader as mailboxLoader } from '~/routes/dev.mailbox'
import { closeDb, getDb } from '~/utils/db.server'
import { getEnv, resetEnv } from '~/utils/env.server'

async function pendingSignature() {
  const campaign = await createCampaign(getDb())
  const email = uniqueEmail()
  await signCampaign(
    { id: campaign.id, consentVersion: 'v' },
    { fullName: 'Ada', email, country: 'GB' },
    {
      ip: '192.0.2.1',
      userAgent: null,
      locale: 'en',
    },
  )
  const token = (await queuedEmails('signature-confirmation'))[0]!.payload.token as string
  return { campaign, email, token }
}

describe('/confirm/:token', () => {
  it('GET shows the campaign and confirms nothing; POST confirms and redirects to the thank-you page', async () => {
    const { campaign, token } = await pendingSignature()
    const page = await callRoute(confirmLoader, { url: `/confirm/${token}`, params: { token } })
    expect(page.status).toBe(200)
    expect(page.data).toMatchObject({ state: 'pending', campaign: { slug: campaign.slug } })
    expect(page.headers.get('Cache-Control')).toBe('no-store')
    expect((await getDb().selectFrom('signatures').select('state').executeTakeFirstOrThrow()).state).toBe('pending')

    const confirmed = await callRoute(confirmAction, { url: `/confirm/${token}`, method: 'POST', body: form({}), params: { token } })
    expect(confirmed.status).toBe(302)
    expect(confirmed.headers.get('Location')).toBe(`/campaigns/${campaign.slug}/thank-you`)
    expect((await getDb().selectFrom('signatures').select('state').executeTakeFirstOrThrow()).state).toBe('confirmed')

    const again = await callRoute(confirmAction, { url: `/confirm/${token}`, method: 'POST', body: form({}), params: { token } })
    expect(again.status).toBe(404)
    expect(again.data.state).toBe('invalid')
    const used = await callRoute(confirmLoader, { url: `/confirm/${token}`, params: { token } })
    expect(used.status).toBe(404)
  })

  it('offers no button once the petition has passed its closing date', async () => {
    const { campaign, token } = await pendingSignature()
    await getDb()
      .updateTable('campaigns')
      .set({ closes_at: new Date(Date.now() - 1000) })
      .where('id', '=', campaign.id)
      .execute()
    const page = await callRoute(confirmLoader, { url: `/confirm/${token}`, params: { token } })
    expect(page.data.state).toBe('closed')
  })

  it('answers unknown and malformed tokens with the invalid-link page', async () => {
    for (const token of ['A'.repeat(43), 'short', '../../etc/passwd', '%00']) {
      const page = await callRoute(confirmLoader, { url: `/confirm/x`, params: { token } })
      expect(page.status).toBe(404)
      expect(page.data.state).toBe('invalid')
    }
  })
})

describe('GET /api/campaigns/:slug', () => {
  it('publishes confirmed counts only, by country, with CORS and cache headers', async () => {
    const campaign = await createCampaign(getDb(), { signature_goal: 500 })
    for (const country of ['UA', 'UA', 'PL']) await createSignature(getDb(), { campaign_id: campaign.id, state: 'confirmed', country })
    await createSignature(getDb(), { campaign_id: campaign.id, state: 'pending', country: 'DE' })
    await foldConfirmedSignatures()
    const response = await callRoute(apiLoader, { url: `/api/campaigns/${campaign.slug}`, params: { slug: campaign.slug } })
    expect(response.status).toBe(200)
    expect(response.data).toEqual({
      slug: campaign.slug,
      title: campaign.title,
      status: 'live',
      locale: 'en',
      target: { name: campaign.target_name, role: campaign.target_role },
      goal: 500,
      signatureCount: 3,
      signaturesByCountry: { UA: 2, PL: 1 },
      // The campaign does not show its donation totals (decision 0004).
      donations: null,
      updatedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      // Updates, milestones, deliveries and responses (decision 0012): none yet.
      timeline: [],
    })
    expect(response.headers.get('Access-Control-Allow-Origin')).toBe('*')
    expect(response.headers.get('Cache-Control')).toMatch(/public, max-age=\d+, stale-while-revalidate=\d+/)
    expect(JSON.stringify(response.data)).not.toContain('@example.org')
  })

  it('404s drafts and unknown slugs, and answers CORS preflights', async () => {
    const draft = await createCampaign(getDb(), { status: 'draft' })
    expect((await callRoute(apiLoader, { url: `/api/campaigns/${draft.slug}`, params: { slug: draft.slug } })).status).toBe(404)
    expect((await callRoute(apiLoader, { url: '/api/campaigns/nope', params: { slug: 'nope' } })).status).toBe(404)
    const preflight = await callRoute(apiAction, { url: '/api/campaigns/x', method: 'OPTIONS', params: { slug: 'x' } })
    expect(preflight.status).toBe(204)
    expect(preflight.headers.get('Access-Control-Allow-Methods')).toContain('GET')
  })
})

describe('GET /dev/mailbox', () => {
  afterEach(() => {
    delete process.env.RESEND_API_KEY
    delete process.env.EMAIL_TRANSPORT
    process.env.EMAIL_TRANSPORT = 'mailbox'
    resetEnv()
  })

  it('shows stored emails newest first to loopback clients, filtered by recipient', async () => {
    const first = await pendingSignature()
    await pendingSignature()
    await runDueJobs()
    const all = await callRoute(mailboxLoader, { url: '/dev/mailbox', ip: '127.0.0.1' })
    expect(all.status).toBe(200)
    expect(all.data.emails).toHaveLength(2)
    expect(Number(all.data.emails[0].id)).toBeGreaterThan(Number(all.data.emails[1].id))
    expect(all.data.emails[0].body).toContain('/confirm/')
    expect(all.data.emails[0].body).not.toMatch(/<html|<body/i)
    const filtered = await callRoute(mailboxLoader, { url: `/dev/mailbox?to=${encodeURIComponent(first.email)}`, ip: '::1' })
    expect(filtered.data.emails.map((e: { recipient: string }) => e.recipient)).toEqual([first.email])
  })

  it('is a 404 for anyone else, and under the Resend transport', async () => {
    expect((await callRoute(mailboxLoader, { url: '/dev/mailbox', ip: '203.0.113.9' })).status).toBe(404)
    process.env.EMAIL_TRANSPORT = 'resend'
    process.env.RESEND_API_KEY = 're_x'
    resetEnv()
    expect(getEnv().EMAIL_TRANSPORT).toBe('resend')
    expect((await callRoute(mailboxLoader, { url: '/dev/mailbox', ip: '127.0.0.1' })).status).toBe(404)
  })
})

describe('the web server', () => {
  async function serve() {
    const app = createApp({ env: getEnv(), mode: 'production', build: async () => ({}) as ServerBuild })
    const server = http.createServer(app)
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    return { base, close: () => new Promise<void>((resolve) => server.close(() => resolve())) }
  }

  it('answers /healthz with 200 while the database is reachable and 503 when it is not', async () => {
    const { base, close } = await serve()
    try {
      const ok = await fetch(`${base}/healthz`)
      expect(ok.status).toBe(200)
      expect(await ok.json()).toMatchObject({ status: 'ok', database: 'ok', eventLoop: { blocked: false } })
      expect(ok.headers.get('content-security-policy')).toContain("default-src 'self'")
      expect(ok.headers.get('x-content-type-options')).toBe('nosniff')
      expect(ok.headers.get('x-frame-options')).toBe('DENY')

      const saved = process.env.DATABASE_URL!
      const unreachable = new URL(saved)
      unreachable.port = '1'
      process.env.DATABASE_URL = unreachable.toString()
      await closeDb()
      try {
        const down = await fetch(`${base}/healthz`)
        expect(down.status).toBe(503)
      } finally {
        await closeDb()
        process.env.DATABASE_URL = saved
      }
    } finally {
      await close()
    }
  })

  it('refuses cross-site form posts with a 403 (never a 500) and sends referrers to this site only', async () => {
    const { base, close } = await serve()
    try {
      for (const origin of ['https://evil.example', 'null', 'not a url']) {
        const response = await fetch(`${base}/campaigns/x`, {
          method: 'POST',
          headers: { Origin: origin, 'Content-Type': 'application/x-www-form-urlencoded' },
          body: 'fullName=Ada',
        })
        expect(response.status).toBe(403)
      }
      const health = await fetch(`${base}/healthz`)
      expect(health.headers.get('referrer-policy')).toBe('same-origin')
    } finally {
      await close()
    }
  })

  it('refuses an oversized request body with a 413 before reading it', async () => {
    const { base, close } = await serve()
    try {
      const response = await fetch(`${base}/campaigns/x`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: 'a='.padEnd(2 * 1024 * 1024, 'x'),
      })
      expect(response.status).toBe(413)
    } finally {
      await close()
    }
  })
})

describe('request body limits', () => {
  it('refuse large bodies, except where a route bounds its own upload (a pack CSV on /verify)', async () => {
    const { createApp: create, maxBodyBytesFor } = await import('../../server/app')
    expect(maxBodyBytesFor('/campaigns/save-the-river')).toBe(64 * 1024)
    expect(maxBodyBytesFor('/admin/campaigns/12/edit')).toBe(3 * 1024 * 1024)
    expect(maxBodyBytesFor('/verify')).toBe(256 * 1024 * 1024)

    const app = create({ env: getEnv(), mode: 'production', build: async () => ({}) as ServerBuild })
    const server = http.createServer(app)
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    try {
      // A pack naming ~50,000 signers is a CSV of about 2 MB.
      const csv = 'name,country\r\n' + 'Ada Lovelace,GB\r\n'.repeat(120_000)
      const post = (path: string) => fetch(`${base}${path}`, { method: 'POST', body: csv, headers: { 'Content-Type': 'text/csv' } })
      const elsewhere = await post('/campaigns/save-the-river')
      expect(elsewhere.status).toBe(413)
      expect(await elsewhere.text()).toBe('The request is too large.')
      const verify = await post('/verify')
      expect(await verify.text()).not.toBe('The request is too large.')
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
  })
})

describe('request logs', () => {
  it('never contain a confirmation token', async () => {
    const { redactPath } = await import('../../server/app')
    expect(redactPath('/confirm/abcDEF123_-xyz')).toBe('/confirm/:token')
    expect(redactPath('/campaigns/x')).toBe('/campaigns/x')
  })
})
