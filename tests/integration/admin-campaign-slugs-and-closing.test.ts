import { describe, expect, it } from 'vitest'
import { createAdmin } from '../support/admin'
import { createCampaign } from '../support/factories'
import { makeJobsDue, queuedJobs, runDueJobs } from '../support/jobs'
import { callRoute, form } from '../support/routes'
import { cronItems } from '~/jobs/index.server'
import { updateCampaignContent } from '~/models/admin-campaign.server'
import { requireAdminCampaign } from '~/http/campaign.server'
import { loader as apiLoader } from '~/routes/api.campaigns.$slug'
import { action as signAction, loader as campaignLoader } from '~/routes/campaigns.$slug'
import { loader as checkEmailLoader } from '~/routes/campaigns.$slug_.check-your-email'
import { loader as thanksLoader } from '~/routes/campaigns.$slug_.thank-you'
import type { AdminContext } from '~/utils/permissions'
import { getDb } from '~/utils/db.server'
import { enqueueJob } from '~/jobs/enqueue.server'

async function renamedCampaign(status: 'live' | 'closed' | 'draft' = 'live') {
  const owner = await createAdmin(getDb(), { role: 'owner' })
  const admin: AdminContext = {
    user: { id: owner.user.id, email: owner.user.email, name: null },
    organisation: { id: owner.organisation.id, slug: owner.organisation.slug, name: owner.organisation.name },
    role: 'owner',
    sessionId: owner.session.id,
    csrfToken: owner.csrfToken,
  }
  const row = await createCampaign(getDb(), { organisation_id: owner.organisation.id, slug: 'old-name', status })
  const campaign = await requireAdminCampaign(admin, row.id)
  const result = await updateCampaignContent(
    admin,
    row.id,
    'en',
    {
      content: campaign.content.en!,
      settings: { ...campaign.settings, slug: 'new-name', closes_at: null },
      milestones: [],
    },
    campaign.version,
  )
  expect(result.status).toBe('saved')
  return row
}

describe('a changed slug', () => {
  it('answers the old page, its sub-pages and its JSON with a 301 to the new slug, query kept', async () => {
    await renamedCampaign()
    const cases: [(args: any) => Promise<unknown>, string, Record<string, string>, string][] = [
      [campaignLoader, '/campaigns/old-name?utm_source=newsletter', { slug: 'old-name' }, '/campaigns/new-name?utm_source=newsletter'],
      [thanksLoader, '/campaigns/old-name/thank-you', { slug: 'old-name' }, '/campaigns/new-name/thank-you'],
      [checkEmailLoader, '/campaigns/old-name/check-your-email', { slug: 'old-name' }, '/campaigns/new-name/check-your-email'],
      [apiLoader, '/api/campaigns/old-name?lang=ru', { slug: 'old-name' }, '/api/campaigns/new-name?lang=ru'],
    ]
    for (const [loader, url, params, location] of cases) {
      const outcome = await callRoute(loader, { url, params })
      expect(outcome.status, url).toBe(301)
      expect(outcome.headers.get('Location'), url).toBe(location)
    }
    const api = await callRoute(apiLoader, { url: '/api/campaigns/old-name', params: { slug: 'old-name' } })
    expect(api.headers.get('Access-Control-Allow-Origin')).toBe('*')

    // A signature sent to the old address is sent again to the new one (308 keeps the POST).
    const signed = await callRoute(signAction, {
      url: '/campaigns/old-name',
      method: 'POST',
      params: { slug: 'old-name' },
      body: form({ fullName: 'Ada Lovelace', email: 'ada@example.org', country: 'GB' }),
    })
    expect(signed.status).toBe(308)
    expect(signed.headers.get('Location')).toBe('/campaigns/new-name')
    expect(await getDb().selectFrom('signatures').select('id').execute()).toEqual([])

    const current = await callRoute(campaignLoader, { url: '/campaigns/new-name', params: { slug: 'new-name' } })
    expect(current.status).toBe(200)
    expect(current.data.campaign.slug).toBe('new-name')
  })

  it('is a 404, not a redirect, for unknown slugs and for drafts', async () => {
    await renamedCampaign('draft')
    for (const slug of ['old-name', 'never-existed']) {
      const outcome = await callRoute(campaignLoader, { url: `/campaigns/${slug}`, params: { slug } })
      expect(outcome.status).toBe(404)
    }
  })
})

describe('closing at the closing date', () => {
  it('is a job the worker runs every minute, closing live campaigns past their date', async () => {
    expect(cronItems.map((c) => [c.task, c.identifier])).toContainEqual(['close-due-campaigns', 'close-due-campaigns'])
    const due = await createCampaign(getDb(), { closes_at: new Date(Date.now() - 60_000) })
    const later = await createCampaign(getDb(), { closes_at: new Date(Date.now() + 3_600_000) })
    await enqueueJob(getDb(), 'close-due-campaigns', {})
    await makeJobsDue()
    await runDueJobs()
    expect(await queuedJobs('close-due-campaigns')).toEqual([])
    const rows = await getDb().selectFrom('campaigns').select(['id', 'status', 'closed_at']).orderBy('id').execute()
    expect(rows.find((r) => r.id === due.id)).toMatchObject({ status: 'closed', closed_at: expect.any(Date) })
    expect(rows.find((r) => r.id === later.id)).toMatchObject({ status: 'live', closed_at: null })
    const audit = await getDb().selectFrom('audit_events').selectAll().execute()
    expect(audit).toEqual([
      expect.objectContaining({ action: 'campaign.closed_automatically', subject_id: due.id, actor_user_id: null, organisation_id: due.organisation_id }),
    ])
  })
})
