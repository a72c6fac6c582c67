import { describe, expect, it } from 'vitest'
import { nextTarget } from '~/components/campaign-view.server'
import { timeAgo } from '~/utils/i18n'

describe('progress toward the next milestone', () => {
  it('aims at the smallest milestone above the count, then the goal', () => {
    expect(nextTarget(137, [500, 200, 100], 1000)).toBe(200)
    expect(nextTarget(200, [100, 200], 1000)).toBe(1000)
    expect(nextTarget(0, [], 50)).toBe(50)
    expect(nextTarget(1200, [100], 1000)).toBe(1000)
  })
})

describe('timeAgo', () => {
  const now = '2026-12-01T12:00:00Z'
  it("says how long ago, in the reader's language", () => {
    expect(timeAgo('en', '2026-12-01T11:57:00Z', now)).toBe('3 minutes ago')
    expect(timeAgo('en', '2026-12-01T11:59:50Z', now)).toBe('now')
    expect(timeAgo('en', '2026-11-29T12:00:00Z', now)).toBe('2 days ago')
    expect(timeAgo('ru', '2026-12-01T11:57:00Z', now)).toBe('3 минуты назад')
  })
})
