import { sql, type RawBuilder } from 'kysely'
import { getDb, type Executor } from '~/utils/db.server'

export interface RateLimitResult {
  allowed: boolean
  hits: number
  retryAfterSeconds: number
}

export interface RateLimit {
  limit: number
  windowSeconds: number
}

/** What a hit (or a look) reads: this window's hits, the previous window's, and the clock. */
export interface WindowRow {
  hits: number
  previous: number
  window_start: Date
  now: Date
}

const windowStartSql = (windowSeconds: number) => sql`to_timestamp(floor(extract(epoch from now()) / ${windowSeconds}) * ${windowSeconds})`

/**
 * One hit against `bucket` as two CTEs for a top-level WITH (PostgreSQL allows an insert in a
 * WITH only there): `rate_hit`, and `rate_limit` of one row (hits, previous, window_start, now,
 * allowed). hitRateLimit runs them alone; the sign POST inside its own statement (decision 0020).
 */
export function rateLimitCtes(bucket: string, { limit, windowSeconds }: RateLimit): RawBuilder<unknown> {
  return sql`rate_hit as (
      insert into rate_limits (bucket, window_start, hits)
      values (${bucket}, ${windowStartSql(windowSeconds)}, 1)
      on conflict (bucket, window_start) do update set hits = rate_limits.hits + 1
      returning hits, window_start
    ), rate_limit as (
      select w.*, w.hits + w.previous * (1 - least(1, greatest(0, extract(epoch from w.now - w.window_start) / ${windowSeconds}))) <= ${limit} as allowed
      from (
        select rate_hit.hits, rate_hit.window_start, now() as now,
          coalesce((
            select r.hits from rate_limits r
            where r.bucket = ${bucket} and r.window_start = rate_hit.window_start - make_interval(secs => ${windowSeconds})
          ), 0) as previous
        from rate_hit
      ) w
    )`
}

/**
 * Weighs the current fixed window with the previous one by how much of it still overlaps a
 * window ending now (a sliding window, approximated by two), so twice the limit no longer fits
 * around a window boundary. `extra` counts a hit not yet made (a look before it).
 */
export function weighRateLimit(row: WindowRow, { limit, windowSeconds }: RateLimit, extra = 0): RateLimitResult {
  const hits = Number(row.hits) + extra
  const previous = Number(row.previous)
  const windowMs = windowSeconds * 1000
  const elapsed = Math.min(1, Math.max(0, (new Date(row.now).getTime() - new Date(row.window_start).getTime()) / windowMs))
  const weighted = hits + previous * (1 - elapsed)
  const allowed = weighted <= limit
  // When refused: wait until the previous window's weight has fallen enough (or this window ends).
  let retryMs = new Date(row.window_start).getTime() + windowMs - new Date(row.now).getTime()
  if (!allowed && hits <= limit && previous > 0) {
    const needed = (weighted - limit) / previous
    retryMs = Math.min(retryMs, needed * windowMs)
  }
  return { allowed, hits: Math.ceil(weighted), retryAfterSeconds: Math.max(1, Math.ceil(retryMs / 1000)) }
}

/**
 * Counts one hit against `bucket` and says whether it is within the limit. Held in PostgreSQL,
 * so every server process shares the same limit; one round trip. The bucket names a hashed
 * identity, never a raw address.
 */
export async function hitRateLimit(bucket: string, limit: RateLimit, executor: Executor = getDb()): Promise<RateLimitResult> {
  const row = await sql<WindowRow>`with ${rateLimitCtes(bucket, limit)} select hits, previous, window_start, now from rate_limit`.execute(executor)
  return weighRateLimit(row.rows[0]!, limit)
}

/**
 * Whether one more hit would be allowed, without counting it: for a check that must come before
 * a request's body is read, when the hit itself is counted later in the request's transaction.
 */
export async function peekRateLimit(bucket: string, limit: RateLimit, executor: Executor = getDb()): Promise<RateLimitResult> {
  const row = await sql<WindowRow>`
    select coalesce(max(r.hits) filter (where r.window_start = w.start), 0) as hits,
      coalesce(max(r.hits) filter (where r.window_start = w.start - make_interval(secs => ${limit.windowSeconds})), 0) as previous,
      w.start as window_start, now() as now
    from (select ${windowStartSql(limit.windowSeconds)} as start) w
    left join rate_limits r on r.bucket = ${bucket}
      and r.window_start in (w.start, w.start - make_interval(secs => ${limit.windowSeconds}))
    group by w.start`.execute(executor)
  return weighRateLimit(row.rows[0]!, limit, 1)
}

/** Drops windows that ended more than a day ago. */
export async function pruneRateLimits(executor: Executor = getDb()) {
  const result = await executor
    .deleteFrom('rate_limits')
    .where('window_start', '<', sql<Date>`now() - interval '2 days'`)
    .executeTakeFirst()
  return Number(result.numDeletedRows)
}
