import { sql } from 'kysely'
import { getDb } from '~/utils/db.server'

// One lock key shared by the counter and the reconciliation, so they never interleave.
const COUNTER_LOCK = 0x63686f72 // "chor"

export interface FoldResult {
  locked: boolean
  folded: number
  campaigns: number
}

/**
 * Folds newly confirmed signatures into the cached campaign and per-country counts, in one
 * transaction under an advisory lock, at most `batchSize` at a time. Sign and confirm requests
 * never touch the campaign row; only this does, once per batch.
 */
export async function foldConfirmedSignatures(batchSize = 5000): Promise<FoldResult> {
  return await getDb()
    .transaction()
    .execute(async (tx) => {
      const { rows: lock } = await sql<{ locked: boolean }>`select pg_try_advisory_xact_lock(${COUNTER_LOCK}) as locked`.execute(tx)
      if (!lock[0]?.locked) return { locked: false, folded: 0, campaigns: 0 }
      const { rows } = await sql<{ campaign_id: string; country: string; n: number }>`
        with batch as (
          select id from signatures
          where state = 'confirmed' and counted_at is null
          order by id
          limit ${batchSize}
          for update skip locked
        ), marked as (
          update signatures s set counted_at = now()
          from batch where s.id = batch.id
          returning s.campaign_id, s.country
        )
        select campaign_id, country, count(*)::int as n from marked group by campaign_id, country`.execute(tx)
      if (rows.length === 0) return { locked: true, folded: 0, campaigns: 0 }

      const byCampaign = new Map<string, number>()
      for (const row of rows) byCampaign.set(row.campaign_id, (byCampaign.get(row.campaign_id) ?? 0) + row.n)
      await sql`
        insert into campaign_country_counts (campaign_id, country, signature_count)
        select * from unnest(${rows.map((r) => r.campaign_id)}::bigint[], ${rows.map((r) => r.country)}::char(2)[], ${rows.map((r) => r.n)}::int[])
        on conflict (campaign_id, country) do update
          set signature_count = campaign_country_counts.signature_count + excluded.signature_count`.execute(tx)
      await sql`
        update campaigns c set signature_count = c.signature_count + d.n, counted_at = now()
        from unnest(${[...byCampaign.keys()]}::bigint[], ${[...byCampaign.values()]}::int[]) as d(id, n)
        where c.id = d.id`.execute(tx)
      return { locked: true, folded: rows.reduce((sum, r) => sum + r.n, 0), campaigns: byCampaign.size }
    })
}

export interface Drift {
  campaignId: string
  country: string | null
  cached: number
  actual: number
}

/**
 * Compares cached counts with count(*) of counted confirmed signatures and repairs any drift.
 * Waits for the counter's lock so that the two never race.
 */
export async function reconcileSignatureCounts(): Promise<Drift[]> {
  return await getDb()
    .transaction()
    .execute(async (tx) => {
      await sql`select pg_advisory_xact_lock(${COUNTER_LOCK})`.execute(tx)
      const { rows: campaignDrift } = await sql<{ id: string; cached: number; actual: number }>`
        select c.id, c.signature_count as cached, coalesce(s.n, 0)::int as actual
        from campaigns c
        left join (
          select campaign_id, count(*) as n from signatures
          where state = 'confirmed' and counted_at is not null
          group by campaign_id
        ) s on s.campaign_id = c.id
        where c.signature_count <> coalesce(s.n, 0)`.execute(tx)
      const { rows: countryDrift } = await sql<{ campaign_id: string; country: string; cached: number; actual: number }>`
        with actual as (
          select campaign_id, country, count(*)::int as n from signatures
          where state = 'confirmed' and counted_at is not null
          group by campaign_id, country
        )
        select coalesce(a.campaign_id, k.campaign_id) as campaign_id, coalesce(a.country, k.country) as country,
               coalesce(k.signature_count, 0) as cached, coalesce(a.n, 0) as actual
        from actual a
        full join campaign_country_counts k on k.campaign_id = a.campaign_id and k.country = a.country
        where coalesce(k.signature_count, 0) <> coalesce(a.n, 0)`.execute(tx)
      for (const row of campaignDrift) {
        await tx.updateTable('campaigns').set({ signature_count: row.actual, counted_at: sql`now()` }).where('id', '=', row.id).execute()
      }
      for (const row of countryDrift) {
        await sql`
          insert into campaign_country_counts (campaign_id, country, signature_count)
          values (${row.campaign_id}, ${row.country}, ${row.actual})
          on conflict (campaign_id, country) do update set signature_count = excluded.signature_count`.execute(tx)
      }
      return [
        ...campaignDrift.map((r) => ({ campaignId: r.id, country: null, cached: r.cached, actual: r.actual })),
        ...countryDrift.map((r) => ({ campaignId: r.campaign_id, country: r.country.trim(), cached: r.cached, actual: r.actual })),
      ]
    })
}
