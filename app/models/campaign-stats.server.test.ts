import { describe, expect, it } from 'vitest'
import { createCampaign, createOrganisation, createSignature } from '../../tests/support/factories'
import { getDb } from '~/utils/db.server'
import { findOrganisationCampaign, getCampaignDashboard, milestonesOf } from './campaign-stats.server'
import { foldConfirmedSignatures } from './signature-count.server'

const NOW = new Date('2026-11-25T12:00:00Z')
const daysAgo = (n: number, hour = 10) => new Date(Date.UTC(2026, 10, 25 - n, hour))

async function dashboardOf(campaignId: string, now = NOW) {
  const campaign = await getDb().selectFrom('campaigns').selectAll().where('id', '=', campaignId).executeTakeFirstOrThrow()
  return await getCampaignDashboard(campaign, { now })
}

describe('getCampaignDashboard', () => {
  it('reports confirmed, pending, rate, days, countries, sources and the latest confirmations', async () => {
    const campaign = await createCampaign(getDb(), { signature_goal: 3 })
    const other = await createCampaign(getDb())
    const confirmed = (country: string, at: Date, tracking: { utm_source?: string; source?: string } = {}) =>
      createSignature(getDb(), { campaign_id: campaign.id, state: 'confirmed', country, confirmed_at: at, ...tracking })
    await confirmed('GB', daysAgo(0, 9), { utm_source: 'Twitter' })
    await confirmed('GB', daysAgo(0, 11), { utm_source: 'twitter', source: 'newsletter' })
    await confirmed('GB', daysAgo(1), { source: 'newsletter' })
    await confirmed('RU', daysAgo(3))
    await createSignature(getDb(), { campaign_id: campaign.id, state: 'pending', country: 'FR' })
    await createSignature(getDb(), { campaign_id: campaign.id, state: 'pending', country: 'FR' })
    await createSignature(getDb(), { campaign_id: campaign.id, state: 'invalidated', country: 'DE' })
    await createSignature(getDb(), { campaign_id: other.id, state: 'confirmed', country: 'US', confirmed_at: daysAgo(0) })
    await createSignature(getDb(), { campaign_id: other.id, state: 'pending', country: 'US' })
    await foldConfirmedSignatures()

    const dashboard = await dashboardOf(campaign.id)
    expect(dashboard.confirmed).toBe(4)
    expect(dashboard.pending).toBe(2)
    expect(dashboard.invalidated).toBe(1)
    expect(dashboard.confirmationRate).toBeCloseTo(4 / 6)
    expect(dashboard.today).toBe(2)
    expect(dashboard.days).toHaveLength(30)
    expect(dashboard.days[0]!.day).toBe('2026-10-27')
    expect(dashboard.days.slice(-4)).toEqual([
      { day: '2026-11-22', count: 1 },
      { day: '2026-11-23', count: 0 },
      { day: '2026-11-24', count: 1 },
      { day: '2026-11-25', count: 2 },
    ])
    expect(dashboard.countries).toEqual([
      { code: 'GB', count: 3 },
      { code: 'RU', count: 1 },
    ])
    // utm_source wins over source/ref, case folded; '' is "none".
    expect(dashboard.sources).toEqual([
      { source: 'twitter', count: 2 },
      { source: '', count: 1 },
      { source: 'newsletter', count: 1 },
    ])
    expect(dashboard.recent.map((r) => r.country)).toEqual(['GB', 'GB', 'GB', 'RU'])
    expect(dashboard.recent[0]!.confirmedAt).toEqual(daysAgo(0, 11))
    expect(dashboard.milestones).toEqual([{ count: 3, day: '2026-11-25', goal: true, description: null }])
  })

  it('is all zeros for a campaign nobody has signed', async () => {
    const campaign = await createCampaign(getDb())
    const dashboard = await dashboardOf(campaign.id)
    expect(dashboard).toMatchObject({ confirmed: 0, pending: 0, invalidated: 0, confirmationRate: null, today: 0, countries: [], sources: [], recent: [] })
    expect(dashboard.days.every((d) => d.count === 0)).toBe(true)
  })

  it('ends a closed campaign’s chart on its last day of signatures', async () => {
    const campaign = await createCampaign(getDb())
    await createSignature(getDb(), { campaign_id: campaign.id, state: 'confirmed', confirmed_at: daysAgo(60) })
    await foldConfirmedSignatures()
    await getDb().updateTable('campaigns').set({ status: 'closed' }).where('id', '=', campaign.id).execute()
    const dashboard = await dashboardOf(campaign.id)
    expect(dashboard.days.at(-1)).toEqual({ day: '2026-09-26', count: 1 })
  })

  it('counts confirmations only once the counter has folded them', async () => {
    const campaign = await createCampaign(getDb())
    await createSignature(getDb(), { campaign_id: campaign.id, state: 'confirmed', confirmed_at: daysAgo(0) })
    expect((await dashboardOf(campaign.id)).days.at(-1)!.count).toBe(0)
    await foldConfirmedSignatures()
    const dashboard = await dashboardOf(campaign.id)
    expect(dashboard.confirmed).toBe(1)
    expect(dashboard.days.at(-1)!.count).toBe(1)
  })
})

describe('findOrganisationCampaign', () => {
  it('finds a campaign only within its own organisation', async () => {
    const campaign = await createCampaign(getDb())
    const stranger = await createOrganisation(getDb())
    expect((await findOrganisationCampaign(String(campaign.organisation_id), campaign.id))?.id).toBe(campaign.id)
    expect(await findOrganisationCampaign(stranger.id, campaign.id)).toBeNull()
    expect(await findOrganisationCampaign(String(campaign.organisation_id), 'abc')).toBeNull()
    expect(await findOrganisationCampaign(String(campaign.organisation_id), '99999999999999999999')).toBeNull()
  })
})

describe('milestonesOf', () => {
  it('dates the goal and each round number by the day the running total reached it', () => {
    const days = [
      { day: '2026-11-01', signature_count: 60 },
      { day: '2026-11-02', signature_count: 60 },
      { day: '2026-11-03', signature_count: 1000 },
    ]
    expect(milestonesOf(days, 500)).toEqual([
      { count: 1000, day: '2026-11-03', goal: false, description: null },
      { count: 500, day: '2026-11-03', goal: true, description: null },
      { count: 100, day: '2026-11-02', goal: false, description: null },
    ])
    // A campaign's own milestones replace the round numbers.
    expect(milestonesOf(days, 500, [{ threshold: 110, description: 'We deliver the letter' }])).toEqual([
      { count: 500, day: '2026-11-03', goal: true, description: null },
      { count: 110, day: '2026-11-02', goal: false, description: 'We deliver the letter' },
    ])
  })
})
