import { describe, expect, it } from 'vitest'
import { open } from '~/models/data-key.server'
import { isSuppressed, suppress } from '~/models/email-preferences.server'
import { collectSupporterData } from '~/models/supporter-data.server'
import { loader as dashboardLoader } from '~/routes/admin.campaigns.$campaignId._index'
import { action as exportAction } from '~/routes/admin.campaigns.$campaignId.supporters.export'
import { action as supportersAction, loader as supportersLoader } from '~/routes/admin.campaigns.$campaignId.supporters'
import { getDb } from '~/utils/db.server'
import { adminForm, createAdmin } from '../support/admin'
import { createCampaign, createSignature } from '../support/factories'
import { callRoute } from '../support/routes'

// Decision 0045: an owner answers a supporter's request from the supporters list; nobody else can.

const EMAIL = 'Vera.Asks@example.org'

async function setting() {
  const owner = await createAdmin(getDb(), { role: 'owner' })
  const organisationId = owner.organisation.id
  const campaigner = await createAdmin(getDb(), { role: 'campaigner', organisationId })
  const campaign = await createCampaign(getDb(), { organisation_id: organisationId })
  const other = await createCampaign(getDb(), { organisation_id: organisationId })
  const vera = await createSignature(getDb(), { campaign_id: campaign.id, state: 'confirmed', full_name: 'Vera Asks', email: EMAIL, postcode: 'VA1 1AA' })
  await createSignature(getDb(), { campaign_id: other.id, state: 'confirmed', full_name: 'Vera Asks', email: 'vera.asks@example.org' })
  const stranger = await createCampaign(getDb()) // another organisation: out of reach
  await createSignature(getDb(), { campaign_id: stranger.id, state: 'confirmed', full_name: 'Vera Asks', email: EMAIL })
  await suppress(getDb(), { organisationId, email: EMAIL, reason: 'complaint' })
  return { owner, campaigner, campaign, vera, organisationId }
}

const post = (admin: { headers: Record<string, string>; csrfToken: string }, campaignId: string, values: Record<string, string>) =>
  callRoute(supportersAction, {
    url: `/admin/campaigns/${campaignId}/supporters`,
    method: 'POST',
    headers: admin.headers,
    params: { campaignId },
    body: adminForm(admin, values),
  })

const exportAs = (admin: { headers: Record<string, string>; csrfToken: string }, campaignId: string, signatureId: string) =>
  callRoute(exportAction, {
    url: `/admin/campaigns/${campaignId}/supporters/export`,
    method: 'POST',
    headers: admin.headers,
    params: { campaignId },
    body: adminForm(admin, { intent: 'export', signatureId }),
  })

describe('a supporter’s request, answered from the supporters list', () => {
  it('an owner downloads everything the organisation holds for the address, audited', async () => {
    const { owner, campaign, vera } = await setting()
    const list = await callRoute(supportersLoader, {
      url: `/admin/campaigns/${campaign.id}/supporters`,
      headers: owner.headers,
      params: { campaignId: campaign.id },
    })
    expect(list.data.canErase).toBe(true)

    const response = await exportAs(owner, campaign.id, vera.id)
    expect(response.status).toBe(200)
    expect(response.headers.get('Content-Disposition')).toBe(`attachment; filename="supporter-${vera.id}.json"`)
    expect(response.data.email).toBe(EMAIL)
    // Both of this organisation's signatures, not the other organisation's.
    expect(response.data.signatures).toHaveLength(2)
    expect(response.data.signatures[0]).toMatchObject({ fullName: 'Vera Asks', postcode: 'VA1 1AA', campaign: campaign.title })
    expect(response.data.suppressions).toMatchObject([{ reason: 'complaint' }])
    const audit = await getDb().selectFrom('audit_events').selectAll().where('action', '=', 'supporter.exported').executeTakeFirstOrThrow()
    expect(audit).toMatchObject({ actor_user_id: owner.user.id, subject_id: vera.id })
    expect(JSON.stringify(audit)).not.toMatch(/vera/i)
    // The list page itself downloads nothing: the export route is the one way.
    const stray = await post(owner, campaign.id, { intent: 'export', signatureId: vera.id })
    expect(stray.status).toBe(400)
    expect(stray.headers.get('Content-Disposition')).toBeNull()
    expect(await getDb().selectFrom('audit_events').select('id').where('action', '=', 'supporter.exported').execute()).toHaveLength(1)
  })

  it('an owner erases after a confirmation step: every trace within the organisation, counts kept, still suppressed', async () => {
    const { owner, campaign, vera, organisationId } = await setting()
    const confirm = await callRoute(supportersLoader, {
      url: `/admin/campaigns/${campaign.id}/supporters?erase=${vera.id}`,
      headers: owner.headers,
      params: { campaignId: campaign.id },
    })
    expect(confirm.data.confirm).toMatchObject({ kind: 'erase', supporter: { fullName: 'Vera Asks' } })

    const unconfirmed = await post(owner, campaign.id, { intent: 'erase', signatureId: vera.id })
    expect(unconfirmed.status).toBe(400)
    expect(unconfirmed.data.error).toBe('admin.supporters.error.confirmErasure')

    const erased = await post(owner, campaign.id, { intent: 'erase', signatureId: vera.id, confirm: 'yes' })
    expect(erased.status).toBe(302)
    expect(erased.headers.get('Location')).toBe(`/admin/campaigns/${campaign.id}/supporters?done=erased`)

    const mine = await collectSupporterData(EMAIL)
    expect(mine.signatures.map((s) => s.organisation)).not.toContain(owner.organisation.name) // only the other organisation's is left
    expect(mine.signatures).toHaveLength(1)
    expect(await getDb().selectFrom('signatures').select('state').where('id', '=', vera.id).executeTakeFirstOrThrow()).toEqual({ state: 'confirmed' })
    expect(await isSuppressed(organisationId, EMAIL)).toBe(true)
    const audit = await getDb().selectFrom('audit_events').selectAll().where('action', '=', 'supporter.erased').execute()
    expect(audit).toHaveLength(1)
    expect(audit[0]).toMatchObject({ actor_user_id: owner.user.id, organisation_id: organisationId, changes: { signatures: 2, by: 'organiser' } })

    // The list shows the row as erased, without the buttons; a second erasure finds nothing to erase.
    const list = await callRoute(supportersLoader, {
      url: `/admin/campaigns/${campaign.id}/supporters`,
      headers: owner.headers,
      params: { campaignId: campaign.id },
    })
    expect(list.data.supporters).toMatchObject([{ id: vera.id, contactErased: true, fullName: '', email: '' }])
    expect((await post(owner, campaign.id, { intent: 'erase', signatureId: vera.id, confirm: 'yes' })).status).toBe(409)
    expect((await exportAs(owner, campaign.id, vera.id)).status).toBe(409)
  })

  it('a campaigner sees no buttons and is refused on the server, whatever they send', async () => {
    const { campaigner, campaign, vera } = await setting()
    const list = await callRoute(supportersLoader, {
      url: `/admin/campaigns/${campaign.id}/supporters`,
      headers: campaigner.headers,
      params: { campaignId: campaign.id },
    })
    expect(list.data.canErase).toBe(false)
    const confirm = await callRoute(supportersLoader, {
      url: `/admin/campaigns/${campaign.id}/supporters?erase=${vera.id}`,
      headers: campaigner.headers,
      params: { campaignId: campaign.id },
    })
    expect(confirm.status).toBe(403)
    expect((await exportAs(campaigner, campaign.id, vera.id)).status).toBe(403)
    expect((await post(campaigner, campaign.id, { intent: 'erase', signatureId: vera.id, confirm: 'yes' })).status).toBe(403)
    const row = await getDb().selectFrom('signatures').select(['email', 'contact_erased_at']).where('id', '=', vera.id).executeTakeFirstOrThrow()
    expect(row.contact_erased_at).toBeNull()
    expect(await open(row.email)).toBe(EMAIL)
    expect(await getDb().selectFrom('audit_events').select('id').where('action', 'in', ['supporter.exported', 'supporter.erased']).execute()).toEqual([])
  })

  it('the dashboard says when signers’ contact details will be erased, in English and Russian', async () => {
    const { owner, campaign } = await setting()
    const dashboard = (lang: string) =>
      callRoute(dashboardLoader, { url: `/admin/campaigns/${campaign.id}?lang=${lang}`, headers: owner.headers, params: { campaignId: campaign.id } })
    expect((await dashboard('en')).data.erasure).toBe(
      'Signers’ names, email addresses and postcodes will be erased 6 months after the campaign closes. The counts, countries and chart stay.',
    )
    expect((await dashboard('ru')).data.erasure).toMatch(/через 6 месяцев после закрытия/)
    await getDb().updateTable('campaigns').set({ status: 'closed', closed_at: '2026-11-15T12:00:00Z' }).where('id', '=', campaign.id).execute()
    expect((await dashboard('en')).data.erasure).toMatch(/will be erased on May 15, 2027\./)
    expect((await dashboard('ru')).data.erasure).toMatch(/будут стёрты 15 мая 2027/)
  })
})
