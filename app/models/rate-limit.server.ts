import { sql } from 'kysely'
import { getDb, type Executor } from '~/utils/db.server'

export interface RateLimitResult {
  allowed: boolean
  hits: number
  retryAfterSeconds: number
}

/**
 * Counts one hit against `bucket` in a fixed window held in PostgreSQL, so every server process
 * shares the same limit. The bucket names a hashed identity, never a raw address.
 */
export async function hitRateLimit(
  bucket: string,
  { limit, windowSeconds }: { limit: number; windowSeconds: number },
  executor: Executor = getDb(),
): Promise<RateLimitResult> {
  const row = await sql<{ hits: number; window_start: Date }>`
    insert into rate_limits (bucket, window_start, hits)
    values (${bucket}, to_timestamp(floor(extract(epoch from now()) / ${windowSeconds}) * ${windowSeconds}), 1)
    on conflict (bucket, window_start) do update set hits = rate_limits.hits + 1
    returning hits, window_start`.execute(executor)
  const { hits, window_start } = row.rows[0]!
  const windowEnds = new Date(window_start).getTime() + windowSeconds * 1000
  return {
    allowed: hits <= limit,
    hits,
    retryAfterSeconds: Math.max(1, Math.ceil((windowEnds - Date.now()) / 1000)),
  }
}

/** Drops windows that ended more than a day ago. */
export async function pruneRateLimits(executor: Executor = getDb()) {
  const result = await executor
    .deleteFrom('rate_limits')
    .where('window_start', '<', sql<Date>`now() - interval '2 days'`)
    .executeTakeFirst()
  return Number(result.numDeletedRows)
}
