import { describe, expect, it } from 'vitest'
import { adminForm, createAdmin } from '../support/admin'
import { createCampaign, createSignature } from '../support/factories'
import { callRoute } from '../support/routes'
import { foldConfirmedSignatures } from '~/models/signature-count.server'
import { loader as dashboardLoader } from '~/routes/admin.campaigns.$campaignId._index'
import { action as supportersAction, loader as supportersLoader } from '~/routes/admin.campaigns.$campaignId.supporters'
import { getDb } from '~/utils/db.server'

async function campaignWithSupporters() {
  const owner = await createAdmin(getDb(), { role: 'owner' })
  const organisationId = owner.organisation.id
  const campaign = await createCampaign(getDb(), { organisation_id: organisationId, signature_goal: 10 })
  const ada = await createSignature(getDb(), {
    campaign_id: campaign.id,
    state: 'confirmed',
    country: 'GB',
    full_name: 'Ada Lovelace',
    email: 'ada.lovelace@example.org',
    utm_source: 'newsletter',
    consent_updates: true,
  })
  const boris = await createSignature(getDb(), {
    campaign_id: campaign.id,
    state: 'confirmed',
    country: 'RU',
    full_name: 'Boris Pasternak',
    email: 'boris@example.net',
  })
  const pending = await createSignature(getDb(), {
    campaign_id: campaign.id,
    state: 'pending',
    country: 'FR',
    full_name: 'Claire Pending',
    email: 'claire@example.org',
  })
  await foldConfirmedSignatures()
  return { owner, organisationId, campaign, ada, boris, pending }
}

const dashboardUrl = (id: string) => `/admin/campaigns/${id}`
const supportersUrl = (id: string, search = '') => `/admin/campaigns/${id}/supporters${search}`

async function signatureCount(campaignId: string) {
  return (await getDb().selectFrom('campaigns').select('signature_count').where('id', '=', campaignId).executeTakeFirstOrThrow()).signature_count
}

describe('the campaign dashboard', () => {
  it('shows the numbers to a viewer, without any personal data or a way to the supporters', async () => {
    const { organisationId, campaign } = await campaignWithSupporters()
    const viewer = await createAdmin(getDb(), { role: 'viewer', organisationId })
    const page = await callRoute(dashboardLoader, { url: dashboardUrl(campaign.id), headers: viewer.headers, params: { campaignId: campaign.id } })
    expect(page.status).toBe(200)
    expect(page.data.summary).toMatchObject({ confirmed: 2, pending: 1, invalidated: 0, rate: '66.7%', goalProgress: '20%', donations: null })
    expect(page.data.countries.map((c: { name: string; count: number }) => [c.name, c.count])).toEqual([
      ['United Kingdom', 1],
      ['Russian Federation', 1],
    ])
    expect(page.data.sources.map((s: { source: string }) => s.source).sort()).toEqual(['', 'newsletter'])
    expect(page.data.chart.days).toHaveLength(30)
    expect(page.data.chart.days.at(-1).count).toBe(2)
    expect(page.data.recent).toHaveLength(2)
    expect(page.data.recent[0].text).toMatch(/^Signature confirmed · .+ · /)
    expect(page.data.canSeeSupporters).toBe(false)
    expect(JSON.stringify(page.data)).not.toMatch(/Ada|Boris|Claire|example\.(org|net)/)
  })

  it('shows donations raised when the campaign has any', async () => {
    const { owner, campaign } = await campaignWithSupporters()
    await getDb().insertInto('campaign_donation_totals').values({ campaign_id: campaign.id, currency: 'EUR', total_minor: 123450, donor_count: 3 }).execute()
    const page = await callRoute(dashboardLoader, { url: dashboardUrl(campaign.id), headers: owner.headers, params: { campaignId: campaign.id } })
    expect(page.data.summary.donations).toEqual({ raised: '€1,234.50', donors: 3 })
    expect(page.data.canSeeSupporters).toBe(true)
  })

  it('is a 404 for another organisation’s campaign or a nonsense id, and sends strangers to sign in', async () => {
    const { campaign } = await campaignWithSupporters()
    const stranger = await createAdmin(getDb(), { role: 'owner' })
    for (const id of [campaign.id, 'nope', '0']) {
      const page = await callRoute(dashboardLoader, { url: dashboardUrl(id), headers: stranger.headers, params: { campaignId: id } })
      expect(page.status).toBe(404)
    }
    const anonymous = await callRoute(dashboardLoader, { url: dashboardUrl(campaign.id), params: { campaignId: campaign.id } })
    expect(anonymous.status).toBe(302)
    expect(anonymous.headers.get('Location')).toMatch(/^\/admin\/sign-in\?next=/)
  })
})

describe('the supporters list', () => {
  it('is for owners and campaigners: a viewer gets 403, another organisation 404', async () => {
    const { organisationId, campaign, ada } = await campaignWithSupporters()
    const viewer = await createAdmin(getDb(), { role: 'viewer', organisationId })
    const stranger = await createAdmin(getDb(), { role: 'owner' })
    const params = { campaignId: campaign.id }
    expect((await callRoute(supportersLoader, { url: supportersUrl(campaign.id), headers: viewer.headers, params })).status).toBe(403)
    expect((await callRoute(supportersLoader, { url: supportersUrl(campaign.id), headers: stranger.headers, params })).status).toBe(404)
    const post = (who: { headers: Record<string, string>; csrfToken: string }) =>
      callRoute(supportersAction, {
        url: supportersUrl(campaign.id),
        method: 'POST',
        headers: who.headers,
        params,
        body: adminForm(who, { intent: 'invalidate', signatureId: ada.id, reason: 'fraud' }),
      })
    expect((await post(viewer)).status).toBe(403)
    expect((await post(stranger)).status).toBe(404)
    expect(await signatureCount(campaign.id)).toBe(2)
  })

  it('lists, searches and filters for a campaigner, showing state and consents', async () => {
    const { organisationId, campaign } = await campaignWithSupporters()
    const campaigner = await createAdmin(getDb(), { role: 'campaigner', organisationId })
    const list = (search: string) =>
      callRoute(supportersLoader, { url: supportersUrl(campaign.id, search), headers: campaigner.headers, params: { campaignId: campaign.id } })

    const all = await list('')
    expect(all.status).toBe(200)
    expect(all.data.supporters.map((s: { fullName: string }) => s.fullName)).toEqual(['Claire Pending', 'Boris Pasternak', 'Ada Lovelace'])
    expect(all.data.supporters[2]).toMatchObject({ email: 'ada.lovelace@example.org', state: 'confirmed', consentUpdates: true, consentShowName: false })

    // A whole address, through its blind index: names and addresses are sealed at rest (decision 0040).
    expect((await list('?q=Ada.Lovelace%40example.org')).data.supporters.map((s: { fullName: string }) => s.fullName)).toEqual(['Ada Lovelace'])
    expect((await list('?q=nobody%40example.net')).data.supporters).toEqual([])
    expect((await list('?state=pending')).data.supporters.map((s: { fullName: string }) => s.fullName)).toEqual(['Claire Pending'])

    const partial = await list('?q=lovel')
    expect(partial.status).toBe(400)
    expect(partial.data).toMatchObject({ searchError: 'admin.supporters.error.searchNotAddress', values: { q: 'lovel' }, supporters: [] })
  })

  it('invalidates a signature: the count drops once, audited with the reason', async () => {
    const { organisationId, campaign, ada } = await campaignWithSupporters()
    const campaigner = await createAdmin(getDb(), { role: 'campaigner', organisationId })
    const invalidate = (values: Record<string, string>) =>
      callRoute(supportersAction, {
        url: supportersUrl(campaign.id, `?invalidate=${ada.id}`),
        method: 'POST',
        headers: campaigner.headers,
        params: { campaignId: campaign.id },
        body: adminForm(campaigner, { intent: 'invalidate', signatureId: ada.id, ...values }),
      })

    const noReason = await invalidate({})
    expect(noReason.status).toBe(400)
    expect(noReason.data.error).toBe('admin.supporters.error.reasonRequired')
    expect(await signatureCount(campaign.id)).toBe(2)

    const done = await invalidate({ reason: 'fraud', q: 'ada' })
    expect(done.status).toBe(302)
    expect(done.headers.get('Location')).toBe(`/admin/campaigns/${campaign.id}/supporters?q=ada&done=invalidated`)
    expect(await signatureCount(campaign.id)).toBe(1)

    const again = await invalidate({ reason: 'fraud' })
    expect(again.status).toBe(409)
    expect(await signatureCount(campaign.id)).toBe(1)

    const audit = await getDb().selectFrom('audit_events').selectAll().where('action', '=', 'signature.invalidated').execute()
    expect(audit).toHaveLength(1)
    expect(audit[0]).toMatchObject({ organisation_id: organisationId, actor_user_id: campaigner.user.id, subject_id: ada.id })
    expect(audit[0]!.changes).toMatchObject({ reason: 'fraud' })

    const dashboard = await callRoute(dashboardLoader, { url: dashboardUrl(campaign.id), headers: campaigner.headers, params: { campaignId: campaign.id } })
    expect(dashboard.data.summary).toMatchObject({ confirmed: 1, invalidated: 1 })
    expect(dashboard.data.sources.map((s: { source: string }) => s.source)).toEqual([''])
  })

  it('removes a signature only after the confirmation step, forgetting the person', async () => {
    const { owner, campaign, boris } = await campaignWithSupporters()
    const confirmPage = await callRoute(supportersLoader, {
      url: supportersUrl(campaign.id, `?remove=${boris.id}`),
      headers: owner.headers,
      params: { campaignId: campaign.id },
    })
    expect(confirmPage.data.confirm).toMatchObject({ kind: 'remove', supporter: { fullName: 'Boris Pasternak' } })

    const remove = (values: Record<string, string>) =>
      callRoute(supportersAction, {
        url: supportersUrl(campaign.id, `?remove=${boris.id}`),
        method: 'POST',
        headers: owner.headers,
        params: { campaignId: campaign.id },
        body: adminForm(owner, { intent: 'remove', signatureId: boris.id, ...values }),
      })
    const unconfirmed = await remove({})
    expect(unconfirmed.status).toBe(400)
    expect(unconfirmed.data.error).toBe('admin.supporters.error.confirmRemoval')
    expect(await signatureCount(campaign.id)).toBe(2)

    const noCsrf = await callRoute(supportersAction, {
      url: supportersUrl(campaign.id),
      method: 'POST',
      headers: owner.headers,
      params: { campaignId: campaign.id },
      body: new URLSearchParams({ intent: 'remove', signatureId: boris.id, confirm: 'yes' }).toString(),
    })
    expect(noCsrf.status).toBe(403)

    const removed = await remove({ confirm: 'yes' })
    expect(removed.status).toBe(302)
    expect(removed.headers.get('Location')).toBe(`/admin/campaigns/${campaign.id}/supporters?done=removed`)
    expect(await signatureCount(campaign.id)).toBe(1)
    expect(await getDb().selectFrom('signatures').select('id').where('id', '=', boris.id).execute()).toEqual([])
    const audit = await getDb().selectFrom('audit_events').selectAll().where('action', '=', 'signature.removed').executeTakeFirstOrThrow()
    expect(JSON.stringify(audit)).not.toMatch(/Boris|example\.net/)

    // Pressing again (a resubmitted form) finds nothing to remove.
    expect((await remove({ confirm: 'yes' })).status).toBe(404)
    expect(await signatureCount(campaign.id)).toBe(1)
    // A confirmation page for someone not (or no longer) on this campaign is a 404.
    const gone = await callRoute(supportersLoader, {
      url: supportersUrl(campaign.id, `?remove=${boris.id}`),
      headers: owner.headers,
      params: { campaignId: campaign.id },
    })
    expect(gone.status).toBe(404)
  })

  it('cannot touch another campaign’s supporter through this campaign’s address', async () => {
    const { owner, organisationId, campaign } = await campaignWithSupporters()
    const sibling = await createCampaign(getDb(), { organisation_id: organisationId })
    const theirs = await createSignature(getDb(), { campaign_id: sibling.id, state: 'confirmed' })
    await foldConfirmedSignatures()
    const result = await callRoute(supportersAction, {
      url: supportersUrl(campaign.id),
      method: 'POST',
      headers: owner.headers,
      params: { campaignId: campaign.id },
      body: adminForm(owner, { intent: 'remove', signatureId: theirs.id, confirm: 'yes' }),
    })
    expect(result.status).toBe(404)
    expect(await signatureCount(sibling.id)).toBe(1)
  })
})
