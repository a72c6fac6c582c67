import { sql } from 'kysely'
import { describe, expect, it } from 'vitest'
import { createCampaign, createSignature } from '../../tests/support/factories'
import { getDb } from '~/utils/db.server'
import { foldConfirmedSignatures, reconcileSignatureCounts } from './signature-count.server'

async function campaignCount(id: string) {
  const row = await getDb().selectFrom('campaigns').select(['signature_count']).where('id', '=', id).executeTakeFirstOrThrow()
  return row.signature_count
}

async function countryCounts(id: string) {
  const rows = await getDb()
    .selectFrom('campaign_country_counts')
    .select(['country', 'signature_count'])
    .where('campaign_id', '=', id)
    .orderBy('country')
    .execute()
  return Object.fromEntries(rows.map((r) => [r.country.trim(), r.signature_count]))
}

describe('foldConfirmedSignatures', () => {
  it('adds only confirmed signatures to the campaign and per-country counts, once', async () => {
    const a = await createCampaign(getDb())
    const b = await createCampaign(getDb())
    for (const country of ['GB', 'GB', 'RU']) await createSignature(getDb(), { campaign_id: a.id, state: 'confirmed', country })
    await createSignature(getDb(), { campaign_id: a.id, state: 'pending', country: 'FR' })
    await createSignature(getDb(), { campaign_id: a.id, state: 'invalidated', country: 'FR' })
    await createSignature(getDb(), { campaign_id: b.id, state: 'confirmed', country: 'DE' })

    expect(await foldConfirmedSignatures()).toEqual({ locked: true, folded: 4, campaigns: 2 })
    expect(await campaignCount(a.id)).toBe(3)
    expect(await campaignCount(b.id)).toBe(1)
    expect(await countryCounts(a.id)).toEqual({ GB: 2, RU: 1 })

    // Nothing new: nothing changes.
    expect(await foldConfirmedSignatures()).toEqual({ locked: true, folded: 0, campaigns: 0 })
    expect(await campaignCount(a.id)).toBe(3)

    await createSignature(getDb(), { campaign_id: a.id, state: 'confirmed', country: 'RU' })
    await foldConfirmedSignatures()
    expect(await campaignCount(a.id)).toBe(4)
    expect(await countryCounts(a.id)).toEqual({ GB: 2, RU: 2 })
  })

  it('works through a backlog in batches', async () => {
    const campaign = await createCampaign(getDb())
    await sql`insert into signatures (campaign_id, full_name, email, email_index, country, consent_version, state, confirmed_at)
      select ${campaign.id}, 'Signer', 's' || n || '@example.org', 's' || n || '@example.org', 'GB', 'v', 'confirmed', now()
      from generate_series(1, 25) n`.execute(getDb())
    expect((await foldConfirmedSignatures(10)).folded).toBe(10)
    expect((await foldConfirmedSignatures(10)).folded).toBe(10)
    expect((await foldConfirmedSignatures(10)).folded).toBe(5)
    expect(await campaignCount(campaign.id)).toBe(25)
  })

  it('lets only one runner fold at a time', async () => {
    const campaign = await createCampaign(getDb())
    await createSignature(getDb(), { campaign_id: campaign.id, state: 'confirmed' })
    // Another runner holds the lock: this one steps aside and folds nothing.
    await getDb()
      .connection()
      .execute(async (conn) => {
        await sql`select pg_advisory_lock(${0x63686f72})`.execute(conn)
        try {
          expect(await foldConfirmedSignatures()).toEqual({ locked: false, folded: 0, campaigns: 0 })
        } finally {
          await sql`select pg_advisory_unlock(${0x63686f72})`.execute(conn)
        }
      })
    expect((await foldConfirmedSignatures()).folded).toBe(1)
  })

  it('counts each confirmation exactly once when runners race', async () => {
    const campaign = await createCampaign(getDb())
    await sql`insert into signatures (campaign_id, full_name, email, email_index, country, consent_version, state, confirmed_at)
      select ${campaign.id}, 'Signer', 'r' || n || '@example.org', 'r' || n || '@example.org', 'GB', 'v', 'confirmed', now()
      from generate_series(1, 200) n`.execute(getDb())
    for (let round = 0; round < 10; round++) {
      await Promise.all([foldConfirmedSignatures(30), foldConfirmedSignatures(30), foldConfirmedSignatures(30)])
    }
    while ((await foldConfirmedSignatures(30)).folded > 0) {
      // drain what the racing rounds left
    }
    expect(await campaignCount(campaign.id)).toBe(200)
    expect(await countryCounts(campaign.id)).toEqual({ GB: 200 })
  })
})

describe('reconcileSignatureCounts', () => {
  it('repairs drift in campaign and country counts and reports it', async () => {
    const campaign = await createCampaign(getDb())
    for (const country of ['GB', 'RU']) await createSignature(getDb(), { campaign_id: campaign.id, state: 'confirmed', country })
    await foldConfirmedSignatures()
    await getDb().updateTable('campaigns').set({ signature_count: 99 }).where('id', '=', campaign.id).execute()
    await getDb().insertInto('campaign_country_counts').values({ campaign_id: campaign.id, country: 'FR', signature_count: 5 }).execute()

    const drift = await reconcileSignatureCounts()
    expect(drift).toEqual(
      expect.arrayContaining([
        { campaignId: campaign.id, country: null, cached: 99, actual: 2 },
        { campaignId: campaign.id, country: 'FR', cached: 5, actual: 0 },
      ]),
    )
    expect(await campaignCount(campaign.id)).toBe(2)
    expect(await countryCounts(campaign.id)).toEqual({ FR: 0, GB: 1, RU: 1 })
    expect(await reconcileSignatureCounts()).toEqual([])
  })

  it('leaves confirmations the counter has not folded yet to the counter', async () => {
    const campaign = await createCampaign(getDb())
    await createSignature(getDb(), { campaign_id: campaign.id, state: 'confirmed' })
    expect(await reconcileSignatureCounts()).toEqual([])
    await foldConfirmedSignatures()
    expect(await campaignCount(campaign.id)).toBe(1)
  })
})

describe('the dashboard aggregates', () => {
  async function aggregates(id: string) {
    const days = await getDb()
      .selectFrom('campaign_daily_counts')
      .select([sql<string>`day::text`.as('day'), 'signature_count'])
      .where('campaign_id', '=', id)
      .orderBy('day')
      .execute()
    const sources = await getDb()
      .selectFrom('campaign_source_counts')
      .select(['source', 'signature_count'])
      .where('campaign_id', '=', id)
      .orderBy('source')
      .execute()
    return {
      days: Object.fromEntries(days.map((r) => [r.day, r.signature_count])),
      sources: Object.fromEntries(sources.map((r) => [r.source, r.signature_count])),
    }
  }

  it('are folded per UTC day of confirmation and per source in the same pass', async () => {
    const campaign = await createCampaign(getDb())
    const at = (iso: string) => new Date(iso)
    await createSignature(getDb(), { campaign_id: campaign.id, state: 'confirmed', confirmed_at: at('2026-11-24T23:59:00Z'), utm_source: ' Facebook ' })
    await createSignature(getDb(), { campaign_id: campaign.id, state: 'confirmed', confirmed_at: at('2026-11-25T00:01:00Z'), source: 'partner-ngo' })
    await createSignature(getDb(), {
      campaign_id: campaign.id,
      state: 'confirmed',
      confirmed_at: at('2026-11-25T08:00:00Z'),
      utm_source: 'facebook',
      source: 'x',
    })
    await createSignature(getDb(), { campaign_id: campaign.id, state: 'confirmed', confirmed_at: at('2026-11-25T09:00:00Z'), utm_source: '', source: '' })
    await createSignature(getDb(), { campaign_id: campaign.id, state: 'pending', utm_source: 'facebook' })
    await foldConfirmedSignatures()
    expect(await aggregates(campaign.id)).toEqual({
      days: { '2026-11-24': 1, '2026-11-25': 3 },
      sources: { '': 1, facebook: 2, 'partner-ngo': 1 },
    })

    await createSignature(getDb(), { campaign_id: campaign.id, state: 'confirmed', confirmed_at: at('2026-11-25T10:00:00Z'), utm_source: 'FACEBOOK' })
    await foldConfirmedSignatures()
    expect(await aggregates(campaign.id)).toEqual({
      days: { '2026-11-24': 1, '2026-11-25': 4 },
      sources: { '': 1, facebook: 3, 'partner-ngo': 1 },
    })
    expect(await reconcileSignatureCounts()).toEqual([])
  })

  it('are repaired by the reconciliation, which reports the drift', async () => {
    const campaign = await createCampaign(getDb())
    await createSignature(getDb(), { campaign_id: campaign.id, state: 'confirmed', confirmed_at: new Date('2026-11-20T12:00:00Z'), utm_source: 'mail' })
    await foldConfirmedSignatures()
    await getDb().updateTable('campaign_daily_counts').set({ signature_count: 7 }).where('campaign_id', '=', campaign.id).execute()
    await getDb().deleteFrom('campaign_source_counts').where('campaign_id', '=', campaign.id).execute()
    await getDb().insertInto('campaign_daily_counts').values({ campaign_id: campaign.id, day: '2026-11-01', signature_count: 2 }).execute()

    const drift = await reconcileSignatureCounts()
    expect(drift).toEqual(
      expect.arrayContaining([
        { campaignId: campaign.id, day: '2026-11-20', cached: 7, actual: 1 },
        { campaignId: campaign.id, day: '2026-11-01', cached: 2, actual: 0 },
        { campaignId: campaign.id, source: 'mail', cached: 0, actual: 1 },
      ]),
    )
    expect(drift).toHaveLength(3)
    expect(await aggregates(campaign.id)).toEqual({ days: { '2026-11-01': 0, '2026-11-20': 1 }, sources: { mail: 1 } })
    expect(await reconcileSignatureCounts()).toEqual([])
  })

  it('rebuild from nothing for signatures counted before they existed', async () => {
    const campaign = await createCampaign(getDb())
    await sql`insert into signatures (campaign_id, full_name, email, email_index, country, consent_version, state, confirmed_at, counted_at, utm_source)
      select ${campaign.id}, 'Signer', 'b' || n || '@example.org', 'b' || n || '@example.org', 'GB', 'v', 'confirmed',
             timestamptz '2026-11-01 12:00Z' + (n % 3) * interval '1 day', now(), case when n % 2 = 0 then 'web' end
      from generate_series(1, 30) n`.execute(getDb())
    await reconcileSignatureCounts()
    expect(await aggregates(campaign.id)).toEqual({
      days: { '2026-11-01': 10, '2026-11-02': 10, '2026-11-03': 10 },
      sources: { '': 15, web: 15 },
    })
    expect(await campaignCount(campaign.id)).toBe(30)
  })
})
