import { sql } from 'kysely'
import { recordMilestoneCrossings, type CountChange } from '~/models/milestone-crossing.server'
import { getDb, type Tx } from '~/utils/db.server'

// One lock key shared by the counter and the reconciliation, so they never interleave.
const COUNTER_LOCK = 0x63686f72 // "chor"

// How a counted signature is keyed in the daily and source aggregates. The fold, the
// subtraction and the reconciliation all use these, and the columns they read never change
// once a signature is confirmed, so a signature leaves exactly the rows it was added to.
const DAY_KEY = sql.raw(`(coalesce(confirmed_at, created_at) at time zone 'UTC')::date`)
const SOURCE_KEY = sql.raw(`lower(left(coalesce(nullif(btrim(utm_source), ''), nullif(btrim(source), ''), ''), 100))`)

export interface FoldResult {
  locked: boolean
  folded: number
  campaigns: number
}

/**
 * Folds newly confirmed signatures into the cached campaign, per-country, per-day and per-source
 * counts, in one transaction under an advisory lock, at most `batchSize` at a time. Sign and
 * confirm requests never touch the campaign row; only this does, once per batch.
 */
export async function foldConfirmedSignatures(batchSize = 5000): Promise<FoldResult> {
  return await getDb()
    .transaction()
    .execute(async (tx) => {
      const { rows: lock } = await sql<{ locked: boolean }>`select pg_try_advisory_xact_lock(${COUNTER_LOCK}) as locked`.execute(tx)
      if (!lock[0]?.locked) return { locked: false, folded: 0, campaigns: 0 }
      // One statement: every data-modifying CTE runs once, over the same marked rows.
      const { rows } = await sql<{ folded: number; campaigns: number; changes: CountChange[] }>`
        with batch as (
          select id from signatures
          where state = 'confirmed' and counted_at is null
          order by id
          limit ${batchSize}
          for update skip locked
        ), marked as (
          update signatures s set counted_at = now()
          from batch where s.id = batch.id
          returning s.campaign_id, s.country, ${DAY_KEY} as day, ${SOURCE_KEY} as source
        ), by_country as (
          insert into campaign_country_counts (campaign_id, country, signature_count)
          select campaign_id, country, count(*) from marked group by campaign_id, country
          on conflict (campaign_id, country) do update
            set signature_count = campaign_country_counts.signature_count + excluded.signature_count
        ), by_day as (
          insert into campaign_daily_counts (campaign_id, day, signature_count)
          select campaign_id, day, count(*) from marked group by campaign_id, day
          on conflict (campaign_id, day) do update
            set signature_count = campaign_daily_counts.signature_count + excluded.signature_count
        ), by_source as (
          insert into campaign_source_counts (campaign_id, source, signature_count)
          select campaign_id, source, count(*) from marked group by campaign_id, source
          on conflict (campaign_id, source) do update
            set signature_count = campaign_source_counts.signature_count + excluded.signature_count
        ), by_campaign as (
          update campaigns c set signature_count = c.signature_count + d.n, counted_at = now()
          from (select campaign_id, count(*)::int as n from marked group by campaign_id) d
          where c.id = d.campaign_id
          returning c.id::text as campaign_id, c.signature_count - d.n as before, c.signature_count as after
        )
        select count(*)::int as folded, count(distinct campaign_id)::int as campaigns,
               (select coalesce(json_agg(by_campaign), '[]') from by_campaign) as changes
        from marked`.execute(tx)
      const { folded, campaigns, changes } = rows[0] ?? { folded: 0, campaigns: 0, changes: [] }
      // Milestones crossed by this batch, recorded under the same lock and in the same transaction.
      if (changes.length > 0) await recordMilestoneCrossings(tx, changes)
      return { locked: true, folded, campaigns }
    })
}

/**
 * Waits for the counter's lock inside `tx`, so that a subtraction (or anything else that must
 * not interleave with a fold) runs between batches, never during one.
 */
export async function lockCounters(tx: Tx): Promise<void> {
  await sql`select pg_advisory_xact_lock(${COUNTER_LOCK})`.execute(tx)
}

/**
 * Takes one counted signature back out of every cached count it was folded into. The caller
 * holds the counter lock (lockCounters) and the signature's row lock, has checked that
 * counted_at is set, and clears counted_at or deletes the row in the same transaction.
 */
export async function subtractCountedSignature(tx: Tx, signatureId: string): Promise<void> {
  await sql`
    with s as (
      select campaign_id, country, ${DAY_KEY} as day, ${SOURCE_KEY} as source
      from signatures where id = ${signatureId} and counted_at is not null
    ), by_country as (
      update campaign_country_counts k set signature_count = k.signature_count - 1
      from s where k.campaign_id = s.campaign_id and k.country = s.country
    ), by_day as (
      update campaign_daily_counts k set signature_count = k.signature_count - 1
      from s where k.campaign_id = s.campaign_id and k.day = s.day
    ), by_source as (
      update campaign_source_counts k set signature_count = k.signature_count - 1
      from s where k.campaign_id = s.campaign_id and k.source = s.source
    )
    update campaigns c set signature_count = c.signature_count - 1, counted_at = now()
    from s where c.id = s.campaign_id`.execute(tx)
}

/**
 * Takes a batch of signatures back out of every cached count they were folded into, grouped:
 * those of `ids` still confirmed and counted. Same contract as subtractCountedSignature: the
 * caller holds the counter lock and the rows' locks, and clears counted_at (or deletes the rows)
 * in the same transaction. Returns how many were subtracted.
 */
export async function subtractCountedSignatures(tx: Tx, ids: string[]): Promise<number> {
  if (ids.length === 0) return 0
  const { rows } = await sql<{ n: number }>`
    with s as (
      select campaign_id, country, ${DAY_KEY} as day, ${SOURCE_KEY} as source
      from signatures where id = any(${ids}::bigint[]) and state = 'confirmed' and counted_at is not null
    ), by_country as (
      update campaign_country_counts k set signature_count = k.signature_count - d.n
      from (select campaign_id, country, count(*)::int as n from s group by 1, 2) d
      where k.campaign_id = d.campaign_id and k.country = d.country
    ), by_day as (
      update campaign_daily_counts k set signature_count = k.signature_count - d.n
      from (select campaign_id, day, count(*)::int as n from s group by 1, 2) d
      where k.campaign_id = d.campaign_id and k.day = d.day
    ), by_source as (
      update campaign_source_counts k set signature_count = k.signature_count - d.n
      from (select campaign_id, source, count(*)::int as n from s group by 1, 2) d
      where k.campaign_id = d.campaign_id and k.source = d.source
    ), by_campaign as (
      update campaigns c set signature_count = c.signature_count - d.n, counted_at = now()
      from (select campaign_id, count(*)::int as n from s group by 1) d
      where c.id = d.campaign_id
    )
    select count(*)::int as n from s`.execute(tx)
  return rows[0]?.n ?? 0
}

/** A cached count that differed from count(*): the campaign total (country null), or one country, day or source. */
export type Drift =
  | { campaignId: string; country: string | null; cached: number; actual: number }
  | { campaignId: string; day: string; cached: number; actual: number }
  | { campaignId: string; source: string; cached: number; actual: number }

/**
 * Compares cached counts (campaign, country, day, source) with count(*) of counted confirmed
 * signatures and repairs any drift.
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
      const countryDrift = await repairAggregate(tx, 'country')
      const dayDrift = await repairAggregate(tx, 'day')
      const sourceDrift = await repairAggregate(tx, 'source')
      for (const row of campaignDrift) {
        await tx
          .updateTable('campaigns')
          .set({ signature_count: row.actual, counted_at: sql`now()` })
          .where('id', '=', row.id)
          .execute()
      }
      return [
        ...dayDrift.map(({ key, ...r }) => ({ ...r, day: key })),
        ...sourceDrift.map(({ key, ...r }) => ({ ...r, source: key })),
        ...campaignDrift.map((r) => ({ campaignId: r.id, country: null, cached: r.cached, actual: r.actual })),
        ...countryDrift.map(({ key, ...r }) => ({ ...r, country: key.trim() })),
      ]
    })
}

// The per-country, per-day and per-source aggregates: each keyed by (campaign_id, <key>).
const AGGREGATES = {
  country: { table: 'campaign_country_counts', expr: sql.raw('country'), type: sql.raw('text') },
  day: { table: 'campaign_daily_counts', expr: DAY_KEY, type: sql.raw('date') },
  source: { table: 'campaign_source_counts', expr: SOURCE_KEY, type: sql.raw('text') },
} as const

/** Compares one aggregate with count(*) of counted confirmed signatures and repairs it, set-based. */
async function repairAggregate(tx: Tx, key: keyof typeof AGGREGATES) {
  const { table, expr, type } = AGGREGATES[key]
  const { rows } = await sql<{ campaign_id: string; key: string; cached: number; actual: number }>`
    with actual as (
      select campaign_id, ${expr} as key, count(*)::int as n from signatures
      where state = 'confirmed' and counted_at is not null
      group by 1, 2
    )
    select coalesce(a.campaign_id, k.campaign_id) as campaign_id, coalesce(a.key, ${sql.ref(`k.${key}`)})::text as key,
           coalesce(k.signature_count, 0) as cached, coalesce(a.n, 0) as actual
    from actual a
    full join ${sql.table(table)} k on k.campaign_id = a.campaign_id and ${sql.ref(`k.${key}`)} = a.key
    where coalesce(k.signature_count, 0) <> coalesce(a.n, 0)`.execute(tx)
  if (rows.length > 0) {
    await sql`
      insert into ${sql.table(table)} (campaign_id, ${sql.ref(key)}, signature_count)
      select * from unnest(${rows.map((r) => r.campaign_id)}::bigint[], ${rows.map((r) => r.key)}::${type}[], ${rows.map((r) => r.actual)}::int[])
      on conflict (campaign_id, ${sql.ref(key)}) do update set signature_count = excluded.signature_count`.execute(tx)
  }
  return rows.map((r) => ({ campaignId: r.campaign_id, key: r.key, cached: r.cached, actual: r.actual }))
}

/**
 * The campaign's count as a signer who has just confirmed should see it: their signature is
 * included even before the counter job folds it in (read in one statement, so never twice).
 */
export async function countIncludingSigner(campaignId: string, signatureId: string | null): Promise<number> {
  const row = await getDb()
    .selectFrom('campaigns as c')
    .select(
      sql<number>`c.signature_count + case when exists (
        select 1 from signatures s
        where s.id = ${signatureId ?? '0'} and s.campaign_id = c.id and s.state = 'confirmed' and s.counted_at is null
      ) then 1 else 0 end`.as('count'),
    )
    .where('c.id', '=', campaignId)
    .executeTakeFirst()
  return Number(row?.count ?? 0)
}
