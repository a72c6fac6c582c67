import { afterEach, describe, expect, it } from 'vitest'
import { createCampaign, uniqueEmail } from '../support/factories'
import { queuedEmails } from '../support/jobs'
import { callRoute, form } from '../support/routes'
import { action, loader } from '~/routes/campaigns.$slug'
import { confirmSignature } from '~/models/signature.server'
import { getDb } from '~/utils/db.server'
import { resetEnv } from '~/utils/env.server'

const valid = (email = uniqueEmail()) => ({ fullName: 'Grace Hopper', email, country: 'US', postcode: '10001' })
const post = (slug: string, values: Record<string, string>, ip?: string) =>
  callRoute(action, { url: `/campaigns/${slug}`, method: 'POST', body: form(values), params: { slug }, ip })

afterEach(() => {
  delete process.env.SIGN_RATE_LIMIT
  resetEnv()
})

describe('POST /campaigns/:slug', () => {
  it('answers a new, a pending and a confirmed address the same way', async () => {
    const campaign = await createCampaign(getDb())
    const email = uniqueEmail()
    const first = await post(campaign.slug, valid(email))
    const second = await post(campaign.slug, valid(email))
    const token = (await queuedEmails('signature-confirmation'))[0]!.payload.token
    await confirmSignature(token!)
    const third = await post(campaign.slug, valid(email.toUpperCase()))
    for (const response of [first, second, third]) {
      expect(response.status).toBe(302)
      expect(response.headers.get('Location')).toBe(`/campaigns/${campaign.slug}/check-your-email#main`)
      expect(response.headers.get('Cache-Control')).toBe('no-store')
    }
    expect(await getDb().selectFrom('signatures').selectAll().execute()).toHaveLength(1)
  })

  it('answers invalid input with 400, field errors and the values typed', async () => {
    const campaign = await createCampaign(getDb())
    const response = await post(campaign.slug, { fullName: '=cmd()', email: 'nope', country: 'ZZ', postcode: 'E1' })
    expect(response.status).toBe(400)
    expect(response.data.result.error).toMatchObject({
      fullName: ['sign.error.nameFormula'],
      email: ['sign.error.emailInvalid'],
      country: ['sign.error.countryRequired'],
    })
    expect(response.data.result.initialValue).toMatchObject({ fullName: '=cmd()', email: 'nope', postcode: 'E1' })
    expect(await getDb().selectFrom('signatures').selectAll().execute()).toHaveLength(0)
  })

  it('answers an oversized body with a 4xx and a message, never a 500', async () => {
    const campaign = await createCampaign(getDb())
    const response = await post(campaign.slug, { ...valid(), fullName: 'x'.repeat(40_000) })
    expect(response.status).toBe(413)
    expect(response.data).toMatchObject({ error: 'error.formTooLarge', message: expect.stringContaining('too large') })
  })

  it('answers a body that is not a form, or not UTF-8, with a 4xx', async () => {
    const campaign = await createCampaign(getDb())
    const json = await callRoute(action, {
      url: `/campaigns/${campaign.slug}`,
      method: 'POST',
      body: JSON.stringify(valid()),
      headers: { 'Content-Type': 'application/json' },
      params: { slug: campaign.slug },
    })
    expect(json.status).toBe(400)
    expect(json.data.error).toBe('error.formEncoding')
    const broken = await callRoute(action, {
      url: `/campaigns/${campaign.slug}`,
      method: 'POST',
      body: new Uint8Array([0x66, 0x75, 0x6c, 0x6c, 0x3d, 0xff, 0xfe]),
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      params: { slug: campaign.slug },
    })
    expect(broken.status).toBe(400)
    expect(await getDb().selectFrom('signatures').selectAll().execute()).toHaveLength(0)
  })

  it('limits signing per address with a 429, decided before the body is read', async () => {
    process.env.SIGN_RATE_LIMIT = '2'
    resetEnv()
    const campaign = await createCampaign(getDb())
    expect((await post(campaign.slug, valid(), '192.0.2.50')).status).toBe(302)
    expect((await post(campaign.slug, valid(), '192.0.2.50')).status).toBe(302)
    const email = uniqueEmail()
    const limited = await post(campaign.slug, valid(email), '192.0.2.50')
    expect(limited.status).toBe(429)
    expect(Number(limited.headers.get('Retry-After'))).toBeGreaterThan(0)
    expect(limited.data.result.error['']).toEqual(['sign.error.rateLimited'])
    // Refused before the body is read: nothing of it was parsed or comes back.
    expect(limited.data.result.initialValue).toEqual({})
    expect(JSON.stringify(limited.data)).not.toContain(email)
    // Another address is not affected.
    expect((await post(campaign.slug, valid(), '192.0.2.51')).status).toBe(302)
    expect(await getDb().selectFrom('signatures').selectAll().execute()).toHaveLength(3)
    // Nothing about the address itself is stored.
    const buckets = await getDb().selectFrom('rate_limits').select('bucket').execute()
    expect(JSON.stringify(buckets)).not.toContain('192.0.2.50')
  })

  it('refuses a closed campaign with 403 and a draft with 404', async () => {
    const closed = await createCampaign(getDb(), { status: 'closed' })
    const refused = await post(closed.slug, valid())
    expect(refused.status).toBe(403)
    expect(refused.data.result.error['']).toEqual(['sign.error.closed'])
    const pastClosingDate = await createCampaign(getDb(), { closes_at: new Date(Date.now() - 1000) })
    expect((await post(pastClosingDate.slug, valid())).status).toBe(403)
    const draft = await createCampaign(getDb(), { status: 'draft' })
    expect((await post(draft.slug, valid())).status).toBe(404)
    expect(await getDb().selectFrom('signatures').selectAll().execute()).toHaveLength(0)
  })

  it('drops a honeypot submission silently with the same answer', async () => {
    const campaign = await createCampaign(getDb())
    const response = await post(campaign.slug, { ...valid(), website: 'https://bot.example' })
    expect(response.status).toBe(302)
    expect(await getDb().selectFrom('signatures').selectAll().execute()).toHaveLength(0)
  })
})

describe('GET /campaigns/:slug', () => {
  it('serves live and closed campaigns with CDN-friendly cache headers, and 404s drafts', async () => {
    const live = await createCampaign(getDb(), { story: 'Hello <script>alert(1)</script> [x](javascript:alert(1)) **bold**' })
    const response = await callRoute(loader, { url: `/campaigns/${live.slug}`, params: { slug: live.slug } })
    expect(response.status).toBe(200)
    expect(response.headers.get('Cache-Control')).toMatch(/max-age=\d+.*stale-while-revalidate=\d+/)
    expect(response.data.campaign.storyHtml).toContain('<strong>bold</strong>')
    expect(response.data.campaign.storyHtml).not.toContain('<script')
    expect(response.data.campaign.storyHtml).not.toMatch(/href="javascript:/i)
    expect(response.data.campaign.signable).toBe(true)
    const closed = await createCampaign(getDb(), { status: 'closed' })
    const closedPage = await callRoute(loader, { url: `/campaigns/${closed.slug}`, params: { slug: closed.slug } })
    expect(closedPage.data.campaign.signable).toBe(false)
    const draft = await createCampaign(getDb(), { status: 'draft' })
    expect((await callRoute(loader, { url: `/campaigns/${draft.slug}`, params: { slug: draft.slug } })).status).toBe(404)
  })
})
