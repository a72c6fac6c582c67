import { describe, expect, it } from 'vitest'
import { getDb } from '~/utils/db.server'
import { getCountryCounts, listLiveCampaigns } from './campaign.server'
import { seedDemoContentIfEmpty } from './seed.server'
import { getCampaignTimeline } from './timeline.server'
import { getCampaignDonationTotals } from './donation.server'

describe('seedDemoContentIfEmpty', () => {
  it('seeds the demo organisation and campaigns in English and Russian, once', async () => {
    expect(await seedDemoContentIfEmpty()).toBe(true)
    const campaigns = await getDb().selectFrom('campaigns').select(['slug', 'status', 'signature_count']).orderBy('id').execute()
    expect(campaigns.map((c) => c.status)).toEqual(['live', 'live', 'closed'])
    expect(campaigns.map((c) => c.signature_count)).toEqual([137, 42, 1250])

    const live = await listLiveCampaigns('en')
    expect(live[0]!.slug).toBe('chechnya-investigate-now')
    expect(live[0]!.content.demand).toMatch(/investigate/i)
    expect(live[0]!.content.demand).toMatch(/Chechen/)
    const russian = await listLiveCampaigns('ru')
    expect(russian[0]!.content.title).toMatch(/Чечн/)
    expect(russian.every((c) => c.contentLocale === 'ru')).toBe(true)

    // The cached per-country counts add up to the confirmed total.
    const byCountry = await getCountryCounts(live[0]!.id)
    expect(Object.values(byCountry).reduce((a, b) => a + b, 0)).toBe(137)

    // The timeline: a crossed milestone (not the one above the count) and an update on the
    // flagship; the closed campaign was delivered and answered, newest first.
    const flagship = await getCampaignTimeline(live[0]!.id, 'ru')
    expect(flagship.map((item) => item.type)).toEqual(['update', 'milestone'])
    expect(flagship[0]!.title).toBe('Почему расследование всё ещё важно')
    const closed = campaigns.findIndex((c) => c.status === 'closed')
    const closedId = (await getDb().selectFrom('campaigns').select('id').orderBy('id').execute())[closed]!.id
    expect((await getCampaignTimeline(closedId, 'en')).map((item) => item.type)).toEqual(['response', 'update', 'delivery', 'milestone'])

    // The flagship shows what its demo gifts raised.
    expect(await getCampaignDonationTotals(live[0]!.id)).toEqual({ currency: 'EUR', totalMinor: 29_500, donorCount: 8 })

    expect(await seedDemoContentIfEmpty()).toBe(false)
    expect(await getDb().selectFrom('campaigns').select('id').execute()).toHaveLength(3)
  })
})
