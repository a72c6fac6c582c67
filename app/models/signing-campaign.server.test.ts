import { describe, expect, it } from 'vitest'
import { createCampaign } from '../../tests/support/factories'
import { getDb } from '~/utils/db.server'
import { SIGNING_CAMPAIGN_FRESH_MS, findSigningCampaign, forgetSigningCampaigns } from './signing-campaign.server'

describe('findSigningCampaign', () => {
  it('reads what signing needs of a live or closed campaign, and nothing of a draft or an unknown slug', async () => {
    const live = await createCampaign(getDb(), { consent_version: 'v7' })
    const draft = await createCampaign(getDb(), { status: 'draft' })
    expect(await findSigningCampaign(live.slug)).toEqual({
      id: live.id,
      slug: live.slug,
      status: 'live',
      opensAt: live.opens_at,
      closesAt: live.closes_at,
      consentVersion: 'v7',
      organisation: { id: live.organisation_id },
    })
    expect(await findSigningCampaign(draft.slug)).toBeNull()
    expect(await findSigningCampaign('no-such-campaign')).toBeNull()
  })

  it('keeps a campaign for a moment, shares one read between callers, and reads again when told or when stale', async () => {
    const campaign = await createCampaign(getDb())
    const now = Date.now()
    const [first, second] = [findSigningCampaign(campaign.slug, now), findSigningCampaign(campaign.slug, now + 1)]
    expect(second).toBe(first)
    await getDb().updateTable('campaigns').set({ status: 'closed' }).where('id', '=', campaign.id).execute()
    expect((await findSigningCampaign(campaign.slug, now + SIGNING_CAMPAIGN_FRESH_MS - 1))?.status).toBe('live')
    expect((await findSigningCampaign(campaign.slug, now + SIGNING_CAMPAIGN_FRESH_MS))?.status).toBe('closed')

    await getDb().updateTable('campaigns').set({ status: 'live' }).where('id', '=', campaign.id).execute()
    const later = now + SIGNING_CAMPAIGN_FRESH_MS + 1
    expect((await findSigningCampaign(campaign.slug, later))?.status).toBe('closed')
    forgetSigningCampaigns()
    expect((await findSigningCampaign(campaign.slug, later))?.status).toBe('live')
  })

  it('does not keep a campaign that was not there: it is found once published', async () => {
    const campaign = await createCampaign(getDb(), { status: 'draft' })
    const now = Date.now()
    expect(await findSigningCampaign(campaign.slug, now)).toBeNull()
    await getDb().updateTable('campaigns').set({ status: 'live' }).where('id', '=', campaign.id).execute()
    expect((await findSigningCampaign(campaign.slug, now + 1))?.status).toBe('live')
  })
})
