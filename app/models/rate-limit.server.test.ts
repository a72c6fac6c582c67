import { describe, expect, it } from 'vitest'
import { forgetRateLimitHits, hitRateLimit, lookRateLimit, noteRateLimitHit, type WindowRow } from '~/models/rate-limit.server'
import { getDb } from '~/utils/db.server'

const limit = { limit: 3, windowSeconds: 60 }
const windowStart = new Date('2026-12-01T12:00:00Z')
const at = (seconds: number) => new Date(windowStart.getTime() + seconds * 1000)
const row = (hits: number, previous = 0, seconds = 30): WindowRow => ({ hits, previous, window_start: windowStart, now: at(seconds) })

describe('what a process learns from its own rate-limit hits', () => {
  it('knows nothing of a bucket it never hit: the look allows', () => {
    expect(lookRateLimit('sign:never-seen', limit)).toEqual({ allowed: true })
  })

  it('remembers a bucket whose next hit would be refused, until the window lets one more through', () => {
    const now = at(30).getTime()
    noteRateLimitHit('sign:a', limit, row(3), now)
    // 30 s are left of this window, with nothing in the previous one.
    expect(lookRateLimit('sign:a', limit, now)).toEqual({ allowed: false, retryAfterSeconds: 30 })
    expect(lookRateLimit('sign:a', limit, now + 29_000)).toEqual({ allowed: false, retryAfterSeconds: 1 })
    expect(lookRateLimit('sign:a', limit, now + 30_000)).toEqual({ allowed: true })
    // Once the wait is over the bucket is forgotten.
    expect(lookRateLimit('sign:a', limit, now)).toEqual({ allowed: true })
  })

  it('weighs the previous window as the limit does: the wait ends when its weight has fallen enough', () => {
    const now = at(15).getTime()
    // 1 hit now and 4 in the previous window, 15 s into a 60 s window: 1 + 4 × 0.75 = 4 (+1) > 3.
    noteRateLimitHit('sign:b', limit, row(1, 4, 15), now)
    const look = lookRateLimit('sign:b', limit, now)
    expect(look.allowed).toBe(false)
    // One more fits when 2 + 4 × (1 - t/60) ≤ 3, at t = 45 s: 30 s from now.
    expect(lookRateLimit('sign:b', limit, now + 29_000).allowed).toBe(false)
    expect(lookRateLimit('sign:b', limit, now + 30_000).allowed).toBe(true)
  })

  it('forgets a bucket when a later hit says one more would fit, and keeps limits apart', () => {
    const now = at(30).getTime()
    noteRateLimitHit('sign:c', limit, row(3), now)
    expect(lookRateLimit('sign:c', { ...limit, limit: 10 }, now)).toEqual({ allowed: true })
    noteRateLimitHit('sign:c', limit, row(1), now)
    expect(lookRateLimit('sign:c', limit, now)).toEqual({ allowed: true })
  })

  it('forgets everything on request (the tests empty the database)', () => {
    const now = Date.now()
    noteRateLimitHit('sign:d', limit, row(5, 0, 1), now)
    expect(lookRateLimit('sign:d', limit, now).allowed).toBe(false)
    forgetRateLimitHits()
    expect(lookRateLimit('sign:d', limit, now).allowed).toBe(true)
  })

  it('learns from a committed hit, and not from one inside a transaction that may be rolled back', async () => {
    const one = { limit: 1, windowSeconds: 3600 }
    await getDb()
      .transaction()
      .execute(async (tx) => {
        expect((await hitRateLimit('sign:in-tx', one, tx)).allowed).toBe(true)
      })
    expect(lookRateLimit('sign:in-tx', one).allowed).toBe(true)
    expect((await hitRateLimit('sign:committed', one)).allowed).toBe(true)
    const look = lookRateLimit('sign:committed', one)
    expect(look.allowed).toBe(false)
    expect(look.allowed === false && look.retryAfterSeconds).toBeGreaterThan(0)
  })
})
