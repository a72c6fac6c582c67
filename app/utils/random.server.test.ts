import { describe, expect, it } from 'vitest'
import { randomBytes } from '~/utils/random.server'

describe('randomBytes, drawn in blocks', () => {
  it('gives the size asked, small or large', () => {
    for (const size of [0, 1, 12, 16, 32, 64, 65, 1000]) expect(randomBytes(size)).toHaveLength(size)
  })

  it('never hands out the same bytes twice, across block refills', () => {
    const seen = new Set<string>()
    // 2,000 × 32 bytes spans several 8 KB blocks.
    for (let i = 0; i < 2000; i++) seen.add(randomBytes(32).toString('hex'))
    expect(seen.size).toBe(2000)
  })

  it('keeps a value as it was handed out, however many are drawn after it', () => {
    const first = randomBytes(16)
    const copy = Buffer.from(first)
    // Far past one block: refills must never write over what was handed out.
    for (let i = 0; i < 5000; i++) randomBytes(16)
    expect(first.equals(copy)).toBe(true)
  })

  it('looks uniform: every byte value turns up in 64 KB', () => {
    const counts = new Array<number>(256).fill(0)
    for (let i = 0; i < 4096; i++) for (const byte of randomBytes(16)) counts[byte]!++
    // 256 draws expected per value; none missing, none wildly over (a stuck or zeroed pool would be).
    expect(Math.min(...counts)).toBeGreaterThan(150)
    expect(Math.max(...counts)).toBeLessThan(380)
  })
})
