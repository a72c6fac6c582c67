import { sql, type RawBuilder } from 'kysely'
import { getDb, type Executor } from '~/utils/db.server'

export interface RateLimitResult {
  allowed: boolean
  hits: number
  retryAfterSeconds: number
  /** The same wait, unrounded. */
  retryAfterMs: number
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
  return { allowed, hits: Math.ceil(weighted), retryAfterSeconds: Math.max(1, Math.ceil(retryMs / 1000)), retryAfterMs: Math.max(0, retryMs) }
}

/**
 * Counts one hit against `bucket` and says whether it is within the limit. Held in PostgreSQL,
 * so every server process shares the same limit; one round trip. The bucket names a hashed
 * identity, never a raw address.
 */
export async function hitRateLimit(bucket: string, limit: RateLimit, executor: Executor = getDb()): Promise<RateLimitResult> {
  const { rows } = await sql<WindowRow>`with ${rateLimitCtes(bucket, limit)} select hits, previous, window_start, now from rate_limit`.execute(executor)
  // A hit inside a transaction may yet be rolled back: only a committed one is learnt from.
  if (!executor.isTransaction) noteRateLimitHit(bucket, limit, rows[0]!)
  return weighRateLimit(rows[0]!, limit)
}

// --- What this process learnt from its own hits ---------------------------------------------
//
// A client at its limit is refused before its body is read, and without a query: each hit this
// process counts answers whether one more would still be allowed, and when not, the bucket is
// remembered here until it would be (decision 0020). A signer within the limit costs no look at
// all. The database stays the authority: the hit counted with the signature is checked again in
// its statement, so another process's hits (which this one cannot see) are still refused there.

/** Buckets remembered at most: clients at their limit, each forgotten when its wait is over. */
const MAX_REMEMBERED = 50_000

const refusedUntil = new Map<string, number>()

function rememberedKey(bucket: string, { limit, windowSeconds }: RateLimit): string {
  return `${bucket}\0${limit}\0${windowSeconds}`
}

/**
 * Remembers, from the row a hit returned, whether the next hit would be refused, and until when.
 * hitRateLimit calls it; a statement that runs rateLimitCtes itself calls it with its row.
 */
export function noteRateLimitHit(bucket: string, limit: RateLimit, row: WindowRow, now = Date.now()): void {
  const key = rememberedKey(bucket, limit)
  const next = weighRateLimit(row, limit, 1)
  if (next.allowed) {
    refusedUntil.delete(key)
    return
  }
  if (!refusedUntil.has(key) && refusedUntil.size >= MAX_REMEMBERED) {
    // The longest-remembered first (a Map keeps insertion order).
    refusedUntil.delete(refusedUntil.keys().next().value!)
  }
  refusedUntil.set(key, now + next.retryAfterMs)
}

/**
 * Whether this process already knows one more hit would be refused: no query, for a look that
 * must come before a request's body is read. Allowed when it does not know.
 */
export function lookRateLimit(bucket: string, limit: RateLimit, now = Date.now()): { allowed: true } | { allowed: false; retryAfterSeconds: number } {
  const key = rememberedKey(bucket, limit)
  const until = refusedUntil.get(key)
  if (until === undefined) return { allowed: true }
  if (until <= now) {
    refusedUntil.delete(key)
    return { allowed: true }
  }
  return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((until - now) / 1000)) }
}

/** Forgets what this process learnt (the tests empty the database between cases). */
export function forgetRateLimitHits() {
  refusedUntil.clear()
}

/** Drops windows that ended more than a day ago. */
export async function pruneRateLimits(executor: Executor = getDb()) {
  const result = await executor
    .deleteFrom('rate_limits')
    .where('window_start', '<', sql<Date>`now() - interval '2 days'`)
    .executeTakeFirst()
  return Number(result.numDeletedRows)
}
