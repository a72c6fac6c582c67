import { sql } from 'kysely'
import { getDb, type Executor } from '~/utils/db.server'

export interface RateLimitResult {
  allowed: boolean
  hits: number
  retryAfterSeconds: number
}

/**
 * Counts one hit against `bucket` and weighs the current fixed window with the previous one by
 * how much of it still overlaps a window ending now (a sliding window, approximated by two), so
 * twice the limit no longer fits around a window boundary. Held in PostgreSQL, so every server
 * process shares the same limit; one round trip. The bucket names a hashed identity, never a raw
 * address.
 */
export async function hitRateLimit(
  bucket: string,
  { limit, windowSeconds }: { limit: number; windowSeconds: number },
  executor: Executor = getDb(),
): Promise<RateLimitResult> {
  const row = await sql<{ hits: number; previous: number; window_start: Date; now: Date }>`
    with hit as (
      insert into rate_limits (bucket, window_start, hits)
      values (${bucket}, to_timestamp(floor(extract(epoch from now()) / ${windowSeconds}) * ${windowSeconds}), 1)
      on conflict (bucket, window_start) do update set hits = rate_limits.hits + 1
      returning hits, window_start
    )
    select hit.hits, hit.window_start, now() as now,
      coalesce((
        select r.hits from rate_limits r
        where r.bucket = ${bucket} and r.window_start = hit.window_start - make_interval(secs => ${windowSeconds})
      ), 0) as previous
    from hit`.execute(executor)
  const { hits, previous, window_start, now } = row.rows[0]!
  const windowMs = windowSeconds * 1000
  const elapsed = Math.min(1, Math.max(0, (new Date(now).getTime() - new Date(window_start).getTime()) / windowMs))
  const weighted = hits + Number(previous) * (1 - elapsed)
  const allowed = weighted <= limit
  // When refused: wait until the previous window's weight has fallen enough (or this window ends).
  let retryMs = new Date(window_start).getTime() + windowMs - new Date(now).getTime()
  if (!allowed && hits <= limit && Number(previous) > 0) {
    const needed = (weighted - limit) / Number(previous)
    retryMs = Math.min(retryMs, needed * windowMs)
  }
  return { allowed, hits: Math.ceil(weighted), retryAfterSeconds: Math.max(1, Math.ceil(retryMs / 1000)) }
}

/** Drops windows that ended more than a day ago. */
export async function pruneRateLimits(executor: Executor = getDb()) {
  const result = await executor
    .deleteFrom('rate_limits')
    .where('window_start', '<', sql<Date>`now() - interval '2 days'`)
    .executeTakeFirst()
  return Number(result.numDeletedRows)
}
