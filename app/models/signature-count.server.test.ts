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
    await sql`insert into signatures (campaign_id, full_name, email, canonical_email, country, consent_version, state, confirmed_at)
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
    await sql`insert into signatures (campaign_id, full_name, email, canonical_email, country, consent_version, state, confirmed_at)
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
    await getDb()
      .insertInto('campaign_country_counts')
      .values({ campaign_id: campaign.id, country: 'FR', signature_count: 5 })
      .execute()

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
