import { describe, expect, it } from 'vitest'
import { createCampaign, createSignature } from '../../tests/support/factories'
import { getDb } from '~/utils/db.server'
import { campaignPhase, getPublicCampaign, getRecentPublicSigners, isSignable, listLiveCampaignPage, listLiveCampaigns } from './campaign.server'

describe('campaign queries', () => {
  it('lists only live campaigns, newest first, in the reader’s language where translated', async () => {
    const older = await createCampaign(getDb(), { title: 'Older', created_at: new Date(Date.now() - 60_000) })
    const newer = await createCampaign(getDb(), {
      title: 'Newer',
      translations: { ru: { title: 'Новее', summary: 'Кратко', demand: 'Требование', target_name: 'Министр' } },
    })
    await createCampaign(getDb(), { status: 'draft', title: 'Draft' })
    await createCampaign(getDb(), { status: 'closed', title: 'Closed' })
    expect((await listLiveCampaigns('en')).map((c) => c.slug)).toEqual([newer.slug, older.slug])
    const russian = await listLiveCampaigns('ru')
    expect(russian[0]!.content).toMatchObject({ title: 'Новее', summary: 'Кратко', demand: 'Требование', target_name: 'Министр' })
    expect(russian[0]!.contentLocale).toBe('ru')
    expect(russian[1]!.content.title).toBe('Older')
    expect(russian[1]!.contentLocale).toBe('en')
  })

  it('leaves campaigns that have not opened or have passed their closing date off the home page', async () => {
    await createCampaign(getDb(), { opens_at: new Date(Date.now() + 86_400_000) })
    await createCampaign(getDb(), { closes_at: new Date(Date.now() - 1000) })
    const open = await createCampaign(getDb(), { opens_at: new Date(Date.now() - 1000), closes_at: new Date(Date.now() + 86_400_000) })
    expect((await listLiveCampaigns('en')).map((c) => c.slug)).toEqual([open.slug])
  })

  it('pages through the open campaigns, newest first, saying whether an older page follows', async () => {
    const slugs: string[] = []
    for (let i = 0; i < 5; i++) slugs.unshift((await createCampaign(getDb(), { created_at: new Date(Date.now() - (5 - i) * 60_000) })).slug)
    const pages = await Promise.all([1, 2, 3, 4].map((page) => listLiveCampaignPage('en', page, 2)))
    expect(pages.map((p) => p.campaigns.map((c) => c.slug))).toEqual([slugs.slice(0, 2), slugs.slice(2, 4), slugs.slice(4), []])
    expect(pages.map((p) => p.hasOlder)).toEqual([true, true, false, false])
  })

  it('hides drafts from the public', async () => {
    const draft = await createCampaign(getDb(), { status: 'draft' })
    expect(await getPublicCampaign(draft.slug, 'en')).toBeNull()
    const closed = await createCampaign(getDb(), { status: 'closed' })
    expect((await getPublicCampaign(closed.slug, 'en'))?.status).toBe('closed')
  })

  it('shows only the first names of confirmed signers who agreed to be shown', async () => {
    const campaign = await createCampaign(getDb())
    await createSignature(getDb(), { campaign_id: campaign.id, state: 'confirmed', consent_show_name: true, full_name: 'Anna Politkovskaya', country: 'RU' })
    await createSignature(getDb(), { campaign_id: campaign.id, state: 'confirmed', consent_show_name: false, full_name: 'Hidden Person' })
    await createSignature(getDb(), { campaign_id: campaign.id, state: 'pending', consent_show_name: true, full_name: 'Pending Person' })
    const signers = await getRecentPublicSigners(campaign.id)
    expect(signers.map(({ firstName, country }) => ({ firstName, country }))).toEqual([{ firstName: 'Anna', country: 'RU' }])
  })

  it('is signable only while live and between its opening and closing dates', () => {
    const now = new Date('2026-06-01T00:00:00Z')
    expect(isSignable({ status: 'live', opensAt: null, closesAt: null }, now)).toBe(true)
    expect(isSignable({ status: 'closed', opensAt: null, closesAt: null }, now)).toBe(false)
    expect(isSignable({ status: 'draft', opensAt: null, closesAt: null }, now)).toBe(false)
    expect(isSignable({ status: 'live', opensAt: null, closesAt: new Date('2026-05-31T23:59:59Z') }, now)).toBe(false)
    expect(isSignable({ status: 'live', opensAt: new Date('2026-06-02T00:00:00Z'), closesAt: null }, now)).toBe(false)
    expect(campaignPhase({ status: 'live', opensAt: new Date('2026-06-02T00:00:00Z'), closesAt: null }, now)).toBe('not-open')
    expect(campaignPhase({ status: 'live', opensAt: null, closesAt: new Date('2026-05-01T00:00:00Z') }, now)).toBe('closed')
    expect(campaignPhase({ status: 'live', opensAt: null, closesAt: null }, now)).toBe('open')
  })
})
